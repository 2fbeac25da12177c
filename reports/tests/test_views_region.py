"""The regional level: the regional administrator's scope, the regional overview and its export, the drill-down to
a municipality, constant queries; all read from the stored school summaries."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from chats.tests.scenario import class_data_add
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.access import schools_for_user
from classes.models import AuditEntry
from classes.models import School
from classes.models import User
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from reports.rates import Rate
from reports.summaries import school_summaries_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
REGION = "/region/"


def summaries_build(*, region=None, municipality=None, day=None):
    """Store the school summaries of a region or municipality as the nightly job does."""
    schools = School.objects.select_related("municipality__region")
    schools = schools.filter(municipality__region=region) if region else schools.filter(municipality=municipality)
    return school_summaries_build(schools=schools, day=day)


def region_with_two_municipalities():
    region = RegionFactory(name="Тестовый край")
    north = MunicipalityFactory(region=region, name="Северный округ")
    south = MunicipalityFactory(region=region, name="Южный округ")
    schools = {
        "north-1": school_build(municipality=north, classes=1, students=2),
        "north-2": school_build(municipality=north, classes=2, students=3),
        "south-1": school_build(municipality=south, classes=1, students=4),
    }
    return region, north, south, schools


def overview_url(municipality) -> str:
    return reverse("municipality-overview", kwargs={"municipality_id": municipality.pk})


def test_the_fixed_url_names():
    assert reverse("region-overview") == REGION
    assert reverse("region-export") == "/region/export/"
    assert reverse("municipality-overview", kwargs={"municipality_id": 7}) == "/municipality/7/"
    assert reverse("municipality-export", kwargs={"municipality_id": 7}) == "/municipality/7/export/"


@pytest.mark.parametrize("name", ["region-overview", "region-export"])
def test_denials(client, name):
    # given
    data = school_build()
    url = reverse(name)
    # when / then: anonymous, teacher, school administrator, municipal administrator, no role
    assert client.get(url).status_code == 302
    for user in (
        teacher_user(data),
        school_admin(data.school),
        municipal_admin(data.school.municipality),
        UserFactory(),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_a_regional_administrator_sees_only_their_regions_municipalities(client):
    # given
    region, north, south, _schools = region_with_two_municipalities()
    other_region = RegionFactory(name="Чужой край")
    foreign = MunicipalityFactory(region=other_region, name="Чужой округ")
    school_build(municipality=foreign, classes=1, students=2)
    without_region = school_build(classes=1)
    summaries_build(region=region)
    summaries_build(region=other_region)
    summaries_build(municipality=without_region.school.municipality)
    client.force_login(regional_admin(region))
    # when
    response = client.get(REGION)
    # then
    html = response.content.decode()
    rows = response.context["rows"]
    assert [row.municipality.pk for row in rows] == [north.pk, south.pk]
    assert "Чужой округ" not in html and without_region.school.municipality.name not in html
    # sums of numerators over sums of denominators (every other student activated): 1/2 + 2·(2/3) in the north
    by_pk = {row.municipality.pk: row for row in rows}
    assert (by_pk[north.pk].students.numerator, by_pk[north.pk].students.denominator) == (1 + 2 * 2, 2 + 2 * 3)
    assert (by_pk[south.pk].students.numerator, by_pk[south.pk].students.denominator) == (2, 4)
    totals = response.context["overview"].totals
    assert (totals.students.numerator, totals.students.denominator) == (1 + 4 + 2, 2 + 6 + 4)
    assert totals.schools == 3
    # each municipality drills down to its overview
    assert overview_url(north) in html and overview_url(south) in html


def test_the_regional_administrators_schools_are_their_regions_and_no_other(client):
    # given
    region, _north, _south, schools = region_with_two_municipalities()
    elsewhere = school_build(municipality=MunicipalityFactory(region=RegionFactory()))
    user = regional_admin(region)
    # when
    visible = set(schools_for_user(user=user).values_list("pk", flat=True))
    # then
    assert visible == {data.school.pk for data in schools.values()}
    assert elsewhere.school.pk not in visible


def test_a_regional_administrator_drills_down_to_a_municipality_of_their_region_only(client):
    # given
    region, north, _south, schools = region_with_two_municipalities()
    foreign = MunicipalityFactory(region=RegionFactory())
    foreign_school = school_build(municipality=foreign)
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    # when
    page = client.get(overview_url(north))
    # then
    assert page.status_code == 200
    assert {row.school.pk for row in page.context["rows"]} == {
        schools["north-1"].school.pk,
        schools["north-2"].school.pk,
    }
    html = page.content.decode()
    assert reverse("municipality-export", kwargs={"municipality_id": north.pk}) in html
    assert reverse("region-overview") in html
    # another region's municipality, its export and its school are not found; the own-municipality address sends
    # the regional administrator back to the region
    assert client.get(overview_url(foreign)).status_code == 404
    assert client.get(reverse("municipality-export", kwargs={"municipality_id": foreign.pk})).status_code == 404
    assert client.get(reverse("school-dashboard", kwargs={"school_id": foreign_school.school.pk})).status_code == 404
    assert client.get(reverse("municipal-overview"))["Location"] == REGION
    assert client.get(reverse("municipal-export")).status_code == 403


def test_a_regional_administrator_sees_a_school_of_their_region_read_only(client):
    # given
    region, _north, _south, schools = region_with_two_municipalities()
    school = schools["south-1"].school
    sync_runs_add(school)
    client.force_login(regional_admin(region))
    # when
    response = client.get(reverse("school-dashboard", kwargs={"school_id": school.pk}))
    # then
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    main = response.content.decode().split('<main id="main"', 1)[1]
    assert reverse("sync-now", kwargs={"school_id": school.pk}) not in main
    # the way back up: the region, then the school's municipality
    assert (
        reverse("municipality-overview", kwargs={"municipality_id": school.municipality_id})
        in response.content.decode()
    )


def test_a_municipal_administrator_may_open_only_their_own_municipality_by_its_id(client):
    # given
    _region, north, south, _schools = region_with_two_municipalities()
    client.force_login(municipal_admin(north))
    # when / then
    assert client.get(overview_url(north)).status_code == 200
    assert client.get(overview_url(south)).status_code == 404


def test_home_sends_a_regional_administrator_to_the_regional_overview(client):
    # given
    client.force_login(regional_admin(RegionFactory()))
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 302
    assert response["Location"] == REGION


def test_a_regional_administrator_needs_a_region_and_nothing_else():
    # given
    municipality = MunicipalityFactory()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=User.Role.REGIONAL_ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=User.Role.REGIONAL_ADMIN, region=RegionFactory(), municipality=municipality)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=municipality, region=RegionFactory())


def test_the_regional_overview_shows_the_change_in_a_week_and_the_time_of_its_figures(client):
    # given
    region, north, _south, schools = region_with_two_municipalities()
    summaries_build(region=region, day=NOW.date() - timedelta(days=7))
    class_data_add(schools["south-1"], grade=5, letter="В", students=2)
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    # when
    response = client.get(REGION)
    # then: the south had 2/4 students a week ago and 3/6 now (no change); the north 5/8 both times
    rows = {row.municipality.pk: row for row in response.context["rows"]}
    assert rows[north.pk].change("students") == 0
    overview = response.context["overview"]
    assert overview.totals.change("students") == Rate(1 + 4 + 2 + 1, 2 + 6 + 4 + 2).exact - Rate(7, 12).exact
    computed = min(summary.computed_at for school in School.objects.all() for summary in school.summaries.all())
    assert overview.as_of == computed
    assert "Figures as of" in response.content.decode()


def test_a_municipality_without_figures_yet_is_shown_as_such(client):
    # given
    region, north, south, _schools = region_with_two_municipalities()
    summaries_build(municipality=north)
    client.force_login(regional_admin(region))
    # when
    response = client.get(REGION)
    # then
    rows = {row.municipality.pk: row for row in response.context["rows"]}
    assert rows[south.pk].totals.with_figures == 0
    assert rows[south.pk].students.denominator == 0
    assert "no figures yet" in response.content.decode()


def test_the_htmx_sort_gets_only_the_table(client):
    # given
    region, north, south, _schools = region_with_two_municipalities()
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    # when
    response = client.get(REGION, {"sort": "schools"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="municipality-results")
    # then: the south (one school) before the north (two), against the order by name
    assert response.templates[0].name == "reports/region/_results.html"
    assert [row.municipality.pk for row in response.context["rows"]] == [south.pk, north.pk]
    assert b"<html" not in response.content


def _grow(region):
    def grow():
        for number in range(3):
            municipality = MunicipalityFactory(region=region)
            for _school in range(2):
                data = school_build(municipality=municipality, classes=2, students=2)
                sync_runs_add(data.school, held=number % 2)
        school_build(municipality=MunicipalityFactory(region=region))  # no figures yet
        summaries_build(region=region, day=NOW.date() - timedelta(days=7))
        summaries_build(region=region)
        School.objects.order_by("-pk").first().summaries.all().delete()

    return grow


@pytest.mark.parametrize("url", [REGION, "/region/export/"])
def test_the_regional_pages_make_as_many_queries_whatever_the_number_of_schools(client, django_assert_num_queries, url):
    # given
    region, _north, _south, _schools = region_with_two_municipalities()
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    # when / then: as many queries after the region grew, and no more than the 15
    assert_constant_queries(client, url, _grow(region), django_assert_num_queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries.captured_queries) <= 15


@pytest.mark.parametrize("export", [False, True])
def test_the_drill_down_makes_as_many_queries_whatever_the_number_of_schools(client, django_assert_num_queries, export):
    # given
    region, north, _south, _schools = region_with_two_municipalities()
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    name = "municipality-export" if export else "municipality-overview"

    def grow():
        for _number in range(3):
            data = school_build(municipality=north, classes=2, students=2)
            sync_runs_add(data.school)
        summaries_build(region=region)

    # when / then
    assert_constant_queries(
        client, reverse(name, kwargs={"municipality_id": north.pk}), grow, django_assert_num_queries
    )


def test_the_regional_export_is_an_xlsx_with_the_regions_totals_and_is_audited(client):
    # given
    region, _north, _south, _schools = region_with_two_municipalities()
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    # when
    response = client.get(reverse("region-export"), {"format": "xlsx"})
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="region-2026-11-19.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "Тестовый край" in sheet["A2"].value
    header = [cell.value for cell in sheet[5]]
    assert header[:3] == ["Municipality", "Code", "Schools"]
    names = [sheet.cell(row=row, column=1).value for row in range(6, 9)]
    assert names == ["Северный округ", "Южный округ", "Total: Тестовый край"]
    students_rate = header.index("Students, %") + 1
    assert sheet.cell(row=8, column=students_rate).value == pytest.approx(7 / 12)
    assert (
        AuditEntry.objects.get(action="export.region.xlsx").username == User.objects.get(role="regional_admin").username
    )


def test_the_regional_export_as_csv_and_an_unknown_format(client):
    # given
    region, _north, _south, _schools = region_with_two_municipalities()
    summaries_build(region=region)
    client.force_login(regional_admin(region))
    # when
    text = client.get(reverse("region-export"), {"format": "csv"}).content.decode("utf-8").lstrip("\ufeff")
    unknown = client.get(reverse("region-export"), {"format": "pdf"})
    # then
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["Municipality"] == "Северный округ"
    assert rows[0]["Students, %"] == "62.50"
    assert rows[-1]["Municipality"].startswith("Total")
    assert unknown.status_code == 400


def test_thresholds_inherit_region_to_municipality_to_school():
    # given
    region = RegionFactory(students_target=Decimal("0.8"), activity_threshold=4)
    municipality = MunicipalityFactory(region=region, students_target=None, parents_target=None)
    municipality.activity_threshold = None
    municipality.save()
    school = school_build(municipality=municipality).school
    school = School.objects.select_related("municipality__region").get(pk=school.pk)
    # when / then: the school follows the municipality, which follows the region where it leaves a setting empty
    assert school.effective_students_target == Decimal("0.8")
    assert school.effective_activity_threshold == 4
    assert school.effective_parents_target == Decimal("0.9")  # the region's default
    municipality.students_target = Decimal("0.95")
    municipality.save()
    school = School.objects.select_related("municipality__region").get(pk=school.pk)
    assert school.effective_students_target == Decimal("0.95")
    school.students_target = Decimal("0.5")
    assert school.effective_students_target == Decimal("0.5")
    # a municipality outside any region falls back on the built-in values
    alone = MunicipalityFactory(students_target=None)
    assert alone.effective_students_target == Decimal("0.9")
