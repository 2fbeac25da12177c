"""Roster files for tests: a small school's people, rows as a CSV or Excel file (any tabular upload), importing them."""

import csv
import io
from datetime import date
from io import StringIO

import openpyxl
from django.core.management import call_command
from django.core.management.base import CommandError

from classes.roster.importer import roster_import
from sferum_api.simulator import ROSTER_COLUMNS

ON = date(2026, 10, 5)
YEAR_START = date(2026, 9, 1)  # the first roster's people count from the start of the academic year
LATER = date(2026, 11, 16)
HEADER = list(ROSTER_COLUMNS)  # roster-format.md's columns in their usual order
# A small school: 4 staff, 6 students in 5А, 5Б and 6А, 7 parents (17 people).
PEOPLE = [
    {"role": "staff", "person_id": "T-001", "name": "Иванова Мария Петровна", "class_teacher_of": "5А"},
    {"role": "staff", "person_id": "T-002", "name": "Петрова-Водкина Анна Сергеевна", "class_teacher_of": "5Б"},
    {"role": "staff", "person_id": "T-003", "name": "Кузнецов Сергей Андреевич", "class_teacher_of": "6А"},
    {
        "role": "staff",
        "person_id": "T-004",
        "name": "Ёлкина Алёна Викторовна",
        "position": "секретарь",
        "teaches": "no",
    },
    {"role": "student", "person_id": "S-1001", "name": "Смирнов Пётр Алексеевич", "class": "5А"},
    {"role": "student", "person_id": "S-1002", "name": "Смирнов Пётр Алексеевич", "class": "5Б"},
    {"role": "student", "person_id": "S-1003", "name": "Орлова Анна Дмитриевна", "class": "5А"},
    {"role": "student", "person_id": "S-1004", "name": "Волков Дмитрий Игоревич", "class": "5Б"},
    {"role": "student", "person_id": "S-1005", "name": "Зайцева Ксения Олеговна", "class": "6А"},
    {"role": "student", "person_id": "S-1006", "name": "Фёдоров Артём Павлович", "class": "6А"},
    {"role": "parent", "person_id": "P-2001", "name": "Смирнова Ольга Игоревна", "children": "S-1001"},
    {"role": "parent", "person_id": "P-2002", "name": "Смирнов Алексей Викторович", "children": "S-1001"},
    {"role": "parent", "person_id": "P-2003", "name": "Смирнова Ольга Игоревна", "children": "S-1002"},
    {"role": "parent", "person_id": "P-2004", "name": "Орлов Дмитрий Сергеевич", "children": "S-1003"},
    {"role": "parent", "person_id": "P-2005", "name": "Волкова Елена Петровна", "children": "S-1004"},
    {"role": "parent", "person_id": "P-2006", "name": "Зайцева Наталья Юрьевна", "children": "S-1005"},
    {"role": "parent", "person_id": "P-2007", "name": "Фёдорова Ирина Николаевна", "children": "S-1006"},
]


def rows_of(people: list[dict], header: list[str] = HEADER) -> list[list[str]]:
    """Return the header and one row per person; "name" fills last_name, first_name and patronymic."""
    rows = [list(header)]
    for person in people:
        values = dict(person)
        last, first, *rest = values.pop("name", "").split(" ") or [""]
        values.setdefault("last_name", last)
        values.setdefault("first_name", first)
        values.setdefault("patronymic", " ".join(rest))
        rows.append([str(values.get(column, "")) for column in header])
    return rows


def csv_bytes(rows: list[list], *, separator: str = ",", encoding: str = "utf-8") -> bytes:
    """Return the rows as a CSV file."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    """Return the rows as the first sheet of an Excel workbook."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def edited(people: list[dict], person_id: str, **changes) -> list[dict]:
    """Return the people with `changes` made to the one with `person_id`."""
    return [{**person, **changes} if person["person_id"] == person_id else person for person in people]


def without(people: list[dict], *person_ids: str) -> list[dict]:
    """Return the people but those with `person_ids`."""
    return [person for person in people if person["person_id"] not in person_ids]


def run(school, people_or_content, *, on=ON, **kwargs):
    """Import the people (as a CSV file) or the file's content into the school's roster on the day `on`."""
    content = people_or_content
    if isinstance(content, list):
        content = csv_bytes(rows_of(content))
    kwargs.setdefault("filename", "roster.csv")
    return roster_import(school=school, content=content, on=on, **kwargs)


def arrive_on(school, on=ON):
    """Import a first roster of one staff member, then PEOPLE as a later import: everyone else arrives on `on`."""
    run(school, [PEOPLE[0]], on=YEAR_START)
    return run(school, PEOPLE, on=on)


def roster_import_command(*args: str) -> tuple[int, str, str]:
    """Run the roster_import command; return (exit code, stdout, stderr) as the shell would see them."""
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("roster_import", *args, stdout=stdout, stderr=stderr)
    except CommandError as error:
        return error.returncode, stdout.getvalue(), str(error)
    return 0, stdout.getvalue(), stderr.getvalue()
