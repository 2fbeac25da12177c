from datetime import date

import pytest

from classes.models import Enrollment
from classes.models import Parent
from classes.models import RosterImport
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from classes.roster.importer import roster_import
from classes.tests.factories import SchoolFactory
from classes.tests.roster_files import csv_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ON = date(2026, 10, 5)
HEADER = [
    "role",
    "person_id",
    "last_name",
    "first_name",
    "birth_date",
    "class",
    "teaches",
    "class_teacher_of",
    "children",
    "email",
]
# One file breaking every rule, each in its own row (a row may break several).
BAD_ROWS = [
    ["staff", "T-001", "Иванова", "Мария", "", "", "да", "5А", "", ""],  # 2: fine
    ["", "X-1", "Орлов", "Дмитрий", "", "", "", "", "", ""],  # 3: no role
    ["директор", "X-2", "Соколова", "Татьяна", "", "", "", "", "", ""],  # 4: unknown role
    ["student", "", "Волков", "Дмитрий", "", "5А", "", "", "", ""],  # 5: no id
    ["student", "S-2", "", "Анна", "", "5А", "", "", "", ""],  # 6: no last name
    ["student", "S-3", "Зайцева", "Ксения", "", "", "", "", "", ""],  # 7: no class
    ["student", "S-4", "Фёдоров", "Артём", "", "12Я", "", "", "", ""],  # 8: bad class
    ["student", "S-5", "Смирнов", "Пётр", "31.02.2015", "5А", "", "", "", ""],  # 9: bad date
    ["student", "S-5", "Смирнов", "Пётр", "12.03.2015", "5Б", "", "", "", ""],  # 10: duplicate id
    ["parent", "P-1", "Смирнова", "Ольга", "", "", "", "", "", ""],  # 11: no children
    ["parent", "P-2", "Орлова", "Елена", "", "", "", "", "S-404", ""],  # 12: child not in the file
    ["parent", "P-3", "Иванов", "Иван", "", "", "", "", "T-001", ""],  # 13: child is not a student
    ["staff", "T-002", "Кузнецов", "Сергей", "", "", "иногда", "", "", ""],  # 14: bad teaches
    ["staff", "T-003", "Петрова-Водкина", "Анна", "", "", "", "5 а", "", ""],  # 15: 5А has a class teacher
    ["staff", "T-004", "Белов", "Игорь", "", "", "", "6Б; 13Б", "", ""],  # 16: bad class to lead
    ["student", "S-6", "Ёлкин", "Семён", "", "5А", "", "", "", "semyon@"],  # 17: bad e-mail
    ["student", "S-7", "Орлова", "Анна", "2015-13-01", "5Ъ", "", "", "", ""],  # 18: bad date and class
    ["student", "S-8", "Орлова", "Анна", "", "5А", "", "", "", ""],  # 19: fine (a namesake)
    ["parent", "P-4", "Зайцева", "Наталья", "", "", "", "", "S-3; S-8", ""],  # 20: S-3 is a (bad) student row
]


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written():
    # given
    school = SchoolFactory()
    # when
    result = roster_import(school=school, content=csv_bytes([HEADER, *BAD_ROWS]), filename="roster.csv", on=ON)
    # then
    assert result.status == "failed"
    assert [(error.row, error.column, error.message) for error in result.errors] == [
        (3, "role", "The role is empty; write staff, student or parent."),
        (4, "role", "«директор» is not a role; write staff, student or parent."),
        (5, "person_id", "The id is empty; give every person the id the school's register uses."),
        (6, "last_name", "The last name is empty; write the person's last name."),
        (7, "class", "The student's class is empty; write their class, like 5А."),
        (8, "class", "«12Я» is not a class name; use a grade 1–11 and a letter, like 5А."),
        (9, "birth_date", "«31.02.2015» is not a date; write it as YYYY-MM-DD or DD.MM.YYYY."),
        (10, "person_id", "Id «S-5» is already used in row 9; give every person their own id."),
        (11, "children", "The parent's children are empty; list their children's ids, separated by «;»."),
        (12, "children", "«S-404» is not a student in this file; add the student or correct the id."),
        (13, "children", "«T-001» is not a student in this file; add the student or correct the id."),
        (14, "teaches", "«иногда» is not yes or no; write yes or no (да or нет)."),
        (15, "class_teacher_of", "Class 5А already has a class teacher in row 2; give each class one class teacher."),
        (16, "class_teacher_of", "«13Б» is not a class name; use a grade 1–11 and a letter, like 5А."),
        (17, "email", "Enter a valid email address."),
        (18, "birth_date", "«2015-13-01» is not a date; write it as YYYY-MM-DD or DD.MM.YYYY."),
        (18, "class", "«5Ъ» is not a class name; use a grade 1–11 and a letter, like 5А."),
    ]
    assert all(error.message.endswith(".") for error in result.errors)
    for model in (Staff, Student, Parent, SchoolClass, Enrollment):
        assert not model.objects.exists()
    log = RosterImport.objects.get(school=school)
    assert (log.status, len(log.errors), log.counts["students"]["added"]) == ("failed", 17, 0)


