"""Linking Sferum accounts to roster people ("Linking accounts to people" in sferum-api.md)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from functools import partial

import pytest

from activation.services import accounts_link
from activation.tests.linking_world import LinkingWorld
from activation.tests.linking_world import reload
from classes.models import Parent
from classes.tests.factories import StaffFactory
from classes.tests.scenario import queries_count

pytestmark = [pytest.mark.django_db, pytest.mark.clock(datetime(2026, 11, 30, 9, tzinfo=UTC))]


@pytest.fixture
def linking_world():
    return LinkingWorld()


def test_students_link_despite_yo_case_and_latin_look_alikes(linking_world):
    # given
    peter = linking_world.student("5А", "Семёнов", "Пётр")
    anna = linking_world.student("5А", "Иванова", "Анна")
    chat = linking_world.students_chat["5А"]
    plain = linking_world.account("семенов", "Петр", "student", chat)
    latin = linking_world.account("Ивaнова", "Aнна", "student", chat)  # Latin a and A
    # when
    result = accounts_link(school=linking_world.school)
    # then
    plain, latin = reload(plain, latin)
    assert plain.student == peter
    assert latin.student == anna
    assert (result.linked, result.unlinked, result.ambiguous) == (2, 0, 0)


def test_namesakes_in_different_classes_link_to_their_own_class(linking_world):
    # given
    in_5a = linking_world.student("5А", "Смирнов", "Пётр")
    in_6b = linking_world.student("6Б", "Смирнов", "Пётр")
    first = linking_world.account("Смирнов", "Пётр", "student", linking_world.students_chat["5А"])
    second = linking_world.account("Смирнов", "Пётр", "student", linking_world.students_chat["6Б"])
    # when
    accounts_link(school=linking_world.school)
    # then
    first, second = reload(first, second)
    assert (first.student, second.student) == (in_5a, in_6b)


def test_a_student_is_only_found_in_their_own_class_chat(linking_world):
    linking_world.student("5А", "Орлова", "Анна")
    elsewhere = linking_world.account("Орлова", "Анна", "student", linking_world.students_chat["6Б"])
    result = accounts_link(school=linking_world.school)
    assert reload(elsewhere)[0].person is None
    assert (result.linked, result.unlinked) == (0, 1)


def test_two_people_with_one_name_in_a_class_link_nobody(linking_world):
    linking_world.student("5А", "Волков", "Дмитрий")
    linking_world.student("5А", "Волков", "Дмитрий")
    account = linking_world.account("Волков", "Дмитрий", "student", linking_world.students_chat["5А"])
    result = accounts_link(school=linking_world.school)
    assert reload(account)[0].person is None
    assert result.ambiguous == 1
    assert result.ambiguous_account_ids == (account.pk,)


def test_two_accounts_for_one_person_link_nobody(linking_world):
    linking_world.student("5А", "Зайцева", "Ксения")
    first = linking_world.account("Зайцева", "Ксения", "student", linking_world.students_chat["5А"])
    second = linking_world.account("Зайцева", "Ксения", None, linking_world.students_chat["5А"])
    result = accounts_link(school=linking_world.school)
    assert [account.person for account in reload(first, second)] == [None, None]
    assert (result.linked, result.ambiguous) == (0, 2)


def test_manual_links_and_unlinks_are_kept(linking_world):
    # given: an administrator linked one account by hand to someone else, and unlinked another
    right = linking_world.student("5А", "Кузнецов", "Иван")
    other = linking_world.student("6Б", "Петров", "Олег")
    linked_by_hand = linking_world.account("Кузнецов", "Иван", "student", linking_world.students_chat["5А"])
    linked_by_hand.student, linked_by_hand.link_manual = other, True
    linked_by_hand.save()
    unlinked_by_hand = linking_world.account(
        "Петров", "Олег", "student", linking_world.students_chat["6Б"], link_manual=True
    )
    # when
    result = accounts_link(school=linking_world.school)
    # then
    linked_by_hand, unlinked_by_hand = reload(linked_by_hand, unlinked_by_hand)
    assert linked_by_hand.student == other
    assert unlinked_by_hand.person is None
    assert right.sferum_accounts.count() == 0
    assert (result.linked, result.unlinked, result.ambiguous) == (1, 1, 0)


def test_an_automatic_account_for_a_manually_linked_person_is_ambiguous(linking_world):
    person = linking_world.student("5А", "Кузнецов", "Иван")
    linking_world.account("Иванов", "Ваня", "student", link_manual=True, student=person)
    automatic = linking_world.account("Кузнецов", "Иван", "student", linking_world.students_chat["5А"])
    result = accounts_link(school=linking_world.school)
    assert reload(automatic)[0].person is None
    assert result.ambiguous == 1


def test_the_role_must_fit(linking_world):
    linking_world.student("5А", "Орлов", "Игорь")
    linking_world.parent("Орлов", "Игорь", [linking_world.student("5А", "Орлова", "Елена")])
    parent_in_students_chat = linking_world.account("Орлов", "Игорь", "parent", linking_world.students_chat["5А"])
    teacher_in_parents_chat = linking_world.account("Орлов", "Игорь", "teacher", linking_world.parents_chat["6Б"])
    accounts_link(school=linking_world.school)
    assert [a.person for a in reload(parent_in_students_chat, teacher_in_parents_chat)] == [None, None]


def test_pending_accounts_link_by_the_kind_of_their_chat(linking_world):
    student = linking_world.student("5А", "Белова", "Ева")
    parent = linking_world.parent("Белова", "Ольга", [student])
    teacher = StaffFactory(school=linking_world.school, last_name="Громова", first_name="Вера")
    as_student = linking_world.account("Белова", "Ева", None, linking_world.students_chat["5А"])
    as_parent = linking_world.account("Белова", "Ольга", None, linking_world.parents_chat["5А"])
    as_staff = linking_world.account("Громова", "Вера", None, linking_world.staff_chat)
    accounts_link(school=linking_world.school)
    assert [a.person for a in reload(as_student, as_parent, as_staff)] == [student, parent, teacher]


def test_parents_link_through_their_childs_class(linking_world):
    child_5a = linking_world.student("5А", "Соколов", "Марк")
    child_6b = linking_world.student("6Б", "Соколова", "Алиса")
    mother = linking_world.parent("Соколова", "Наталья", [child_5a, child_6b])
    in_both = linking_world.account(
        "Соколова", "Наталья", "parent", linking_world.parents_chat["5А"], linking_world.parents_chat["6Б"]
    )
    stranger_parent = linking_world.account("Лебедева", "Наталья", "parent", linking_world.parents_chat["5А"])
    result = accounts_link(school=linking_world.school)
    assert reload(in_both)[0].parent == mother
    assert reload(stranger_parent)[0].person is None
    assert (result.linked, result.ambiguous) == (1, 0)


def test_parents_link_while_on_the_roster_the_way_the_class_roster_counts_them(linking_world):
    # given: today is 30 November; one parent leaves the roster tomorrow, one left yesterday
    child = linking_world.student("5А", "Соколов", "Марк")
    leaving = linking_world.parent("Соколова", "Наталья", [child])
    Parent.objects.filter(pk=leaving.pk).update(left_on=date(2026, 12, 1))
    gone = linking_world.parent("Соколов", "Павел", [child])
    Parent.objects.filter(pk=gone.pk).update(left_on=date(2026, 11, 29))
    leaving_account = linking_world.account("Соколова", "Наталья", "parent", linking_world.parents_chat["5А"])
    gone_account = linking_world.account("Соколов", "Павел", "parent", linking_world.parents_chat["5А"])
    # when
    accounts_link(school=linking_world.school)
    # then
    assert [a.parent for a in reload(leaving_account, gone_account)] == [leaving, None]


def test_staff_link_from_any_school_chat_while_employed(linking_world):
    teacher = StaffFactory(school=linking_world.school, last_name="Морозова", first_name="Ирина")
    StaffFactory(
        school=linking_world.school, last_name="Фомин", first_name="Олег", employed_to=date(2026, 10, 1)
    )  # has left
    in_class_chat = linking_world.account("Морозова", "Ирина", "teacher", linking_world.students_chat["6Б"])
    gone = linking_world.account("Фомин", "Олег", "admin", linking_world.staff_chat)
    without_chat = linking_world.account("Морозова", "Ирина", "employee")
    accounts_link(school=linking_world.school)
    assert [a.person for a in reload(in_class_chat, gone, without_chat)] == [teacher, None, None]


def test_a_link_goes_when_the_student_leaves_the_class(linking_world):
    # given
    student = linking_world.student("5А", "Титов", "Лев")
    account = linking_world.account("Титов", "Лев", "student", linking_world.students_chat["5А"])
    accounts_link(school=linking_world.school)
    assert reload(account)[0].student == student
    # when: the student left the class
    student.enrollments.update(ends_on=date(2026, 11, 20))
    result = accounts_link(school=linking_world.school)
    # then
    assert reload(account)[0].person is None
    assert result.changed == 1


def test_another_schools_people_and_chats_do_not_count(linking_world):
    other = LinkingWorld()
    other.student("5А", "Гусев", "Егор")
    account = linking_world.account("Гусев", "Егор", "student", linking_world.students_chat["5А"])
    accounts_link(school=linking_world.school)
    assert reload(account)[0].person is None


def test_the_number_of_queries_does_not_grow_with_the_school(linking_world):
    # given: one student and one parent to link
    mark = linking_world.student("5А", "Белов", "Марк")
    linking_world.parent("Белова", "Ирина", [mark])
    linking_world.account("Белов", "Марк", "student", linking_world.students_chat["5А"])
    linking_world.account("Белова", "Ирина", "parent", linking_world.parents_chat["5А"])
    count = partial(queries_count, partial(accounts_link, school=linking_world.school))
    small = count()
    # when the school grows
    for n in range(15):
        student = linking_world.student("6Б", "Ученик", f"Имя{n}")
        linking_world.parent("Родитель", f"Имя{n}", [student])
        linking_world.account("Ученик", f"Имя{n}", "student", linking_world.students_chat["6Б"])
        linking_world.account("Родитель", f"Имя{n}", "parent", linking_world.parents_chat["6Б"])
    # then: thirty new links cost what one did
    assert count() == small


def test_a_chat_the_account_has_left_does_not_count(linking_world):
    linking_world.student("5А", "Егоров", "Глеб")
    account = linking_world.account("Егоров", "Глеб", "student")
    linking_world.membership(
        chat=linking_world.students_chat["5А"], account=account, left_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    linking_world.membership(chat=linking_world.students_chat["6Б"], account=account)
    accounts_link(school=linking_world.school)
    assert reload(account)[0].person is None
