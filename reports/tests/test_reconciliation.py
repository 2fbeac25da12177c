"""The comparison of the official roster with Sferum membership: every category of CLI.md, with hard names."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.models import SferumAccount
from chats.tests.scenario import ChatsWorld
from classes.models import Enrollment
from classes.tests.scenario import SECOND_QUARTER_MONDAY as NOW
from reports.reconciliation.comparison import reconciliation_compute

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def by_person(result) -> dict:
    return {item.person_id: item for item in result.items if item.person_id}


def by_account(result) -> dict:
    return {str(item.sferum_user_id): item for item in result.items if not item.person_id}


def test_ё_and_е_latin_look_alikes_and_a_missing_patronymic_are_matched():
    # given
    world = ChatsWorld()
    world.student("5А", "Фёдоров", "Артём", "Павлович")
    world.student("5А", "Соколова", "Анна", "Игоревна")
    world.student("5Б", "Ким", "Виктор")  # no patronymic on the roster
    world.account("Федоров", "Артем", "5А")
    world.account("Cокoлова", "Aнна", "5А")  # Latin С, о and А
    world.account("КИМ", "виктор", "5Б")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary == {"matched": 3, "moved": 0, "missing_in_sferum": 0, "not_on_roster": 0, "ambiguous": 0}
    assert result.items == []


@pytest.mark.parametrize(
    ("students", "accounts"),
    [
        pytest.param(
            [("5А", "Петрова-Водкина", "Мария", "Сергеевна"), ("5Б", "Римская–Корсакова", "Анна")],
            [("Петрова Водкина", "Мария", "5А"), ("Римская-Корсакова", "Анна", "5Б")],
            id="a-double-surname-with-a-hyphen-a-dash-or-a-space",
        ),
        pytest.param(  # two Иванов Иван, in 5А and 5Б, each in their class's chat
            [
                ("5А", "Иванов", "Иван", "Петрович", date(2015, 1, 10)),
                ("5Б", "Иванов", "Иван", "Сергеевич", date(2015, 6, 2)),
            ],
            [("Иванов", "Иван", "5А"), ("Иванов", "Иван", "5Б")],
            id="namesakes-in-different-classes-each-in-their-own-class",
        ),
    ],
)
def test_both_students_are_matched(students, accounts):
    # given
    world = ChatsWorld()
    for student in students:
        world.student(*student)
    for account in accounts:
        world.account(*account)
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary["matched"] == 2
    assert result.items == []


def test_one_part_of_a_double_surname_is_only_proposed():
    # given
    world = ChatsWorld()
    student = world.student("5А", "Петрова-Водкина", "Мария")
    account = world.account("Водкина", "Мария", "5А")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert by_person(result)[student.person_id].category == "missing_in_sferum"
    assert "Петрова-Водкина ≠ Водкина" in by_person(result)[student.person_id].note
    assert by_account(result)[account.platform_user_id].category == "not_on_roster"


def test_a_typo_is_a_probable_match_with_the_difference_shown_and_never_linked():
    # given
    world = ChatsWorld()
    student = world.student("5А", "Смирнов", "Пётр", "Алексеевич")
    account = world.account("Смернов", "Петр", "5А")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    person_item = by_person(result)[student.person_id]
    account_item = by_account(result)[account.platform_user_id]
    assert person_item.category == "missing_in_sferum"
    assert account_item.category == "not_on_roster"
    assert "Смирнов ≠ Смернов" in person_item.note
    assert "Смирнов ≠ Смернов" in account_item.note
    assert person_item.probable and account_item.probable
    assert person_item.sferum_user_id is None  # proposed in the note, not linked
    account.refresh_from_db()
    assert account.student_id is None


def test_a_namesake_missing_from_his_chat_is_not_matched_to_the_other_classes_namesake():
    # given: the 5Б Иванов is matched in 5Б; the 5А one is in no chat
    world = ChatsWorld()
    missing = world.student("5А", "Иванов", "Иван")
    world.student("5Б", "Иванов", "Иван")
    world.account("Иванов", "Иван", "5Б")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary["matched"] == 1
    assert by_person(result)[missing.person_id].category == "missing_in_sferum"


def test_a_student_found_in_another_class_chat_only_has_moved():
    # given
    world = ChatsWorld()
    student = world.student("5А", "Орлова", "Дарья")
    account = world.account("Орлова", "Дарья", "6А")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    item = by_person(result)[student.person_id]
    assert (item.category, item.roster_class, item.sferum_class, item.sferum_user_id) == (
        "moved",
        "5А",
        "6А",
        int(account.platform_user_id),
    )


def test_a_linked_account_in_another_class_chat_has_moved_whatever_its_name():
    # given: the account is linked to the student but shows another spelling
    world = ChatsWorld()
    student = world.student("5Б", "Щукина", "Елизавета")
    world.account("Щукина", "Лиза", "6А", student=student)
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert by_person(result)[student.person_id].category == "moved"


def test_a_linked_account_in_the_own_class_chat_is_matched_whatever_its_name():
    # given
    world = ChatsWorld()
    student = world.student("5Б", "Щукина", "Елизавета")
    world.account("Щукина", "Лиза", "5Б", student=student)
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary["matched"] == 1


def test_a_student_in_no_chat_is_missing_and_the_note_names_an_account_outside_the_chats():
    # given
    world = ChatsWorld()
    without = world.student("5А", "Зайцева", "Ксения")
    outside = world.student("5А", "Белова", "Ольга")
    world.account("Белова", "Ольга", student=outside)  # linked, but in no students chat
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert by_person(result)[without.person_id].category == "missing_in_sferum"
    assert by_person(result)[without.person_id].note == ""
    assert by_person(result)[outside.person_id].category == "missing_in_sferum"
    assert "in no students chat" in by_person(result)[outside.person_id].note


def test_a_student_role_member_matching_nobody_is_not_on_the_roster_a_pending_stranger_is_not_reported():
    # given
    world = ChatsWorld()
    stranger = world.account("Лебедев", "Глеб", "5Б")
    world.account("Корнилова", "Валентина", "5Б", role="")  # a grandmother with a plain account
    world.staff("Иванова", "Мария")
    world.account("Иванова", "Мария", "5Б", role="teacher")  # a teacher of the school in the class chat
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert [(item.category, str(item.sferum_user_id)) for item in result.items] == [
        ("not_on_roster", stranger.platform_user_id)
    ]
    assert by_account(result)[stranger.platform_user_id].sferum_class == "5Б"


def test_a_pending_account_of_a_roster_student_is_matched():
    # given
    world = ChatsWorld()
    world.student("6А", "Новиков", "Егор")
    world.account("Новиков", "Егор", "6А", role="")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary["matched"] == 1


def test_an_account_linked_to_a_student_who_left_is_not_on_the_roster_even_beside_a_namesake():
    # given: one Гусев Максим left 5А; another Гусев Максим is still in 5А and has no account
    world = ChatsWorld()
    left = world.student("5А", "Гусев", "Максим", ends_on=date(2026, 11, 1))
    staying = world.student("5А", "Гусев", "Максим")
    account = world.account("Гусев", "Максим", "5А", student=left)
    # when
    result = reconciliation_compute(school=world.school)
    # then
    item = by_account(result)[account.platform_user_id]
    assert item.category == "not_on_roster"
    assert left.person_id in item.note
    assert by_person(result)[staying.person_id].category == "missing_in_sferum"


def test_twins_with_different_first_names_are_both_matched():
    # given: twins share the surname, patronymic and birth date
    world = ChatsWorld()
    born = date(2015, 4, 1)
    world.student("6А", "Волков", "Дмитрий", "Андреевич", born)
    world.student("6А", "Волков", "Денис", "Андреевич", born)
    world.account("Волков", "Денис", "6А")
    world.account("Волков", "Дмитрий", "6А")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary["matched"] == 2
    assert result.items == []


def test_two_namesakes_in_one_class_are_ambiguous_however_many_accounts_there_are():
    # given: two Кузнецов Илья in 6А, born on different days; accounts carry no birth date
    world = ChatsWorld()
    first = world.student("6А", "Кузнецов", "Илья", birth_date=date(2015, 2, 1))
    second = world.student("6А", "Кузнецов", "Илья", birth_date=date(2015, 11, 20))
    world.account("Кузнецов", "Илья", "6А")
    world.account("Кузнецов", "Илья", "6А")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.summary == {"matched": 0, "moved": 0, "missing_in_sferum": 0, "not_on_roster": 0, "ambiguous": 2}
    assert {by_person(result)[p.person_id].category for p in (first, second)} == {"ambiguous"}
    assert SferumAccount.objects.filter(student__isnull=False).count() == 0


def test_one_account_for_two_namesakes_is_ambiguous_for_both():
    # given
    world = ChatsWorld()
    first = world.student("6А", "Кузнецов", "Илья")
    second = world.student("6А", "Кузнецов", "Илья")
    account = world.account("Кузнецов", "Илья", "6А")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert by_person(result)[first.person_id].category == "ambiguous"
    assert by_person(result)[second.person_id].category == "ambiguous"
    assert account.platform_user_id in by_person(result)[first.person_id].note
    assert result.summary["not_on_roster"] == 0


def test_a_student_registered_twice_is_ambiguous_and_neither_account_is_reported_again():
    # given
    world = ChatsWorld()
    student = world.student("5Б", "Тарасова", "Алёна")
    world.account("Тарасова", "Алена", "5Б")
    world.account("Тарасова", "Алёна", "5Б")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert [item.category for item in result.items] == ["ambiguous"]
    assert "2 Sferum accounts" in by_person(result)[student.person_id].note


def test_staff_categories_use_every_chat_of_the_school_and_leave_the_class_fields_empty():
    # given
    world = ChatsWorld()
    world.staff("Иванова", "Мария", "Петровна")  # matched in the staff chat
    world.staff("Ёлкина", "Алёна")  # matched in a class chat, spelled with е
    missing = world.staff("Сидорова", "Анна")
    namesake_one = world.staff("Петров", "Иван", "Сергеевич")
    world.staff("Петров", "Иван", "Олегович")
    world.staff("Ушедший", "Пётр", employed_to=date(2026, 10, 31))
    world.account("Иванова", "Мария", "staff", role="teacher")
    world.account("Елкина", "Алена", "5А", role="employee")
    world.account("Петров", "Иван", "staff", role="teacher")
    outsider = world.account("Новенькая", "Ирина", "staff", role="teacher")
    world.account("Ушедший", "Пётр", "staff", role="admin")
    # when
    result = reconciliation_compute(school=world.school)
    # then
    assert result.roles["staff"] == {
        "matched": 2,
        "moved": 0,
        "missing_in_sferum": 1,
        "not_on_roster": 2,
        "ambiguous": 2,
    }
    items = {(item.category, item.person_id or str(item.sferum_user_id)) for item in result.items}
    assert ("missing_in_sferum", missing.person_id) in items
    assert ("ambiguous", namesake_one.person_id) in items
    assert ("not_on_roster", outsider.platform_user_id) in items
    assert all(item.roster_class == item.sferum_class == "" for item in result.items)


def test_a_roster_file_is_compared_without_being_imported_and_birth_dates_break_ties():
    # given: the database knows the twins by old ids; the e-journal's file gives them new ones
    world = ChatsWorld()
    old_first = world.student("6А", "Кузнецов", "Илья", birth_date=date(2015, 2, 1), person_id="OLD-1")
    old_second = world.student("6А", "Кузнецов", "Илья", birth_date=date(2015, 11, 20), person_id="OLD-2")
    world.account("Кузнецов", "Илья", "6А", student=old_first)
    world.account("Кузнецов", "Илья", "6А", student=old_second)
    content = (
        "role;person_id;last_name;first_name;birth_date;class\n"
        "student;NEW-1;Кузнецов;Илья;01.02.2015;6А\n"
        "student;NEW-2;Кузнецов;Илья;20.11.2015;6 «А»\n"
        "student;NEW-3;Зайцева;Ксения;;5А\n"
    ).encode()
    # when
    result = reconciliation_compute(school=world.school, roster_file=(content, "roster.csv"))
    # then
    assert result.source == "file"
    assert result.summary == {"matched": 2, "moved": 0, "missing_in_sferum": 1, "not_on_roster": 0, "ambiguous": 0}
    assert [item.person_id for item in result.items] == ["NEW-3"]
    assert Enrollment.objects.filter(student__person_id__startswith="NEW").count() == 0


def test_the_json_of_roster_reconcile_is_exactly_the_contract(capsys):
    # given
    world = ChatsWorld(code="REC-1")
    student = world.student("5А", "Орлова", "Дарья", "Сергеевна")
    account = world.account("Орлова", "Дарья", "6А")
    world.student("5А", "Фёдоров", "Артём")
    world.account("Федоров", "Артем", "5А")
    # when
    call_command("roster_reconcile", "--school", "REC-1", "--json")
    # then
    out = capsys.readouterr().out
    data = json.loads(out)
    assert out.count("\n") <= 1
    assert list(data) == ["school", "quarter", "source", "summary", "items"]
    assert data["school"] == "REC-1"
    assert data["quarter"] == "2026/2027-Q2"
    assert data["source"] == "roster"
    assert data["summary"] == {"matched": 1, "moved": 1, "missing_in_sferum": 0, "not_on_roster": 0, "ambiguous": 0}
    assert data["items"] == [
        {
            "category": "moved",
            "role": "student",
            "person_id": student.person_id,
            "name": "Орлова Дарья Сергеевна",
            "roster_class": "5А",
            "sferum_class": "6А",
            "sferum_user_id": int(account.platform_user_id),
            "note": "",
        }
    ]


def test_roster_reconcile_with_a_file_says_so_and_prints_a_summary_without_json(tmp_path, capsys):
    # given
    world = ChatsWorld(code="REC-2")
    world.account("Смернов", "Петр", "5А")
    path = tmp_path / "roster.csv"
    path.write_text("role;person_id;ФИО;class\nstudent;S-1;Смирнов Пётр Алексеевич;5А\n", encoding="utf-8")
    # when
    call_command("roster_reconcile", "--school", "REC-2", "--roster", str(path))
    # then
    out = capsys.readouterr().out
    assert "source: file" in out
    assert "Смирнов ≠ Смернов" in out
    assert world.school.students.count() == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--school", "NOPE"], "There is no school with the code «NOPE»"),
        (["--school", "REC-3", "--roster", "/nonexistent/roster.csv"], "cannot be read"),
    ],
)
def test_roster_reconcile_fails_with_exit_1_and_one_clear_line(arguments, message):
    # given
    ChatsWorld(code="REC-3")
    # when
    with pytest.raises(CommandError) as raised:
        call_command("roster_reconcile", *arguments)
    # then
    assert raised.value.returncode == 1
    assert message in str(raised.value)


def test_roster_reconcile_refuses_a_file_that_breaks_the_roster_rules(tmp_path):
    # given
    ChatsWorld(code="REC-4")
    path = tmp_path / "roster.csv"
    path.write_text("role;person_id;last_name;first_name;class\nstudent;S-1;Смирнов;Пётр;12Я\n", encoding="utf-8")
    # when
    with pytest.raises(CommandError) as raised:
        call_command("roster_reconcile", "--school", "REC-4", "--roster", str(path), "--json")
    # then
    assert raised.value.returncode == 1
    assert "1 errors" in str(raised.value) and "12Я" in str(raised.value)


def _school_of(size: int) -> ChatsWorld:
    world = ChatsWorld()
    for index in range(size):
        class_name = ("5А", "5Б", "6А")[index % 3]
        student = world.student(class_name, f"Фамилия{index}", "Имя")
        world.account(f"Фамилия{index}", "Имя", class_name, student=student if index % 2 else None)
        world.account(f"Чужой{index}", "Гость", class_name)
        world.staff(f"Учитель{index}", "Имя")
        world.account(f"Учитель{index}", "Имя", "staff", role="teacher")
    return world


def test_the_comparison_takes_the_same_few_queries_for_a_small_and_a_bigger_school():
    # given
    small, big = _school_of(2), _school_of(30)
    # when
    with CaptureQueriesContext(connection) as small_queries:
        small_result = reconciliation_compute(school=small.school)
    with CaptureQueriesContext(connection) as big_queries:
        big_result = reconciliation_compute(school=big.school)
    # then
    assert len(small_queries) == len(big_queries) <= 6
    assert big_result.summary["matched"] == 60
    assert big_result.summary["not_on_roster"] == 30
    assert small_result.summary["matched"] == 4
