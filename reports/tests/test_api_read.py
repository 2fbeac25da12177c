"""The reports app's read endpoints (/api/v1/schools/, classes/, weekly-activity/, activation-snapshots/,
reconciliations/): each role's scope (404 outside), stored figures as the pages read them, filters, problem
details for bad parameters, the same queries for few and many rows."""

from datetime import date

import pytest

from chats.tests.scenario import school_build
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import QuarterFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from reports.reconciliation.services import reconciliation_open
from reports.reconciliation.services import reconciliation_run
from reports.services import activation_snapshot_build_municipality
from reports.summaries import school_summaries_build
from reports.weekly_store import weekly_activity_store

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
PROBLEM = "application/problem+json"
TODAY = NOW.date()
EARLY = date(2026, 9, 1)  # a snapshot day outside the default 30 days


def reconciliation_add(data):
    quarter = QuarterFactory(year=data.year, number=2, starts_on=date(2026, 11, 5), ends_on=date(2026, 12, 28))
    reconciliation, _opened = reconciliation_open(school=data.school, quarter=quarter)
    return reconciliation_run(reconciliation=reconciliation, user=None)


def figures_add(*schools):
    """Store what the nightly jobs store for the schools: summaries, snapshots (today and 1 September), a week."""
    items = [data.school for data in schools]
    school_summaries_build(schools=items)
    for municipality in {school.municipality for school in items}:
        for day in (TODAY, EARLY):
            activation_snapshot_build_municipality(municipality=municipality, day=day)
    weekly_activity_store(schools=items, week_start=LAST_WEEK)


class Region:
    """A region's municipality «north» with the own school (two classes), a neighbouring municipality's school
    with no summary yet, a school of another region; snapshots, weekly rows and a reconciliation in each."""

    def __init__(self) -> None:
        self.region = RegionFactory()
        self.north = MunicipalityFactory(region=self.region)
        self.own = school_build(municipality=self.north, classes=2)
        self.neighbour = school_build(municipality=MunicipalityFactory(region=self.region))
        self.far = school_build(municipality=MunicipalityFactory(region=RegionFactory()))
        figures_add(self.own, self.neighbour, self.far)
        self.neighbour.school.summaries.all().delete()
        self.reconciliations = {name: reconciliation_add(getattr(self, name)) for name in ("own", "neighbour", "far")}

    def login(self, role: str):
        return {
            "school": lambda: school_admin(self.own.school),
            "municipal": lambda: municipal_admin(self.north),
            "regional": lambda: regional_admin(self.region),
            "teacher": lambda: teacher_user(self.own),
        }[role]()


@pytest.fixture
def region():
    return Region()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def is_problem(response, status: int, field: str | None = None) -> bool:
    problem = response.json()
    named = field is None or field in problem.get("errors", {})
    return response.status_code == status and response["Content-Type"] == PROBLEM and named


SCOPES = [
    ("school", ("own",), "neighbour"),
    ("municipal", ("own",), "neighbour"),
    ("regional", ("own", "neighbour"), "far"),
    ("teacher", ("own",), "neighbour"),
]


@pytest.mark.parametrize(("role", "listed", "foreign"), SCOPES)
def test_each_role_reads_the_schools_of_its_scope_only(client, region, role, listed, foreign):
    # given
    client.force_login(region.login(role))
    # when
    response = client.get("/api/v1/schools/")
    other = client.get(f"/api/v1/schools/{getattr(region, foreign).school.pk}/")
    # then
    assert ids(response) == {getattr(region, name).school.pk for name in listed}
    assert is_problem(other, 404)


def test_a_school_shows_its_latest_stored_figures_and_null_before_any(client, region):
    # given
    client.force_login(region.login("regional"))
    summary = region.own.school.summaries.get()
    # when
    own = client.get(f"/api/v1/schools/{region.own.school.pk}/").json()
    neighbour = client.get(f"/api/v1/schools/{region.neighbour.school.pk}/").json()
    # then
    assert own["students"]["numerator"] == summary.students_numerator
    assert own["students"]["denominator"] == summary.students_denominator
    assert set(own["staff"]) == {"numerator", "denominator", "rate", "target", "passes"}
    assert own["classes_below_target"]["any"] == summary.below_target_any
    assert own["active_teachers"] == {
        "week_start": "2026-11-09",
        "evaluated": True,
        "active": summary.teachers_active,
        "teachers": summary.teachers_evaluated,
    }
    assert own["figures_day"] == str(summary.day) and own["as_of"].startswith("2026-11-19")
    nulls = ("staff", "students", "parents", "classes_below_target", "active_teachers", "figures_day", "as_of")
    assert [neighbour[name] for name in nulls] == [None] * len(nulls)


