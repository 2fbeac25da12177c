"""The municipal overview and its export: access, totals, sorting, change since last week, constant queries.

The overview reads the stored school summaries (reports.summaries), so each test stores them as the nightly job
would (`summaries_build`) before it opens the page.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from chats.tests.scenario import class_data_add
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.models import AuditEntry
from classes.models import School
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from reports.rates import Rate
from reports.services import activation_snapshot_build_municipality
from reports.summaries import school_summaries_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
OVERVIEW = "/municipality/"


def summaries_build(municipality, day=None):
    """Store the municipality's school summaries as the nightly job does (on `day`, default each school's today)."""
    schools = School.objects.filter(municipality=municipality).select_related("municipality__region")
    return school_summaries_build(schools=schools, day=day)


def test_the_fixed_url_names():
    assert reverse("municipal-overview") == OVERVIEW
    assert reverse("municipal-export") == "/municipality/export/"


@pytest.mark.parametrize("name", ["municipal-overview", "municipal-export"])
def test_denials(client, name):
    # given
    data = school_build()
    url = reverse(name)
    # when / then: anonymous, teacher, school administrator, no role
    assert client.get(url).status_code == 302
    client.force_login(teacher_user(data))
    assert client.get(url).status_code == 403
    client.force_login(school_admin(data.school))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_a_municipal_administrator_sees_only_their_schools(client):
    # given
    municipality = MunicipalityFactory()
    first = school_build(municipality=municipality, classes=1, students=2)
    second = school_build(municipality=municipality, classes=2, students=3)
    other = school_build(classes=1)
    summaries_build(municipality)
    summaries_build(other.school.municipality)
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(OVERVIEW)
    # then
    rows = response.context["rows"]
    assert {row.school.pk for row in rows} == {first.school.pk, second.school.pk}
    assert other.school.short_name not in response.content.decode()
    totals = response.context["overview"].totals
    assert totals.students == Rate(1 + 4, 2 + 6, totals.students.target)
    for row in rows:
        assert reverse("school-dashboard", kwargs={"school_id": row.school.pk}) in response.content.decode()


def test_the_overview_sorts_by_a_whitelisted_column(client):
    # given: the second school's students are better activated (every other of 3 → 2 of 3); the third has none
    municipality = MunicipalityFactory()
    low = school_build(municipality=municipality, classes=1, students=2)
    high = school_build(municipality=municipality, classes=1, students=3)
    empty = school_build(municipality=municipality, classes=1, students=0)
    summaries_build(municipality)
    client.force_login(municipal_admin(municipality))
    # when
    descending = client.get(OVERVIEW, {"sort": "-students"}).context["rows"]
    ascending = client.get(OVERVIEW, {"sort": "students"}).context["rows"]
    ignored = client.get(OVERVIEW, {"sort": "password"})
    # then
    # no data is neither the best nor the worst figure: last in both directions
    assert [row.school.pk for row in descending] == [high.school.pk, low.school.pk, empty.school.pk]
    assert [row.school.pk for row in ascending] == [low.school.pk, high.school.pk, empty.school.pk]
    assert ignored.status_code == 200 and ignored.context["sort"] == ""


def test_the_overview_shows_the_change_since_last_week_and_the_last_sync(client):
    # given
    municipality = MunicipalityFactory()
    data = school_build(municipality=municipality, classes=1, students=2)
    summaries_build(municipality, day=NOW.date() - timedelta(days=7))
    class_data_add(data, grade=2, letter="А", students=1)
    runs = sync_runs_add(data.school, held=0)
    summaries_build(municipality)
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(OVERVIEW)
    # then: students 1/2 a week ago, 2/3 now
    row = response.context["rows"][0]
    assert row.metrics.change("students") == pytest.approx(2 / 3 - 1 / 2)
    assert row.last_sync.pk == runs[0].pk
    assert "+16.67 p.p." in response.content.decode()
    assert response.context["overview"].change("students") == row.metrics.change("students")


def test_the_htmx_sort_gets_only_the_table(client):
    # given
    municipality = MunicipalityFactory()
    school_build(municipality=municipality)
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(OVERVIEW, {"sort": "parents"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="school-results")
    # then
    assert response.templates[0].name == "reports/municipal/_results.html"
    assert b"<html" not in response.content


def test_the_overview_makes_as_many_queries_whatever_the_number_of_schools(client, django_assert_num_queries):
    # given
    municipality = MunicipalityFactory()
    data = school_build(municipality=municipality, classes=1)
    sync_runs_add(data.school)
    summaries_build(municipality)
    client.force_login(municipal_admin(municipality))

    def grow():
        for _number in range(3):
            bigger = school_build(municipality=municipality, classes=2, students=2)
            sync_runs_add(bigger.school, held=1)
        school_build(municipality=municipality, classes=1)  # a school without figures yet
        class_data_add(data, grade=3, letter="Б", students=4)
        activation_snapshot_build_municipality(municipality=municipality, day=NOW.date() - timedelta(days=7))
        summaries_build(municipality, day=NOW.date() - timedelta(days=7))
        summaries_build(municipality)
        School.objects.filter(municipality=municipality).order_by("-pk").first().summaries.all().delete()

    # when / then: as many queries after the municipality grew, and no more than the 15
    assert_constant_queries(client, OVERVIEW, grow, django_assert_num_queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(OVERVIEW)
    assert len(queries.captured_queries) <= 15


def test_the_export_is_an_xlsx_with_totals(client):
    # given
    municipality = MunicipalityFactory(name="Тестовый округ")
    first = school_build(municipality=municipality, classes=1, students=2)
    school_build(municipality=municipality, classes=1, students=3)
    summaries_build(municipality)
    user = municipal_admin(municipality)
    client.force_login(user)
    # when
    response = client.get(reverse("municipal-export"), {"format": "xlsx"})
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="municipality-2026-11-19.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Schools on Sferum: activation and activity"
    assert "Тестовый округ" in sheet["A2"].value
    header = [cell.value for cell in sheet[5]]
    assert header[:2] == ["School", "Code"]
    names = [sheet.cell(row=row, column=1).value for row in range(6, 9)]
    assert first.school.short_name in names
    assert names[-1] == "Total: Тестовый округ"
    students_rate = header.index("Students, %") + 1
    assert sheet.cell(row=8, column=students_rate).value == pytest.approx(3 / 5)
    assert sheet.cell(row=8, column=students_rate).number_format == "0.00%"
    assert AuditEntry.objects.get(action="export.municipality.xlsx").municipality == municipality


def test_the_export_as_csv(client):
    # given
    municipality = MunicipalityFactory()
    school_build(municipality=municipality, classes=1, students=2)
    summaries_build(municipality)
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(reverse("municipal-export"), {"format": "csv"})
    # then
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["Students, %"] == "50.00"
    assert rows[0]["Students: target"] == "below target"
    assert rows[-1]["School"].startswith("Total")


def test_an_unknown_export_format_is_a_400(client):
    # given
    municipality = MunicipalityFactory()
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(reverse("municipal-export"), {"format": "pdf"})
    # then
    assert response.status_code == 400
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_the_overview_shows_the_stored_figures_not_a_live_computation(client):
    # given: figures stored, then a class added that no job has counted yet
    municipality = MunicipalityFactory()
    data = school_build(municipality=municipality, classes=1, students=2)
    summaries_build(municipality)
    class_data_add(data, grade=2, letter="А", students=3)
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(OVERVIEW)
    # then: still the stored 1/2, and the page says when they were computed
    overview = response.context["overview"]
    assert overview.totals.students == Rate(1, 2, overview.totals.students.target)
    assert overview.as_of == data.school.summaries.get().computed_at
    assert "Figures as of" in response.content.decode()
    # and once the job has run again the new class counts (every other student activated: 1 of 2, 2 of 3)
    summaries_build(municipality)
    assert client.get(OVERVIEW).context["overview"].totals.students == Rate(
        1 + 2, 2 + 3, overview.totals.students.target
    )


def test_a_school_without_figures_yet_is_shown_as_such_not_as_zeros(client):
    # given
    municipality = MunicipalityFactory()
    counted = school_build(municipality=municipality, classes=1, students=2)
    summaries_build(municipality)
    waiting = school_build(municipality=municipality, classes=1, students=4)
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(OVERVIEW)
    # then
    rows = {row.school.pk: row for row in response.context["rows"]}
    assert rows[waiting.school.pk].metrics is None
    assert rows[counted.school.pk].metrics is not None
    totals = response.context["overview"].totals
    assert (totals.students.numerator, totals.students.denominator) == (1, 2)
    assert (totals.schools, totals.with_figures) == (2, 1)
    assert "no figures yet" in response.content.decode()
    # the export leaves its figures empty rather than zero
    exported = client.get(reverse("municipal-export"), {"format": "csv"}).content.decode("utf-8").lstrip("\ufeff")
    by_code = {row["Code"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert by_code[waiting.school.code]["Students, %"] == ""
    assert by_code[waiting.school.code]["Week"] == "no figures yet"


def test_the_export_makes_as_many_queries_whatever_the_number_of_schools(client, django_assert_num_queries):
    # given
    municipality = MunicipalityFactory()
    school_build(municipality=municipality, classes=1)
    summaries_build(municipality)
    client.force_login(municipal_admin(municipality))

    def grow():
        for _number in range(3):
            bigger = school_build(municipality=municipality, classes=2, students=2)
            sync_runs_add(bigger.school, held=1)
        summaries_build(municipality)

    # when / then
    assert_constant_queries(
        client, reverse("municipal-export"), grow, django_assert_num_queries, data={"format": "xlsx"}
    )
