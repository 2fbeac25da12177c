import hashlib
from datetime import date
from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Holiday
from classes.models import Municipality
from classes.models import Parent
from classes.models import Quarter
from classes.models import RosterImport
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from classes.roster.importer import roster_import
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from classes.tests.roster_files import HEADER
from classes.tests.roster_files import LATER
from classes.tests.roster_files import ON
from classes.tests.roster_files import PEOPLE
from classes.tests.roster_files import YEAR_START
from classes.tests.roster_files import arrive_on
from classes.tests.roster_files import csv_bytes
from classes.tests.roster_files import edited
from classes.tests.roster_files import rows_of
from classes.tests.roster_files import run
from classes.tests.roster_files import without
from classes.tests.roster_files import xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FILES = Path(__file__).parent / "files"


def roster_dump() -> dict[str, list[dict]]:
    """Return every row of the roster tables (the import log aside)."""
    models = [
        Municipality,
        School,
        AcademicYear,
        Quarter,
        Holiday,
        SchoolClass,
        Staff,
        Student,
        Enrollment,
        Parent,
        Parent.children.through,
    ]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def class_of(student_person_id: str) -> str | None:
    enrollment = Enrollment.objects.filter(student__person_id=student_person_id, ends_on__isnull=True).first()
    return enrollment.school_class.name if enrollment else None


def test_a_cp1251_file_with_semicolons_and_russian_headers_imports_everyone():
    # given
    school = SchoolFactory()
    content = (FILES / "roster_cp1251_semicolon.csv").read_bytes()
    # when
    result = roster_import(school=school, content=content, filename="roster_cp1251_semicolon.csv", on=ON)
    # then
    assert result.status == "ok", result.errors
    assert result.counts == {
        "classes": {"added": 3, "updated": 0},
        "staff": {"added": 4, "updated": 0, "left": 0},
        "students": {"added": 6, "updated": 0, "left": 0, "moved": 0},
        "parents": {"added": 7, "updated": 0, "left": 0},
    }
    classes = {c.name: c for c in SchoolClass.objects.filter(school=school).select_related("class_teacher", "year")}
    assert sorted(classes) == ["5А", "5Б", "6А"]
    assert {c.year.name for c in classes.values()} == {"2026/2027"}
    assert {name: c.class_teacher.person_id for name, c in classes.items()} == {
        "5А": "T-001",
        "5Б": "T-002",
        "6А": "T-003",
    }
    secretary = Staff.objects.get(school=school, person_id="T-004")
    assert (secretary.full_name, secretary.position, secretary.teaches) == (
        "Ёлкина Алёна Викторовна",
        "секретарь",
        False,
    )
    assert Staff.objects.get(person_id="T-003").teaches is True  # empty means yes
    assert Staff.objects.get(person_id="T-002").position == "учитель математики; информатики"
    assert Staff.objects.get(person_id="T-001").email == "ivanova.mp@school17.ru"
    assert set(Staff.objects.values_list("employed_from", flat=True)) == {YEAR_START}
    namesakes = Student.objects.filter(school=school, last_name="Смирнов", first_name="Пётр").order_by("person_id")
    assert [(s.person_id, s.birth_date, class_of(s.person_id)) for s in namesakes] == [
        ("S-1001", date(2015, 3, 12), "5А"),
        ("S-1002", date(2015, 11, 4), "5Б"),
    ]
    assert class_of("S-1004") == "5Б"  # «5Б класс»
    assert class_of("S-1005") == "6А"  # «6 «А»»
    assert set(Enrollment.objects.values_list("starts_on", flat=True)) == {YEAR_START}
    assert sorted(Parent.objects.get(person_id="P-2001").children.values_list("person_id", flat=True)) == ["S-1001"]
    assert Parent.objects.get(person_id="P-2006").full_name == "Зайцева Наталья Юрьевна"  # законный представитель


