"""Exports: the renderers (CSV, XLSX, printable HTML), the school tables' exports, the audit log."""

import csv
import io
from datetime import date
from fractions import Fraction

import pytest
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from chats.models import Chat
from chats.tests.scenario import classes_add
from chats.tests.scenario import school_build
from classes.models import AuditEntry
from classes.tests.factories import UserFactory
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import assert_school_page_denials
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from reports.exports.renderers import CSVRenderer
from reports.exports.renderers import XLSXRenderer
from reports.exports.renderers import report_export
from reports.exports.report import Column
from reports.exports.report import ExportFormatError
from reports.exports.report import Report
from reports.services import weekly_activity_build
from reports.services import weekly_activity_ensure

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


class SmallReport(Report):
    code = "small"
    title = "Small"

    def get_columns(self):
        return [
            Column("name", "Name"),
            Column("share", "Share, %", "percent"),
            Column("change", "Change", "points"),
            Column("count", "Count", "int"),
            Column("ok", "OK", "bool"),
            Column("day", "Day", "date"),
        ]

    def get_rows(self):
        return [
            {"name": "=HYPERLINK(\"http://x\")", "share": Fraction(26, 29), "change": Fraction(1, 80), "count": 3,
             "ok": True, "day": date(2026, 11, 9)},
            {"name": "Иванова", "share": None, "change": None, "count": 0, "ok": False, "day": None},
        ]  # fmt: skip


# Renderers


def test_csv_has_a_bom_two_decimal_percents_and_no_formulas():
    # given
    report = SmallReport(date_to=date(2026, 11, 19))
    # when
    response = CSVRenderer().render(report)
    # then
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Share, %", "Change", "Count", "OK", "Day"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "89.66", "+1.25", "3", "yes", "2026-11-09"]
    assert rows[2] == ["Иванова", "", "", "0", "no", ""]
    assert response["Content-Disposition"] == 'attachment; filename="small-2026-11-19.csv"'


def test_xlsx_keeps_numbers_as_numbers_and_text_as_text():
    # given
    report = SmallReport(date_to=date(2026, 11, 19))
    # when
    response = XLSXRenderer().render(report)
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Small"
    assert [cell.value for cell in sheet[5]] == ["Name", "Share, %", "Change", "Count", "OK", "Day"]
    name, share, change, count, ok, day = sheet[6]
    assert name.value == '\'=HYPERLINK("http://x")' and name.data_type == "s"
    assert share.value == pytest.approx(26 / 29) and share.number_format == "0.00%"
    assert change.value == pytest.approx(1.25)
    assert count.value == 3 and ok.value == "yes"
    assert day.value.date() == date(2026, 11, 9)
    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == "A5:F7"


def test_an_unknown_format_raises_and_logs_nothing():
    # given
    request = RequestFactory().get("/")
    request.user = UserFactory()
    # when / then
    with pytest.raises(ExportFormatError):
        report_export(request=request, report=SmallReport(), fmt="pdf")
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_every_export_is_written_to_the_audit_log():
    # given
    request = RequestFactory().get("/")
    request.user = UserFactory(username="exporter")
    # when
    report_export(request=request, report=SmallReport(date_to=date(2026, 11, 19)), fmt="csv")
    # then
    entry = AuditEntry.objects.exclude(action="login").get()
    assert (entry.username, entry.action, entry.rows) == ("exporter", "export.small.csv", 2)
    assert entry.description == "Small: on 19.11.2026"


# The school tables' exports


EXPORTS = ["school-classes-export", "teacher-activity-export", "chat-registry-export"]


@pytest.mark.parametrize("name", EXPORTS)
def test_export_denials(client, name):
    # given
    data, other = school_build(), school_build()
    url = reverse(name, kwargs={"school_id": data.school.pk})
    # when / then: anonymous, teacher, another school's administrator, another municipality's
    assert_school_page_denials(client, url, data=data, other=other)
    assert not AuditEntry.objects.exclude(action="login").exists()


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_exports_are_audited(client, name, fmt):
    # given
    data = school_build(classes=2)
    weekly_activity_build(school=data.school, week_start=LAST_WEEK)
    user = school_admin(data.school)
    client.force_login(user)
    # when
    response = client.get(reverse(name, kwargs={"school_id": data.school.pk}), {"format": fmt})
    # then
    assert response.status_code == 200
    entry = AuditEntry.objects.exclude(action="login").get()
    assert entry.user == user and entry.school == data.school and entry.action.endswith(f".{fmt}")
    assert entry.rows > 0


def test_the_classes_export_follows_the_page_filters(client):
    # given: 2А has no parents chat
    data = school_build(classes=3, students=2)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(
        reverse("school-classes-export", kwargs={"school_id": data.school.pk}), {"chats": "missing", "format": "csv"}
    )
    # then
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert [row["Class"] for row in rows] == ["2А"]
    assert rows[0]["Students, %"] == "50.00"
    assert rows[0]["Parents chat"] == "no"
    assert rows[0]["Class teacher last week (9–15 November)"] == "active"


def test_the_teachers_export_lists_each_stored_week(client):
    # given
    data = school_build(classes=1)
    weekly_activity_ensure(school=data.school, weeks=2)
    client.force_login(municipal_admin(data.school.municipality))
    # when
    response = client.get(
        reverse("teacher-activity-export", kwargs={"school_id": data.school.pk}),
        {"format": "csv", "date_from": "2026-11-02", "date_to": "2026-11-09"},
    )
    # then
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert sorted((row["Week"], row["Status"]) for row in rows) == [
        ("2–8 November", "inactive"),
        ("2–8 November", "inactive"),
        ("9–15 November", "active"),
        ("9–15 November", "inactive"),
    ]
    assert [row["Week"] for row in rows] == ["2–8 November", "2–8 November", "9–15 November", "9–15 November"]


def test_the_chat_registry_export(client):
    # given
    data = school_build(classes=2)
    Chat.objects.filter(school=data.school, kind=Chat.Kind.PARENTS).update(mapping_confirmed=True)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(
        reverse("chat-registry-export", kwargs={"school_id": data.school.pk}), {"format": "csv", "mapping": "proposed"}
    )
    # then
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert sorted(row["Chat"] for row in rows) == ["1А", "2А"]
    assert {row["Class and kind"] for row in rows} == {"proposed"}
    assert rows[0]["Moderators"] != ""


@pytest.mark.parametrize(
    ("name", "query"), [*((name, "?format=xlsx") for name in EXPORTS), ("school-teacher-activity", "")]
)
def test_the_tables_and_their_exports_make_as_many_queries_whatever_the_size(
    client, django_assert_num_queries, name, query
):
    # given
    data = school_build(classes=1)
    weekly_activity_ensure(school=data.school, weeks=2)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 6), letter="А", students=2)
        weekly_activity_ensure(school=data.school, weeks=8)

    # when / then
    url = reverse(name, kwargs={"school_id": data.school.pk}) + query
    assert_constant_queries(client, url, grow, django_assert_num_queries)