def test_one_bad_row_in_a_school_with_a_roster_changes_nothing():
    # given
    school = SchoolFactory()
    good = [HEADER, BAD_ROWS[0], BAD_ROWS[-2]]
    roster_import(school=school, content=csv_bytes(good), filename="roster.csv", on=ON)
    bad = [*good, ["student", "S-9", "Волков", "Дмитрий", "", "5А", "", "", "", ""], BAD_ROWS[6]]
    # when
    result = roster_import(school=school, content=csv_bytes(bad), filename="roster.csv", on=date(2026, 11, 2))
    # then
    assert [(error.row, error.column) for error in result.errors] == [(5, "class")]
    assert list(Student.objects.values_list("person_id", flat=True)) == ["S-8"]


def test_errors_name_the_column_as_the_file_does():
    # given: Russian headers, semicolons
    rows = [["Роль", "Идентификатор", "Фамилия", "Имя", "Класс"], ["ученик", "S-1", "Смирнов", "Пётр", "12Я"]]
    # when
    result = roster_import(school=SchoolFactory(), content=csv_bytes(rows, separator=";"), filename="roster.csv", on=ON)
    # then
    assert [error.as_dict() for error in result.errors] == [
        {"row": 2, "column": "Класс", "message": "«12Я» is not a class name; use a grade 1–11 and a letter, like 5А."}
    ]


@pytest.mark.parametrize(
    ("full_name", "message"),
    [
        ("", "The full name is empty; write the last name, first name and patronymic, like «Иванова Мария Петровна»."),
        (
            "Смирнов",
            "«Смирнов» is not a full name; "
            "write the last name, first name and patronymic, like «Иванова Мария Петровна».",
        ),
    ],
)
def test_a_full_name_needs_a_last_and_a_first_name(full_name, message):
    rows = [["role", "person_id", "full_name"], ["staff", "T-1", full_name]]
    result = roster_import(school=SchoolFactory(), content=csv_bytes(rows), filename="roster.csv", on=ON)
    assert [(error.row, error.column, error.message) for error in result.errors] == [(2, "full_name", message)]


def test_a_too_long_value_is_reported_by_its_column():
    rows = [["role", "person_id", "last_name", "first_name", "class"], ["student", "S-1", "Я" * 151, "Анна", "5А"]]
    result = roster_import(school=SchoolFactory(), content=csv_bytes(rows), filename="roster.csv", on=ON)
    assert [(error.row, error.column) for error in result.errors] == [(2, "last_name")]
    assert "at most 150 characters" in result.errors[0].message


@pytest.mark.parametrize(
    ("word", "teaches"),
    [
        ("yes", True),
        ("No", False),
        ("да", True),
        ("НЕТ", False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("false", False),
        ("", True),
    ],
)
def test_teaches_values(word, teaches):
    rows = [["role", "person_id", "last_name", "first_name", "teaches"], ["staff", "T-1", "Иванова", "Мария", word]]
    result = roster_import(school=SchoolFactory(), content=csv_bytes(rows), filename="roster.csv", on=ON)
    assert result.status == "ok", result.errors
    assert Staff.objects.get().teaches is teaches