def test_a_utf8_file_with_a_bom_commas_and_english_headers_imports_everyone():
    # given
    school = SchoolFactory()
    content = (FILES / "roster_utf8_bom_comma.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    # when
    result = roster_import(school=school, content=content, filename="roster_utf8_bom_comma.csv", on=ON)
    # then
    assert result.status == "ok", result.errors
    assert (result.classes["added"], result.staff["added"], result.students["added"], result.parents["added"]) == (
        2,
        2,
        3,
        2,
    )
    assert class_of("S-501") == "1А"  # «1A» with a Latin A
    assert class_of("S-502") == "1А"
    teacher = Staff.objects.get(person_id="T-101")
    assert teacher.position == "учитель начальных классов, завуч"
    assert teacher.birth_date == date(1980, 5, 14)
    assert teacher.led_classes.get().name == "1А"
    music = Staff.objects.get(person_id="T-102")
    assert (music.patronymic, music.teaches) == ("", False)
    father = Parent.objects.get(person_id="P-602")
    assert father.last_name == "Петров-Водкин"
    assert sorted(father.children.values_list("person_id", flat=True)) == ["S-502", "S-503"]


def test_an_xlsx_file_with_date_cells_and_number_ids_imports_its_first_sheet():
    # given
    school = SchoolFactory()
    rows = [
        ["Роль", "Идентификатор", "Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Дети"],
        ["ученик", 1001, "Ёлкин", "Семён", "Артёмович", datetime(2015, 3, 12), "5 а", None],
        ["ученик", 1002, "Петрова-Водкина", "Алиса", None, "04.11.2015", "5а", None],
        [None, None, None, None, None, None, None, None],
        ["родитель", 2001, "Ёлкина", "Дарья", "Семёновна", None, None, "1001; 1002"],
    ]
    # when
    result = run(school, xlsx_bytes(rows), filename="Контингент.xlsx")
    # then
    assert result.status == "ok", result.errors
    students = Student.objects.order_by("person_id")
    assert [(s.person_id, s.full_name, s.birth_date) for s in students] == [
        ("1001", "Ёлкин Семён Артёмович", date(2015, 3, 12)),
        ("1002", "Петрова-Водкина Алиса", date(2015, 11, 4)),
    ]
    assert class_of("1002") == "5А"
    assert sorted(Parent.objects.get().children.values_list("person_id", flat=True)) == ["1001", "1002"]


def test_xlsx_errors_carry_the_spreadsheet_row_numbers():
    rows = [["role", "person_id", "last_name", "first_name", "class"], ["student", 1, "Орлова", "Анна", "5А"]]
    rows += [[None] * 5, ["student", 2, "Волков", "Дмитрий", "12Я"]]
    result = run(SchoolFactory(), xlsx_bytes(rows), filename="roster.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(4, "class")]


@pytest.mark.parametrize(
    "header",
    [
        [
            "Роль",
            "Идентификатор",
            "Фамилия",
            "Имя",
            "Отчество",
            "Класс",
            "Ведет уроки",
            "Классный руководитель",
            "Дети",
            "E-mail",
        ],
        [
            "РОЛЬ",
            "идентификатор",
            " фамилия ",
            "ИМЯ",
            "отчество",
            "класс",
            "ведёт уроки",
            "классный руководитель",
            "дети",
            "Email",
        ],
        [
            "Role",
            "Person_ID",
            "Last name",
            "First Name",
            "Patronymic",
            "Class",
            "Teaches",
            "Class teacher of",
            "Children",
            "Эл. почта",
        ],
    ],
)
def test_headers_match_in_any_case_with_e_or_yo_in_english_or_russian(header):
    # given
    rows = [
        header,
        ["staff", "T-1", "Иванова", "Мария", "Петровна", "", "нет", "5А", "", "ivanova@school.ru"],
        ["student", "S-1", "Смирнов", "Пётр", "Алексеевич", "5А", "", "", "", ""],
        ["parent", "P-1", "Смирнова", "Ольга", "Игоревна", "", "", "", "S-1", ""],
    ]
    # when
    result = run(SchoolFactory(), csv_bytes(rows, separator=";"))
    # then
    assert result.status == "ok", result.errors
    teacher = Staff.objects.get()
    assert (teacher.email, teacher.teaches, teacher.led_classes.get().name) == ("ivanova@school.ru", True, "5А")


def test_a_mapping_reads_other_headers_and_full_names_are_split():
    # given
    rows = [
        ["Категория", "Код", "Ф.И.О.", "Группа", "Дети", "Примечание"],
        ["сотрудник", "T-1", "Петрова-Водкина Анна Сергеевна", "", "", "совместитель"],
        ["ученик", "S-1", "Алиев Рашид Тофик оглы", "7Б", "", ""],
        ["ученик", "S-2", "Белов  Игорь", "7 б", "", ""],
        ["родитель", "P-1", "Алиева Лейла Гасан кызы", "", "S-1", ""],
    ]
    mapping = {"Категория": "role", "Код": "person_id", "Ф.И.О.": "full_name", "Группа": "Класс"}
    # when
    result = run(SchoolFactory(), csv_bytes(rows, separator=";", encoding="cp1251"), mapping=mapping)
    # then
    assert result.status == "ok", result.errors
    names = {
        p.person_id: (p.last_name, p.first_name, p.patronymic) for p in [*Staff.objects.all(), *Student.objects.all()]
    }
    assert names == {
        "T-1": ("Петрова-Водкина", "Анна", "Сергеевна"),
        "S-1": ("Алиев", "Рашид", "Тофик оглы"),
        "S-2": ("Белов", "Игорь", ""),
    }
    assert Parent.objects.get().patronymic == "Гасан кызы"


def test_a_header_that_is_not_known_needs_a_mapping():
    # given
    rows = [["Роль", "Идентификатор", "Ф.И.О.", "Класс"], ["ученик", "S-1", "Смирнов Пётр Алексеевич", "5А"]]
    # when
    result = run(SchoolFactory(), csv_bytes(rows, separator=";"))
    # then
    assert result.status == "failed"
    assert [(e.row, e.column) for e in result.errors] == [(1, "Фамилия"), (1, "Имя")]
    assert result.errors[0].message == (
        "Column «Фамилия» (last_name) is missing in row 1; add it, map one of your columns to last_name, "
        "or give full names in a column «ФИО» (full_name)."
    )
    assert not Student.objects.exists()


def test_a_missing_required_column_is_named_with_how_to_map_it():
    rows = [["Роль", "Фамилия", "Имя", "Класс"], ["ученик", "Смирнов", "Пётр", "5А"]]
    result = run(SchoolFactory(), csv_bytes(rows, separator=";"))
    assert [e.as_dict() for e in result.errors] == [
        {
            "row": 1,
            "column": "Идентификатор",
            "message": "Column «Идентификатор» (person_id) is missing in row 1; add it or map one of your columns "
            'to person_id (on the command line: --map "Header=person_id").',
        }
    ]


def test_the_class_column_is_required_when_the_file_has_students():
    # given: staff alone need no class column, students do
    staff_only = [["role", "person_id", "last_name", "first_name"], ["staff", "T-1", "Иванова", "Мария"]]
    with_student = [*staff_only, ["student", "S-1", "Смирнов", "Пётр"]]
    # when
    staff_result = run(SchoolFactory(), csv_bytes(staff_only))
    student_result = run(SchoolFactory(), csv_bytes(with_student))
    # then
    assert staff_result.status == "ok"
    assert [(e.row, e.column) for e in student_result.errors] == [(1, "Класс")]
    assert "(class)" in student_result.errors[0].message


def test_a_mapping_to_an_unknown_column_and_two_headers_for_one_column_are_errors():
    rows = [["role", "person_id", "Фамилия", "last_name", "first_name", "Группа"], ["staff", "T-1", "А", "Б", "В", ""]]
    result = run(SchoolFactory(), csv_bytes(rows), mapping={"Группа": "group"})
    assert [(e.row, e.column) for e in result.errors] == [(1, "Группа"), (1, "last_name")]
    assert result.errors[0].message.startswith(
        "«group» is not a roster column; map «Группа» to one of: role, person_id"
    )
    assert result.errors[1].message == "Columns «Фамилия» and «last_name» both hold last_name; remove one of them."


@pytest.mark.parametrize(
    ("word", "model"),
    [
        ("staff", Staff),
        ("Сотрудник", Staff),
        ("учитель", Staff),
        ("ПЕДАГОГ", Staff),
        ("student", Student),
        ("ученик", Student),
        ("обучающийся", Student),
        ("Учащийся", Student),
        ("parent", Parent),
        ("родитель", Parent),
        ("законный представитель", Parent),
        ("Законный  представитель", Parent),
        ("мать", Parent),
        ("отец", Parent),
    ],
)
def test_role_synonyms(word, model):
    # given
    people = [
        {"role": word, "person_id": "X-1", "name": "Орлова Анна Дмитриевна", "class": "5А", "children": "S-1"},
        {"role": "student", "person_id": "S-1", "name": "Орлов Иван Дмитриевич", "class": "5А"},
    ]
    # when
    result = run(SchoolFactory(), people)
    # then
    assert result.status == "ok", result.errors
    assert model.objects.filter(person_id="X-1").exists()


def test_reimporting_the_same_file_changes_nothing():
    # given
    school = SchoolFactory()
    content = (FILES / "roster_cp1251_semicolon.csv").read_bytes()
    assert run(school, content).status == "ok"
    before = roster_dump()
    # when: the same file, the same day and a month later
    same_day = run(school, content)
    later = run(school, content, on=LATER)
    # then
    zeros = {
        "classes": {"added": 0, "updated": 0},
        "staff": {"added": 0, "updated": 0, "left": 0},
        "students": {"added": 0, "updated": 0, "left": 0, "moved": 0},
        "parents": {"added": 0, "updated": 0, "left": 0},
    }
    assert (same_day.status, same_day.counts) == ("ok", zeros)
    assert (later.status, later.counts) == ("ok", zeros)
    assert roster_dump() == before
    assert RosterImport.objects.filter(school=school).count() == 3


# The counts of an import that updates one staff member, one student and one parent and changes nothing else.
ONE_UPDATED_OF_EACH = {
    "classes": {"added": 0, "updated": 0},
    "staff": {"added": 0, "updated": 1, "left": 0},
    "students": {"added": 0, "updated": 1, "left": 0, "moved": 0},
    "parents": {"added": 0, "updated": 1, "left": 0},
}


def test_updated_counts_only_the_people_whose_fields_changed():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    people = edited(PEOPLE, "T-003", phone="+7 912 000-00-03")
    people = edited(people, "S-1003", name="Орлова-Петрова Анна Дмитриевна")
    people = edited(people, "P-2007", children="S-1006;S-1005")
    # when
    result = run(school, people, on=LATER)
    # then
    assert result.counts == ONE_UPDATED_OF_EACH
    assert Staff.objects.get(person_id="T-003").phone == "+7 912 000-00-03"
    assert Student.objects.get(person_id="S-1003").last_name == "Орлова-Петрова"
    mother = Parent.objects.get(person_id="P-2007")
    assert sorted(mother.children.values_list("person_id", flat=True)) == ["S-1005", "S-1006"]


def test_a_column_missing_from_the_file_leaves_its_field_alone():
    # given: the first file has phones, the second has no phone column
    school = SchoolFactory()
    run(school, edited(PEOPLE, "T-001", phone="+7 912 345-67-01"))
    header = [column for column in HEADER if column != "phone"]
    # when
    result = run(school, csv_bytes(rows_of(PEOPLE, header)), on=LATER)
    # then
    assert result.staff["updated"] == 0
    assert Staff.objects.get(person_id="T-001").phone == "+7 912 345-67-01"


def test_a_move_keeps_the_history():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    # when: Орлова moves from 5А to 5Б
    result = run(school, edited(PEOPLE, "S-1003", **{"class": "5 Б"}), on=LATER)
    # then
    assert result.students == {"added": 0, "updated": 0, "left": 0, "moved": 1}
    history = Enrollment.objects.filter(student__person_id="S-1003").order_by("starts_on")
    assert [(e.school_class.name, e.starts_on, e.ends_on) for e in history] == [
        ("5А", YEAR_START, date(2026, 11, 15)),
        ("5Б", LATER, None),
    ]


def test_a_move_on_the_day_of_enrollment_changes_the_class():
    school = SchoolFactory()
    arrive_on(school)
    result = run(school, edited(PEOPLE, "S-1003", **{"class": "5Б"}))
    assert result.students["moved"] == 1
    history = Enrollment.objects.filter(student__person_id="S-1003")
    assert [(e.school_class.name, e.starts_on, e.ends_on) for e in history] == [("5Б", ON, None)]


def test_people_missing_from_the_file_leave_and_keep_their_history():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    before = {model: model.objects.count() for model in (Staff, Student, Parent, Enrollment)}
    # when: a secretary, a student and his parent leave (3 of 17: held without confirmation)
    people = without(PEOPLE, "T-004", "S-1006", "P-2007")
    result = run(school, people, on=LATER, confirm_removals=True)
    # then
    assert (result.staff["left"], result.students["left"], result.parents["left"]) == (1, 1, 1)
    assert {model: model.objects.count() for model in before} == before  # nothing deleted
    assert Staff.objects.get(person_id="T-004").employed_to == date(2026, 11, 15)
    enrollment = Enrollment.objects.get(student__person_id="S-1006")
    assert (enrollment.school_class.name, enrollment.starts_on, enrollment.ends_on) == (
        "6А",
        YEAR_START,
        date(2026, 11, 15),
    )
    assert Parent.objects.get(person_id="P-2007").left_on == LATER
    assert Parent.objects.get(person_id="P-2007").children.get().person_id == "S-1006"
    assert Staff.objects.get(person_id="T-001").employed_to is None


def test_leaving_on_the_first_day_ends_no_earlier_than_it_began():
    school = SchoolFactory()
    arrive_on(school)
    run(school, without(PEOPLE, "T-004"), confirm_removals=True)
    staff = Staff.objects.get(person_id="T-004")
    assert (staff.employed_from, staff.employed_to) == (ON, ON)


def test_a_person_who_left_comes_back():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    run(school, without(PEOPLE, "T-004", "S-1006", "P-2007"), on=LATER, confirm_removals=True)
    # when
    back_on = date(2027, 1, 12)
    result = run(school, PEOPLE, on=back_on)
    # then
    assert result.counts == ONE_UPDATED_OF_EACH
    assert Staff.objects.get(person_id="T-004").employed_to is None
    history = Enrollment.objects.filter(student__person_id="S-1006").order_by("starts_on")
    assert [(e.starts_on, e.ends_on) for e in history] == [(YEAR_START, date(2026, 11, 15)), (back_on, None)]
    assert Parent.objects.get(person_id="P-2007").left_on is None


def test_a_student_who_left_and_came_back_the_same_day_has_one_enrollment():
    school = SchoolFactory()
    arrive_on(school)
    run(school, without(PEOPLE, "S-1006", "P-2007"), confirm_removals=True)
    result = run(school, PEOPLE)
    assert result.students["updated"] == 1
    assert list(Enrollment.objects.filter(student__person_id="S-1006").values_list("starts_on", "ends_on")) == [
        (ON, None)
    ]


def test_people_who_start_later_are_not_counted_among_the_current_ones():
    # given: 17 people, and a teacher in the file whose employment starts after the next import's day
    school = SchoolFactory()
    newcomer = {"role": "staff", "person_id": "T-005", "name": "Новикова Ирина Павловна"}
    run(school, [*PEOPLE, newcomer])
    Staff.objects.filter(person_id="T-005").update(employed_from=date(2026, 12, 1))
    # when: the next file drops two parents
    held = run(school, [*without(PEOPLE, "P-2002", "P-2003"), newcomer], on=LATER)
    # then: 2 of the 17 people on the roster that day would leave; the newcomer is not one of them yet
    assert held.status == "held"
    assert (held.would_leave, held.current_people) == (2, 17)


def test_a_file_removing_more_than_10_percent_is_held_until_confirmed():
    # given: 17 people; 2 leaving is 11.8%
    school = SchoolFactory()
    run(school, PEOPLE)
    before = roster_dump()
    people = without(PEOPLE, "P-2002", "P-2003")
    # when
    held = run(school, people, on=LATER)
    # then
    assert held.status == "held"
    assert (held.would_leave, held.current_people, held.emptied_classes) == (2, 17, [])
    assert held.parents["left"] == 2
    assert roster_dump() == before
    # when confirmed
    confirmed = run(school, people, on=LATER, confirm_removals=True)
    # then
    assert confirmed.status == "ok"
    assert confirmed.parents["left"] == 2
    assert sorted(Parent.objects.filter(left_on=LATER).values_list("person_id", flat=True)) == ["P-2002", "P-2003"]


def test_a_file_removing_exactly_10_percent_is_not_held():
    # given: 20 people; 2 leaving is 10%
    school = SchoolFactory()
    extra = [
        {"role": "parent", "person_id": "P-300", "name": "Смирнова Анна Петровна", "children": "S-1002"},
        {"role": "parent", "person_id": "P-301", "name": "Смирнов Пётр Ильич", "children": "S-1002"},
        {"role": "parent", "person_id": "P-302", "name": "Волков Игорь Семёнович", "children": "S-1004"},
    ]
    run(school, [*PEOPLE, *extra])
    # when
    result = run(school, without([*PEOPLE, *extra], "P-300", "P-301"), on=LATER)
    # then
    assert result.status == "ok"
    assert result.parents["left"] == 2


def test_a_file_that_empties_a_class_is_held():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    before = roster_dump()
    # when: both students of 6А move to 5Б, nobody leaves
    people = edited(edited(PEOPLE, "S-1005", **{"class": "5Б"}), "S-1006", **{"class": "5Б"})
    held = run(school, people, on=LATER)
    # then
    assert held.status == "held"
    assert (held.would_leave, held.emptied_classes) == (0, ["6А"])
    assert roster_dump() == before
    assert run(school, people, on=LATER, confirm_removals=True).students["moved"] == 2
    assert class_of("S-1005") == "5Б"


def test_a_new_academic_year_puts_students_into_its_classes_without_a_hold():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    next_year_day = date(2027, 9, 1)
    # when
    result = run(school, PEOPLE, on=next_year_day)
    # then
    assert result.status == "ok"
    assert (result.classes["added"], result.students["moved"]) == (3, 6)
    enrollment = Enrollment.objects.get(student__person_id="S-1001", ends_on__isnull=True)
    assert (enrollment.school_class.year.name, enrollment.starts_on) == ("2027/2028", next_year_day)
    assert Enrollment.objects.get(student__person_id="S-1001", ends_on__isnull=False).ends_on == date(2027, 8, 31)


def test_a_class_teacher_always_teaches():
    school = SchoolFactory()
    run(school, edited(PEOPLE, "T-001", teaches="нет"))
    assert Staff.objects.get(person_id="T-001").teaches is True


def test_the_class_teacher_column_says_who_leads_each_class():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    # when: T-003 stops leading 6А, T-001 leads 5А and 6А
    people = edited(edited(PEOPLE, "T-003", class_teacher_of=""), "T-001", class_teacher_of="5А; 6 А")
    result = run(school, people, on=LATER)
    # then
    assert result.classes == {"added": 0, "updated": 1}
    assert SchoolClass.objects.get(grade=6, letter="А").class_teacher.person_id == "T-001"


def test_without_a_class_teacher_column_a_leaving_class_teacher_stops_leading():
    # given
    school = SchoolFactory()
    run(school, PEOPLE)
    header = [column for column in HEADER if column != "class_teacher_of"]
    # when
    result = run(school, csv_bytes(rows_of(without(PEOPLE, "T-003"), header)), on=LATER)
    # then
    assert result.status == "ok"
    assert result.classes == {"added": 0, "updated": 1}
    leads = dict(SchoolClass.objects.values_list("letter", "class_teacher__person_id").filter(grade=5))
    assert leads == {"А": "T-001", "Б": "T-002"}
    assert SchoolClass.objects.get(grade=6).class_teacher is None


def test_each_import_writes_one_log_row():
    # given
    school = SchoolFactory()
    user = UserFactory()
    good = csv_bytes(rows_of(PEOPLE))
    bad = csv_bytes(rows_of(edited(PEOPLE, "S-1001", **{"class": "12Я"})))
    # when
    run(school, good, filename="/tmp/uploads/roster.csv", user=user)
    run(school, bad, filename="bad.csv")
    run(school, without(PEOPLE, "P-2001", "P-2002"), filename="held.csv")
    # then
    logs = list(RosterImport.objects.filter(school=school).order_by("pk"))
    assert [(log.file_name, log.status) for log in logs] == [
        ("roster.csv", "ok"),
        ("bad.csv", "failed"),
        ("held.csv", "held"),
    ]
    assert logs[0].user == user
    assert logs[0].file_hash == hashlib.sha256(good).hexdigest()
    assert logs[0].counts["students"] == {"added": 6, "updated": 0, "left": 0, "moved": 0}
    assert logs[1].errors == [
        {"row": 6, "column": "class", "message": "«12Я» is not a class name; use a grade 1–11 and a letter, like 5А."}
    ]
    assert (logs[2].counts["would_leave"], logs[2].counts["current_people"]) == (2, 17)
    assert list(RosterImport.objects.filter(school=school)) == logs[::-1]  # newest first


def _school_of(size: int) -> list[dict]:
    people = [{"role": "staff", "person_id": f"T-{n}", "name": "Иванова Мария Петровна"} for n in range(size)]
    for n in range(size * 10):
        letter = "АБВГ"[n % 4]
        people.append(
            {"role": "student", "person_id": f"S-{n}", "name": "Смирнов Пётр", "class": f"{n % 11 + 1}{letter}"}
        )
        people.append({"role": "parent", "person_id": f"P-{n}", "name": "Смирнова Ольга", "children": f"S-{n}"})
    return people


def test_the_number_of_queries_does_not_grow_with_the_roster():
    # given: 2 and 12 classes (the bigger one's 118 moved students fit in one INSERT on SQLite too: Django sends
    # at most 999 parameters per statement there, 142 enrollments of 7 columns)
    small_school, big_school = SchoolFactory(), SchoolFactory()
    small, big = _school_of(2), _school_of(12)
    run(small_school, small)
    run(big_school, big)

    def queries(school, people):
        with CaptureQueriesContext(connection) as context:
            result = run(school, people, on=LATER, confirm_removals=True)
        assert result.status == "ok"
        return len(context.captured_queries)

    # when: every student moves, a staff member and a parent change, people leave
    def changed(people):
        moved = [{**p, "class": "1А"} if p["role"] == "student" else p for p in people]
        moved = edited(moved, "T-0", phone="+7 900 000-00-00")
        return without(edited(moved, "P-0", name="Волкова Елена Петровна"), "T-1", "S-1", "P-1")

    # then
    assert queries(small_school, changed(small)) == queries(big_school, changed(big))
