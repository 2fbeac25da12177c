"""A small school for reconciliation tests: classes with students chats, a staff chat, accounts with memberships."""

from __future__ import annotations

from datetime import UTC, date, datetime

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat, ChatMembership
from chats.tests.factories import ChatFactory
from classes.models import Enrollment, Quarter, School, SchoolClass, Staff, Student
from classes.tests.factories import AcademicYearFactory, SchoolClassFactory, SchoolFactory, StaffFactory, StudentFactory

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday of the second quarter
QUARTERS = [
    (1, date(2026, 9, 1), date(2026, 10, 24)),
    (2, date(2026, 11, 5), date(2026, 12, 28)),
    (3, date(2027, 1, 12), date(2027, 3, 20)),
    (4, date(2027, 3, 30), date(2027, 5, 26)),
]


class World:
    """A school (year 2026/2027 with its quarters) with students chats per class and one staff chat."""

    def __init__(self, classes: tuple[str, ...] = ("5А", "5Б", "6А"), code: str | None = None) -> None:
        self.school: School = SchoolFactory(**({"code": code} if code else {}))
        self.year = AcademicYearFactory(school=self.school)
        self.quarters = {
            number: Quarter.objects.create(year=self.year, number=number, starts_on=start, ends_on=end)
            for number, start, end in QUARTERS
        }
        self.classes: dict[str, SchoolClass] = {}
        self.chats: dict[str, Chat] = {}
        for name in classes:
            self.class_add(name)
        self.staff_chat = ChatFactory(school=self.school, kind=Chat.Kind.STAFF, title="Педагоги")
        self._sequence = 0

    def class_add(self, name: str) -> SchoolClass:
        school_class = SchoolClassFactory(school=self.school, year=self.year, grade=int(name[:-1]), letter=name[-1])
        self.classes[name] = school_class
        self.chats[name] = ChatFactory(
            school=self.school, kind=Chat.Kind.CLASS, school_class=school_class, title=f"{name} класс"
        )
        return school_class

    def _next_id(self, prefix: str) -> str:
        self._sequence += 1
        return f"{prefix}-{self._sequence:04d}"

    def student(
        self,
        class_name: str,
        last_name: str,
        first_name: str,
        patronymic: str = "",
        birth_date: date | None = None,
        person_id: str | None = None,
        **enrollment,
    ) -> Student:
        student = StudentFactory(
            school=self.school,
            person_id=person_id or self._next_id("S"),
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            birth_date=birth_date,
        )
        Enrollment.objects.create(
            student=student,
            school_class=self.classes[class_name],
            starts_on=enrollment.pop("starts_on", date(2026, 9, 1)),
            **enrollment,
        )
        return student

    def staff(self, last_name: str, first_name: str, patronymic: str = "", **fields) -> Staff:
        return StaffFactory(
            school=self.school,
            person_id=fields.pop("person_id", None) or self._next_id("T"),
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            **fields,
        )

    def account(self, last_name: str, first_name: str, *where: str, role: str = "student", **links) -> SferumAccount:
        """Return an account that is a current member of the named classes' chats ("staff": the staff chat)."""
        account = SferumAccountFactory(
            school=self.school, last_name=last_name, first_name=first_name, role_code=role, **links
        )
        for name in where:
            chat = self.staff_chat if name == "staff" else self.chats[name]
            ChatMembership.objects.create(chat=chat, account=account, joined_at=datetime(2026, 9, 1, tzinfo=UTC))
        return account