def test_schools_filter_by_municipality_and_code_and_a_malformed_id_is_a_problem(client, region):
    # given
    client.force_login(region.login("regional"))
    # when
    of_north = client.get("/api/v1/schools/", {"municipality": region.north.pk})
    by_code = client.get("/api/v1/schools/", {"code": region.neighbour.school.code})
    bad = client.get("/api/v1/schools/", {"municipality": "north"})
    foreign = client.get("/api/v1/schools/", {"municipality": region.far.school.municipality_id})
    # then
    assert ids(of_north) == {region.own.school.pk}
    assert ids(by_code) == {region.neighbour.school.pk}
    assert is_problem(bad, 400, "municipality")
    assert ids(foreign) == set()


def test_schools_come_in_the_order_asked_for_page_by_page(client, region):
    # given
    client.force_login(region.login("regional"))
    codes = sorted([region.own.school.code, region.neighbour.school.code], reverse=True)
    # when
    first = client.get("/api/v1/schools/", {"ordering": "-code", "page_size": 1}).json()
    second = client.get(first["next"]).json()
    # then
    assert [first["results"][0]["code"], second["results"][0]["code"]] == codes


@pytest.mark.parametrize(("role", "listed", "foreign"), SCOPES)
def test_each_role_reads_the_classes_of_its_scope_only(client, region, role, listed, foreign):
    # given
    client.force_login(region.login(role))
    # when
    response = client.get("/api/v1/classes/")
    other = client.get(f"/api/v1/classes/{getattr(region, foreign).classes[0].pk}/")
    # then
    expected = {item.pk for name in listed for item in getattr(region, name).classes}
    if role == "teacher":
        expected = {region.own.classes[0].pk}  # the class they lead
    assert ids(response) == expected
    assert is_problem(other, 404)


def test_a_class_shows_its_latest_snapshot_rates_and_filters_by_school(client, region):
    # given
    client.force_login(region.login("regional"))
    school_class = region.own.classes[0]
    stored = ActivationSnapshot.objects.get(scope="class", scope_id=school_class.pk, group="students", day=TODAY)
    # when
    item = client.get(f"/api/v1/classes/{school_class.pk}/").json()
    of_school = client.get("/api/v1/classes/", {"school": region.neighbour.school.pk})
    # then
    assert (item["students"]["numerator"], item["students"]["denominator"]) == (stored.numerator, stored.denominator)
    assert item["parents"] is not None and item["rates_day"] == str(TODAY)
    assert ids(of_school) == {region.neighbour.classes[0].pk}


@pytest.mark.parametrize(("role", "listed", "foreign"), SCOPES)
def test_each_role_reads_the_weekly_rows_of_its_scope(client, region, role, listed, foreign):
    # given
    user = region.login(role)
    client.force_login(user)
    # when
    response = client.get("/api/v1/weekly-activity/")
    foreign_school = client.get("/api/v1/weekly-activity/", {"school": getattr(region, foreign).school.pk})
    # then
    rows = WeeklyActivity.objects.filter(school__in=[getattr(region, name).school for name in listed])
    if role == "teacher":
        rows = rows.filter(staff=user.staff)
    assert rows.exists()
    assert ids(response) == set(rows.filter(week_start=LAST_WEEK).values_list("pk", flat=True))
    assert ids(foreign_school) == set()


def test_a_weekly_row_names_the_teacher_and_its_flags(client, region):
    # given
    user = region.login("teacher")
    client.force_login(user)
    # when
    rows = client.get("/api/v1/weekly-activity/", {"week": "2026-W46"}).json()["results"]
    # then
    assert len(rows) == 1
    row = rows[0]
    assert (row["staff"], row["person_id"], row["full_name"]) == (
        user.staff_id,
        user.staff.person_id,
        user.staff.full_name,
    )
    assert (row["week"], row["week_start"], row["messages"]) == ("2026-W46", "2026-11-09", 3)
    assert {"threshold", "status", "suspicious", "emoji_only_messages", "duplicate_messages", "burst_messages"} <= set(
        row
    )


