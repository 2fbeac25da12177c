"""Scenarios for tests, the Sferum part: classes.tests.scenario's schools with their accounts, chats, messages
and syncs (ChatsWorld, school_build).
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Integration
from chats.models import SyncRun
from chats.tests.factories import ChatFactory
from chats.tests.factories import ChatMembershipFactory
from chats.tests.factories import MessageFactory
from classes.models import School
from classes.models import SchoolClass
from classes.tests import scenario as roster
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import RosterWorld
from classes.tests.scenario import SchoolData

# The fields of a membership and of a message that a test compares when it compares two states of the database.
MEMBERSHIP_FIELDS = ("chat__platform_id", "account__platform_user_id", "joined_at", "left_at", "is_admin")
MESSAGE_FIELDS = (
    "chat__platform_id",
    "platform_id",
    "author__platform_user_id",
    "from_bot",
    "sent_at",
    "kind",
    "text_length",
    "emoji_only",
    "text_hash",
)


def class_data_add(data: SchoolData, *, grade: int, letter: str, students: int) -> SchoolClass:
    """Add one class (classes.tests.scenario.class_data_add) whose class teacher is active in Sferum and wrote
    in the last complete week, every other student activated, the first one's parent activated, with a students
    chat, and a parents chat for every other class.
    """
    index = len(data.classes)
    school = data.school
    school_class = roster.class_data_add(data, grade=grade, letter=letter, students=students)
    teacher, subject_teacher = data.teachers[-2:]
    account = SferumAccountFactory(school=school, staff=teacher, role_code=SferumAccount.RoleCode.TEACHER)
    SferumAccountFactory(school=school, staff=subject_teacher, role_code=SferumAccount.RoleCode.TEACHER)
    chat = ChatFactory(school=school, kind=Chat.Kind.CLASS, school_class=school_class, title=f"{school_class.name}")
    ChatMembershipFactory(chat=chat, account=account, is_admin=True)
    if index % 2 == 0:
        parents_chat = ChatFactory(
            school=school, kind=Chat.Kind.PARENTS, school_class=school_class, title=f"{school_class.name} родители"
        )
        ChatMembershipFactory(chat=parents_chat, account=account, is_admin=True)
    for minute in range(3 + index % 2):
        MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 10, 9, minute * 10, tzinfo=UTC))
    for number, (enrollment, parent) in enumerate(data.pupils[len(data.pupils) - students :]):
        if number % 2 == 0:
            SferumAccountFactory(school=school, student=enrollment.student, role_code=SferumAccount.RoleCode.STUDENT)
        if number == 0:
            SferumAccountFactory(school=school, parent=parent, role_code=SferumAccount.RoleCode.PARENT)
    return school_class


def classes_add(data: SchoolData, *, grades: range, letter: str, students: int) -> None:
    """Add a class of `class_data_add` with `letter` in each of `grades`, each with `students` students."""
    roster.classes_add(data, grades=grades, letter=letter, students=students, class_add=class_data_add)


def school_build(*, municipality=None, classes: int = 1, students: int = 2, code: str | None = None) -> SchoolData:
    """Return a school with `classes` classes of `class_data_add`, each with `students` students."""
    return roster.school_build(
        municipality=municipality, classes=classes, students=students, code=code, class_add=class_data_add
    )


def sync_runs_add(school: School, *, held: int = 1) -> list[SyncRun]:
    """Add a finished sync and `held` held ones to the school."""
    runs = [
        SyncRun.objects.create(
            school=school, backend="simulator", status=SyncRun.Status.OK, started_at=NOW - timedelta(hours=5)
        )
    ]
    for number in range(held):
        runs.append(
            SyncRun.objects.create(
                school=school,
                backend="simulator",
                status=SyncRun.Status.HELD,
                started_at=NOW - timedelta(hours=2, minutes=number),
                held_removals=40,
                held_reason="40 of 60 memberships would end.",
            )
        )
    return runs


class ChatsWorld(RosterWorld):
    """A RosterWorld whose classes each have a students chat, with one staff chat; add accounts by name."""

    def __init__(self, classes: tuple[str, ...] = ("5А", "5Б", "6А"), code: str | None = None) -> None:
        self.chats: dict[str, Chat] = {}
        super().__init__(classes=classes, code=code)
        self.staff_chat = ChatFactory(school=self.school, kind=Chat.Kind.STAFF, title="Педагоги")

    def class_add(self, name: str) -> SchoolClass:
        """Add the class named like "5А" with its students chat."""
        school_class = super().class_add(name)
        self.chats[name] = ChatFactory(
            school=self.school, kind=Chat.Kind.CLASS, school_class=school_class, title=f"{name} класс"
        )
        return school_class

    def account(self, last_name: str, first_name: str, *where: str, role: str = "student", **links) -> SferumAccount:
        """Return an account that is a current member of the named classes' chats ("staff": the staff chat)."""
        account = SferumAccountFactory(
            school=self.school, last_name=last_name, first_name=first_name, role_code=role, **links
        )
        for name in where:
            chat = self.staff_chat if name == "staff" else self.chats[name]
            ChatMembership.objects.create(chat=chat, account=account, joined_at=datetime(2026, 9, 1, tzinfo=UTC))
        return account


def school_with_integration() -> School:
    """Return a school with its academic year and a simulator integration."""
    school = SchoolFactory()
    AcademicYearFactory(school=school)
    Integration.objects.create(school=school, backend="simulator")
    return school
