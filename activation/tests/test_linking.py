"""Linking Sferum accounts to roster people ("Linking accounts to people" in sferum-api.md)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.models import SferumAccount
from activation.services import accounts_link
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat
from chats.tests.factories import ChatFactory, ChatMembershipFactory
from classes.tests.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    ParentFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime(2026, 11, 30, 9, tzinfo=UTC), tick=False)


class World:
    """A school with classes 5А and 6Б, each with a students chat and a parents chat."""

    def __init__(self):
        self.school = SchoolFactory()
        year = AcademicYearFactory(school=self.school)
        self.classes = {
            name: SchoolClassFactory(school=self.school, year=year, grade=int(name[0]), letter=name[1])
            for name in ("5А", "6Б")
        }
        self.students_chat = {
            name: ChatFactory(school=self.school, kind=Chat.Kind.CLASS, school_class=c)
            for name, c in self.classes.items()
        }
        self.parents_chat = {
            name: ChatFactory(school=self.school, kind=Chat.Kind.PARENTS, school_class=c)
            for name, c in self.classes.items()
        }
        self.staff_chat = ChatFactory(school=self.school, kind=Chat.Kind.STAFF, school_class=None)

    def student(self, class_name, last_name, first_name, **enrollment):
        student = StudentFactory(school=self.school, last_name=last_name, first_name=first_name)
        EnrollmentFactory(student=student, school_class=self.classes[class_name], **enrollment)
        return student

    def parent(self, last_name, first_name, children):
        return ParentFactory(school=self.school, last_name=last_name, first_name=first_name, children=children)

    def account(self, last_name, first_name, role, *chats, **fields):
        status = SferumAccount.Status.ACTIVE if role else SferumAccount.Status.PENDING
        account = SferumAccountFactory(
            school=self.school,
            last_name=last_name,
            first_name=first_name,
            role_code=role or "",
            status=status,
            **fields,
        )
        for chat in chats:
            ChatMembershipFactory(chat=chat, account=account)
        return account


@pytest.fixture
def world():
    return World()


def _reload(*accounts):
    return [SferumAccount.objects.get(pk=account.pk) for account in accounts]


def test_students_link_despite_yo_case_and_latin_look_alikes(world):
    # given
    peter = world.student("5А", "Семёнов", "Пётр")
    anna = world.student("5А", "Иванова", "Анна")
    chat = world.students_chat["5А"]
    plain = world.account("семенов", "Петр", "student", chat)
    latin = world.account("Ивaнова", "Aнна", "student", chat)  # Latin a and A
    # when
    result = accounts_link(school=world.school)
    # then
    plain, latin = _reload(plain, latin)
    assert plain.student == peter
    assert latin.student == anna
    assert (result.linked, result.unlinked, result.ambiguous) == (2, 0, 0)


def test_namesakes_in_different_classes_link_to_their_own_class(world):
    # given
    in_5a = world.student("5А", "Смирнов", "Пётр")
    in_6b = world.student("6Б", "Смирнов", "Пётр")
    first = world.account("Смирнов", "Пётр", "student", world.students_chat["5А"])
    second = world.account("Смирнов", "Пётр", "student", world.students_chat["6Б"])
    # when
    accounts_link(school=world.school)
    # then
    first, second = _reload(first, second)
    assert (first.student, second.student) == (in_5a, in_6b)


def test_a_student_is_only_found_in_their_own_class_chat(world):
    world.student("5А", "Орлова", "Анна")
    elsewhere = world.account("Орлова", "Анна", "student", world.students_chat["6Б"])
    result = accounts_link(school=world.school)
    assert _reload(elsewhere)[0].person is None
    assert (result.linked, result.unlinked) == (0, 1)


def test_two_people_with_one_name_in_a_class_link_nobody(world):
    world.student("5А", "Волков", "Дмитрий")
    world.student("5А", "Волков", "Дмитрий")
    account = world.account("Волков", "Дмитрий", "student", world.students_chat["5А"])
    result = accounts_link(school=world.school)
    assert _reload(account)[0].person is None
    assert result.ambiguous == 1
    assert result.ambiguous_account_ids == (account.pk,)


def test_two_accounts_for_one_person_link_nobody(world):
    world.student("5А", "Зайцева", "Ксения")
    first = world.account("Зайцева", "Ксения", "student", world.students_chat["5А"])
    second = world.account("Зайцева", "Ксения", None, world.students_chat["5А"])
    result = accounts_link(school=world.school)
    assert [account.person for account in _reload(first, second)] == [None, None]
    assert (result.linked, result.ambiguous) == (0, 2)


def test_manual_links_and_unlinks_are_kept(world):
    # given: an administrator linked one account by hand to someone else, and unlinked another
    right = world.student("5А", "Кузнецов", "Иван")
    other = world.student("6Б", "Петров", "Олег")
    linked_by_hand = world.account("Кузнецов", "Иван", "student", world.students_chat["5А"])
    linked_by_hand.student, linked_by_hand.link_manual = other, True
    linked_by_hand.save()
    unlinked_by_hand = world.account("Петров", "Олег", "student", world.students_chat["6Б"], link_manual=True)
    # when
    result = accounts_link(school=world.school)
    # then
    linked_by_hand, unlinked_by_hand = _reload(linked_by_hand, unlinked_by_hand)
    assert linked_by_hand.student == other
    assert unlinked_by_hand.person is None
    assert right.sferum_accounts.count() == 0
    assert (result.linked, result.unlinked, result.ambiguous) == (1, 1, 0)


def test_an_automatic_account_for_a_manually_linked_person_is_ambiguous(world):
    person = world.student("5А", "Кузнецов", "Иван")
    world.account("Иванов", "Ваня", "student", link_manual=True, student=person)
    automatic = world.account("Кузнецов", "Иван", "student", world.students_chat["5А"])
    result = accounts_link(school=world.school)
    assert _reload(automatic)[0].person is None
    assert result.ambiguous == 1


def test_the_role_must_fit(world):
    world.student("5А", "Орлов", "Игорь")
    world.parent("Орлов", "Игорь", [world.student("5А", "Орлова", "Елена")])
    parent_in_students_chat = world.account("Орлов", "Игорь", "parent", world.students_chat["5А"])
    teacher_in_parents_chat = world.account("Орлов", "Игорь", "teacher", world.parents_chat["6Б"])
    accounts_link(school=world.school)
    assert [a.person for a in _reload(parent_in_students_chat, teacher_in_parents_chat)] == [None, None]


def test_pending_accounts_link_by_the_kind_of_their_chat(world):
    student = world.student("5А", "Белова", "Ева")
    parent = world.parent("Белова", "Ольга", [student])
    teacher = StaffFactory(school=world.school, last_name="Громова", first_name="Вера")
    as_student = world.account("Белова", "Ева", None, world.students_chat["5А"])
    as_parent = world.account("Белова", "Ольга", None, world.parents_chat["5А"])
    as_staff = world.account("Громова", "Вера", None, world.staff_chat)
    accounts_link(school=world.school)
    assert [a.person for a in _reload(as_student, as_parent, as_staff)] == [student, parent, teacher]


def test_parents_link_through_their_childs_class(world):
    child_5a = world.student("5А", "Соколов", "Марк")
    child_6b = world.student("6Б", "Соколова", "Алиса")
    mother = world.parent("Соколова", "Наталья", [child_5a, child_6b])
    in_both = world.account("Соколова", "Наталья", "parent", world.parents_chat["5А"], world.parents_chat["6Б"])
    stranger_parent = world.account("Лебедева", "Наталья", "parent", world.parents_chat["5А"])
    result = accounts_link(school=world.school)
    assert _reload(in_both)[0].parent == mother
    assert _reload(stranger_parent)[0].person is None
    assert (result.linked, result.ambiguous) == (1, 0)


def test_staff_link_from_any_school_chat_while_employed(world):
    teacher = StaffFactory(school=world.school, last_name="Морозова", first_name="Ирина")
    StaffFactory(school=world.school, last_name="Фомин", first_name="Олег", employed_to=date(2026, 10, 1))  # has left
    in_class_chat = world.account("Морозова", "Ирина", "teacher", world.students_chat["6Б"])
    gone = world.account("Фомин", "Олег", "admin", world.staff_chat)
    without_chat = world.account("Морозова", "Ирина", "employee")
    accounts_link(school=world.school)
    assert [a.person for a in _reload(in_class_chat, gone, without_chat)] == [teacher, None, None]


def test_a_link_goes_when_the_student_leaves_the_class(world):
    # given
    student = world.student("5А", "Титов", "Лев")
    account = world.account("Титов", "Лев", "student", world.students_chat["5А"])
    accounts_link(school=world.school)
    assert _reload(account)[0].student == student
    # when: the student left the class
    student.enrollments.update(ends_on=date(2026, 11, 20))
    result = accounts_link(school=world.school)
    # then
    assert _reload(account)[0].person is None
    assert result.changed == 1


def test_another_schools_people_and_chats_do_not_count(world):
    other = World()
    other.student("5А", "Гусев", "Егор")
    account = world.account("Гусев", "Егор", "student", world.students_chat["5А"])
    accounts_link(school=world.school)
    assert _reload(account)[0].person is None


def test_the_number_of_queries_does_not_grow_with_the_school(world):
    def run() -> int:
        with CaptureQueriesContext(connection) as queries:
            accounts_link(school=world.school)
        return len(queries)

    # given: one student and one parent to link
    mark = world.student("5А", "Белов", "Марк")
    world.parent("Белова", "Ирина", [mark])
    world.account("Белов", "Марк", "student", world.students_chat["5А"])
    world.account("Белова", "Ирина", "parent", world.parents_chat["5А"])
    small = run()
    # when the school grows
    for n in range(15):
        student = world.student("6Б", "Ученик", f"Имя{n}")
        world.parent("Родитель", f"Имя{n}", [student])
        world.account("Ученик", f"Имя{n}", "student", world.students_chat["6Б"])
        world.account("Родитель", f"Имя{n}", "parent", world.parents_chat["6Б"])
    # then: thirty new links cost what one did
    assert run() == small


def test_a_chat_the_account_has_left_does_not_count(world):
    world.student("5А", "Егоров", "Глеб")
    account = world.account("Егоров", "Глеб", "student")
    ChatMembershipFactory(chat=world.students_chat["5А"], account=account, left_at=datetime(2026, 11, 1, tzinfo=UTC))
    ChatMembershipFactory(chat=world.students_chat["6Б"], account=account)
    accounts_link(school=world.school)
    assert _reload(account)[0].person is None