def test_another_week_has_its_own_rows_and_a_bad_week_says_the_format(client, region):
    # given
    client.force_login(region.login("school"))
    # when
    earlier = client.get("/api/v1/weekly-activity/", {"week": "2026-W40"})
    bad = client.get("/api/v1/weekly-activity/", {"week": "2026-46"}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert ids(earlier) == set()
    assert is_problem(bad, 400, "week")
    assert "2026-W47" in bad.json()["errors"]["week"][0]


def snapshot_ids(**where) -> set[int]:
    return set(ActivationSnapshot.objects.filter(day=TODAY, **where).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["school", "municipal", "regional", "teacher"])
def test_each_role_reads_the_snapshots_of_its_scope(client, region, role):
    # given
    client.force_login(region.login(role))
    own, neighbour = region.own.school, region.neighbour.school
    expected = {
        "school": snapshot_ids(school=own),
        "municipal": snapshot_ids(school=own) | snapshot_ids(scope="municipality", municipality=region.north),
        "regional": snapshot_ids(school__in=[own, neighbour])
        | snapshot_ids(scope="municipality", municipality__region=region.region),
        "teacher": snapshot_ids(scope="school", school=own) | snapshot_ids(school_class=region.own.classes[0]),
    }[role]
    # when
    response = client.get("/api/v1/activation-snapshots/", {"page_size": 500})
    # then
    assert ids(response) == expected


def test_snapshots_filter_by_period_scope_and_school(client, region):
    # given
    client.force_login(region.login("regional"))
    url = "/api/v1/activation-snapshots/"
    # when
    municipal = client.get(url, {"scope": "municipality"})
    early = client.get(url, {"date_from": "2026-09-01", "date_to": "2026-09-01", "school": region.own.school.pk})
    foreign = client.get(url, {"school": region.far.school.pk})
    # then
    assert ids(municipal) == snapshot_ids(scope="municipality", municipality__region=region.region)
    expected = ActivationSnapshot.objects.filter(day=EARLY, school=region.own.school)
    assert ids(early) == set(expected.values_list("pk", flat=True)) and expected.exists()
    assert ids(foreign) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-11-20", "date_to": "2026-11-01"}, "date_from"),
        ({"date_from": "2025-01-01", "date_to": "2026-11-19"}, "date_to"),
        ({"date_from": "first of May"}, "date_from"),
        ({"scope": "country"}, "scope"),
    ],
)
def test_bad_snapshot_parameters_are_problems_naming_the_field(client, region, params, field):
    # given
    client.force_login(region.login("regional"))
    # when
    response = client.get("/api/v1/activation-snapshots/", params, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert is_problem(response, 400, field)


@pytest.mark.parametrize(("role", "listed", "foreign"), SCOPES)
def test_each_role_reads_the_reconciliations_of_its_scope_teachers_none(client, region, role, listed, foreign):
    # given
    client.force_login(region.login(role))
    # when
    response = client.get("/api/v1/reconciliations/")
    other = client.get(f"/api/v1/reconciliations/{region.reconciliations[foreign].pk}/")
    own = client.get(f"/api/v1/reconciliations/{region.reconciliations['own'].pk}/")
    # then
    expected = set() if role == "teacher" else {region.reconciliations[name].pk for name in listed}
    assert ids(response) == expected
    assert is_problem(other, 404)
    assert own.status_code == (404 if role == "teacher" else 200)


def test_a_reconciliation_comes_with_its_items_and_filters_by_school(client, region):
    # given
    client.force_login(region.login("regional"))
    reconciliation = region.reconciliations["own"]
    # when
    detail = client.get(f"/api/v1/reconciliations/{reconciliation.pk}/").json()
    listed = client.get("/api/v1/reconciliations/", {"school": region.neighbour.school.pk})
    # then
    assert [item["id"] for item in detail["items"]] == list(reconciliation.items.values_list("pk", flat=True))
    assert detail["items"] and {"category", "role", "name", "resolution"} <= set(detail["items"][0])
    assert "items" not in listed.json()["results"][0]
    assert ids(listed) == {region.reconciliations["neighbour"].pk}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/schools/",
        "/api/v1/classes/",
        "/api/v1/weekly-activity/",
        "/api/v1/activation-snapshots/",
        "/api/v1/reconciliations/",
    ],
)
def test_the_lists_take_the_same_queries_for_few_and_many_schools(client, region, url, django_assert_num_queries):
    # given
    client.force_login(region.login("regional"))

    def grow():
        schools = [school_build(municipality=region.north, classes=2, students=3) for _ in range(2)]
        figures_add(*schools)
        for data in schools:
            reconciliation_add(data)

    # when
    response = assert_constant_queries(client, url, grow, django_assert_num_queries)
    # then
    assert response.json()["results"]
