"""The roster changes endpoint (/api/v1/roster-changes/): arrivals and departures of the request's schools, a
teacher's own reports only; filters, problem details, constant queries."""

from datetime import date

import pytest

from classes.roster_changes import roster_change_report_arrival
from classes.roster_changes import roster_change_report_departure
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
URL = "/api/v1/roster-changes/"
PROBLEM = "application/problem+json"


def arrival(data, user, name: str):
    return roster_change_report_arrival(
        school_class=data.classes[0],
        last_name=name,
        first_name="Алёна",
        birth_date=None,
        on=date(2026, 11, 16),
        user=user,
    )


class Region:
    """A region's two municipalities with a school each, a school of another region; in the own school the class
    teacher reports a departure, an administrator an arrival; the other schools one arrival each."""

    def __init__(self) -> None:
        self.region = RegionFactory()
        self.north = MunicipalityFactory(region=self.region)
        self.own = school_build(municipality=self.north)
        self.neighbour = school_build(municipality=MunicipalityFactory(region=self.region))
        self.far = school_build(municipality=MunicipalityFactory(region=RegionFactory()))
        self.teacher = teacher_user(self.own)
        self.admin = school_admin(self.own.school)
        self.departure = roster_change_report_departure(
            school_class=self.own.classes[0],
            student=self.own.pupils[0][0].student,
            on=date(2026, 11, 13),
            reason="переезд",
            user=self.teacher,
        )
        self.arrival = arrival(self.own, self.admin, "Ёлкина")
        self.neighbour_change = arrival(self.neighbour, school_admin(self.neighbour.school), "Соседова")
        self.far_change = arrival(self.far, school_admin(self.far.school), "Дальняя")


@pytest.fixture
def region():
    return Region()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.mark.parametrize(
    ("login", "listed", "foreign"),
    [
        ("school", ("departure", "arrival"), "neighbour_change"),
        ("municipal", ("departure", "arrival"), "neighbour_change"),
        ("regional", ("departure", "arrival", "neighbour_change"), "far_change"),
    ],
)
def test_an_administrator_reads_the_changes_of_their_scope_only(client, region, login, listed, foreign):
    # given
    user = {
        "school": lambda: region.admin,
        "municipal": lambda: municipal_admin(region.north),
        "regional": lambda: regional_admin(region.region),
    }[login]()
    client.force_login(user)
    # when
    response = client.get(URL)
    other = client.get(f"{URL}{getattr(region, foreign).pk}/")
    # then
    assert ids(response) == {getattr(region, name).pk for name in listed}
    assert other.status_code == 404 and other["Content-Type"] == PROBLEM


def test_a_teacher_reads_the_changes_they_reported_only(client, region):
    # given
    client.force_login(region.teacher)
    # when
    response = client.get(URL)
    reported = client.get(f"{URL}{region.departure.pk}/")
    by_admin = client.get(f"{URL}{region.arrival.pk}/")
    # then
    assert ids(response) == {region.departure.pk}
    change = reported.json()
    assert (change["kind"], change["state"], change["reason"]) == ("departure", "reported", "переезд")
    assert change["student"] == region.own.pupils[0][0].student.pk
    assert by_admin.status_code == 404


def test_changes_filter_by_kind_school_and_state(client, region):
    # given
    client.force_login(regional_admin(region.region))
    # when
    arrivals = client.get(URL, {"kind": "arrival"})
    of_school = client.get(URL, {"school": region.own.school.pk, "state": "reported"})
    # then
    assert ids(arrivals) == {region.arrival.pk, region.neighbour_change.pk}
    assert ids(of_school) == {region.departure.pk, region.arrival.pk}


def test_an_unknown_kind_is_a_problem_naming_the_field(client, region):
    # given
    client.force_login(region.admin)
    # when
    response = client.get(URL, {"kind": "transfer"}, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert set(response.json()["errors"]) == {"kind"}


def test_the_list_takes_the_same_queries_for_few_and_many_changes(client, region, django_assert_num_queries):
    # given
    client.force_login(regional_admin(region.region))

    def grow():
        for _ in range(3):
            data = school_build(municipality=region.north)
            admin = school_admin(data.school)
            for name in ("Первая", "Вторая"):
                arrival(data, admin, name)

    # when
    response = assert_constant_queries(client, URL, grow, django_assert_num_queries)
    # then
    assert len(response.json()["results"]) == 3 + 6
