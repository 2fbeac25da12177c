"""Roles on MAX, which sends none: the chat an account is linked through decides (activation.roles)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from functools import partial

import pytest
from django.contrib.admin import site

from activation.admin import SferumAccountAdmin
from activation.models import Backend
from activation.models import SferumAccount
from activation.roles import accounts_roles_derive
from activation.services import accounts_link
from activation.tests.linking_world import LinkingWorld
from activation.tests.linking_world import reload
from classes.tests.factories import StaffFactory
from classes.tests.scenario import queries_count

pytestmark = [pytest.mark.django_db, pytest.mark.clock(datetime(2026, 11, 30, 9, tzinfo=UTC))]

ACTIVE, PENDING, BLOCKED = SferumAccount.Status.ACTIVE, SferumAccount.Status.PENDING, SferumAccount.Status.BLOCKED


class MaxWorld(LinkingWorld):
    def max_account(self, last_name, first_name, *chats, **fields):
        """Return a MAX account as the sync creates it: no role, pending, a member of the chats."""
        return self.account(last_name, first_name, None, *chats, backend=Backend.MAX, **fields)


@pytest.fixture
def max_world():
    return MaxWorld()


def _roles(*accounts):
    return [(a.role_code, a.status) for a in reload(*accounts)]


def test_a_linked_student_in_the_class_students_chat_is_an_active_student(max_world):
    # given
    student = max_world.student("5А", "Белова", "Ева")
    account = max_world.max_account("Белова", "Ева", max_world.students_chat["5А"])
    # when
    accounts_link(school=max_world.school)
    # then
    assert reload(account)[0].student == student
    assert _roles(account) == [("student", ACTIVE)]


def test_a_linked_student_found_only_in_a_parents_chat_is_not_an_active_student(max_world):
    # given: linked by an administrator, but only a member of the parents chat
    student = max_world.student("5А", "Белова", "Ева")
    manual = max_world.max_account("Белова", "Ева", max_world.parents_chat["5А"], link_manual=True, student=student)
    automatic = max_world.max_account("Белова", "Ева", max_world.parents_chat["6Б"])
    # when
    accounts_link(school=max_world.school)
    # then: the manual link is kept, but no chat confirms the role; the other account links to nobody
    assert reload(manual)[0].student == student
    assert reload(automatic)[0].person is None
    assert _roles(manual, automatic) == [("", PENDING), ("", PENDING)]


def test_a_linked_student_in_another_class_students_chat_is_not_an_active_student(max_world):
    student = max_world.student("5А", "Белова", "Ева")
    manual = max_world.max_account("Белова", "Ева", max_world.students_chat["6Б"], link_manual=True, student=student)
    accounts_link(school=max_world.school)
    assert _roles(manual) == [("", PENDING)]


def test_a_linked_parent_in_the_parents_chat_is_an_active_parent(max_world):
    # given: a mother of children in both classes, in the 6Б parents chat only
    mother = max_world.parent(
        "Соколова",
        "Наталья",
        [max_world.student("5А", "Соколов", "Марк"), max_world.student("6Б", "Соколова", "Алиса")],
    )
    account = max_world.max_account("Соколова", "Наталья", max_world.parents_chat["6Б"])
    in_students_chat = max_world.max_account("Соколова", "Наталья", max_world.students_chat["5А"])
    # when
    accounts_link(school=max_world.school)
    # then
    assert reload(account)[0].parent == mother
    assert reload(in_students_chat)[0].person is None
    assert _roles(account, in_students_chat) == [("parent", ACTIVE), ("", PENDING)]


def test_linked_staff_in_any_school_chat_is_active_staff(max_world):
    # given: a teacher in a students chat, an employee who does not teach in a parents chat, one in the staff chat
    teacher = StaffFactory(school=max_world.school, last_name="Морозова", first_name="Ирина")
    employee = StaffFactory(school=max_world.school, last_name="Фомин", first_name="Олег", teaches=False)
    head = StaffFactory(school=max_world.school, last_name="Лебедева", first_name="Анна")
    in_class_chat = max_world.max_account("Морозова", "Ирина", max_world.students_chat["6Б"])
    in_parents_chat = max_world.max_account("Фомин", "Олег", max_world.parents_chat["5А"])
    in_staff_chat = max_world.max_account("Лебедева", "Анна", max_world.staff_chat)
    # when
    accounts_link(school=max_world.school)
    # then
    assert [a.person for a in reload(in_class_chat, in_parents_chat, in_staff_chat)] == [teacher, employee, head]
    assert _roles(in_class_chat, in_parents_chat, in_staff_chat) == [
        ("teacher", ACTIVE),
        ("employee", ACTIVE),
        ("teacher", ACTIVE),
    ]


def test_an_unlinked_member_is_pending(max_world):
    max_world.student("5А", "Белова", "Ева")
    stranger = max_world.max_account("Незнакомец", "Пётр", max_world.students_chat["5А"], max_world.staff_chat)
    nameless = max_world.max_account("", "", max_world.students_chat["5А"])
    accounts_link(school=max_world.school)
    assert _roles(stranger, nameless) == [("", PENDING), ("", PENDING)]


def test_ambiguity_links_nobody(max_world):
    # given: two students of one name in 5А; a teacher whose namesake is a student of 6Б
    max_world.student("5А", "Орлов", "Игорь")
    max_world.student("5А", "Орлов", "Игорь")
    StaffFactory(school=max_world.school, last_name="Титова", first_name="Вера")
    max_world.student("6Б", "Титова", "Вера")
    twins = max_world.max_account("Орлов", "Игорь", max_world.students_chat["5А"])
    teacher_or_student = max_world.max_account("Титова", "Вера", max_world.students_chat["6Б"])
    # when
    result = accounts_link(school=max_world.school)
    # then
    assert [a.person for a in reload(twins, teacher_or_student)] == [None, None]
    assert _roles(twins, teacher_or_student) == [("", PENDING), ("", PENDING)]
    assert result.ambiguous == 2


def test_a_manual_link_counts_with_the_role_of_the_person_linked_and_is_kept(max_world):
    # given: an account named otherwise, linked by hand to a staff member, in a parents chat
    teacher = StaffFactory(school=max_world.school, last_name="Громова", first_name="Вера")
    account = max_world.max_account("Vera", "G.", max_world.parents_chat["5А"], link_manual=True, staff=teacher)
    # when: two linking runs (two syncs)
    accounts_link(school=max_world.school)
    accounts_link(school=max_world.school)
    # then
    assert reload(account)[0].staff == teacher
    assert _roles(account) == [("teacher", ACTIVE)]


def test_a_staff_member_linked_by_hand_but_in_no_school_chat_is_pending(max_world):
    # given: an account linked by hand to a teacher, a member of none of the school's chats
    teacher = StaffFactory(school=max_world.school, last_name="Громова", first_name="Вера")
    account = max_world.max_account("Vera", "G.", link_manual=True, staff=teacher)
    # when
    accounts_link(school=max_world.school)
    # then: the link stays, but no chat confirms the role (activation.roles)
    assert reload(account)[0].staff == teacher
    assert _roles(account) == [("", PENDING)]


def test_a_derived_role_goes_when_the_student_leaves_the_class(max_world):
    # given
    student = max_world.student("5А", "Титов", "Лев")
    account = max_world.max_account("Титов", "Лев", max_world.students_chat["5А"])
    accounts_link(school=max_world.school)
    assert _roles(account) == [("student", ACTIVE)]
    # when
    student.enrollments.update(ends_on=date(2026, 11, 20))
    accounts_link(school=max_world.school)
    # then
    assert reload(account)[0].person is None
    assert _roles(account) == [("", PENDING)]


def test_a_derived_role_does_not_steer_the_next_linking(max_world):
    # given: linked as staff, then the teacher leaves and a student of that name joins 5А
    teacher = StaffFactory(school=max_world.school, last_name="Егоров", first_name="Глеб")
    account = max_world.max_account("Егоров", "Глеб", max_world.students_chat["5А"])
    accounts_link(school=max_world.school)
    assert _roles(account) == [("teacher", ACTIVE)]
    teacher.employed_to = date(2026, 11, 1)
    teacher.save()
    student = max_world.student("5А", "Егоров", "Глеб")
    # when
    accounts_link(school=max_world.school)
    # then
    assert reload(account)[0].student == student
    assert _roles(account) == [("student", ACTIVE)]


def test_a_blocked_account_stays_blocked_with_its_role(max_world):
    max_world.student("5А", "Белова", "Ева")
    account = max_world.max_account("Белова", "Ева", max_world.students_chat["5А"])
    SferumAccount.objects.filter(pk=account.pk).update(status=BLOCKED)
    accounts_link(school=max_world.school)
    assert _roles(account) == [("student", BLOCKED)]


def test_vk_accounts_keep_the_platform_role(max_world):
    # given: a VK-style account without a role, linked in the students chat
    max_world.student("5А", "Белова", "Ева")
    plain = max_world.account("Белова", "Ева", None, max_world.students_chat["5А"], backend=Backend.VK)
    # when
    accounts_link(school=max_world.school)
    # then: linked, but still pending: the platform did not confirm the role
    assert reload(plain)[0].student is not None
    assert _roles(plain) == [("", PENDING)]


def test_the_number_of_queries_does_not_grow_with_the_school(max_world):
    # given
    mark = max_world.student("5А", "Белов", "Марк")
    max_world.parent("Белова", "Ирина", [mark])
    max_world.max_account("Белов", "Марк", max_world.students_chat["5А"])
    max_world.max_account("Белова", "Ирина", max_world.parents_chat["5А"])
    accounts_link(school=max_world.school)
    count = partial(queries_count, partial(accounts_roles_derive, school=max_world.school))
    small = count()
    # when the school grows
    for n in range(10):
        student = max_world.student("6Б", "Ученик", f"Имя{n}")
        max_world.parent("Родитель", f"Имя{n}", [student])
        max_world.max_account("Ученик", f"Имя{n}", max_world.students_chat["6Б"])
        account = max_world.max_account("Родитель", f"Имя{n}", max_world.parents_chat["6Б"])
        max_world.membership(chat=max_world.staff_chat, account=account)
    # then
    assert count() == small


def test_a_school_that_moved_from_vk_to_max_links_both_accounts_of_a_person(max_world):
    # given: the student's old VK account and new MAX account, each in the class's students chat
    student = max_world.student("5А", "Белова", "Ева")
    on_vk = max_world.account("Белова", "Ева", "student", max_world.students_chat["5А"], backend=Backend.VK)
    on_max = max_world.max_account("Белова", "Ева", max_world.students_chat["5А"])
    twin_on_max = max_world.max_account("Белова", "Ева", max_world.students_chat["5А"])
    # when
    result = accounts_link(school=max_world.school)
    # then: one account per platform links; two on one platform are ambiguous
    assert [a.person for a in reload(on_vk, on_max, twin_on_max)] == [student, None, None]
    assert result.ambiguous == 2


def test_an_administrator_s_link_in_the_admin_sets_the_role_at_once(max_world, rf, admin_user):
    # given: a MAX account in the 5А students chat whose name does not match
    student = max_world.student("5А", "Белова", "Ева")
    account = max_world.max_account("Eva", "B", max_world.students_chat["5А"])
    accounts_link(school=max_world.school)
    assert _roles(account) == [("", PENDING)]
    # when: an administrator links it by hand in the admin
    account.student, account.link_manual = student, True
    model_admin = SferumAccountAdmin(SferumAccount, site)
    request = rf.post("/")
    request.user = admin_user
    model_admin.save_model(request, account, form=None, change=True)
    # then
    assert _roles(account) == [("student", ACTIVE)]
