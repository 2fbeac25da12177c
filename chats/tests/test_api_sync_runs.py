"""The sync runs endpoint (/api/v1/sync-runs/): the log of the schools an administrator reads, nothing for teachers,
never a token or the worker's details; filters, problem details, constant queries."""

import pytest

from chats.models import SyncRun
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
URL = "/api/v1/sync-runs/"
PROBLEM = "application/problem+json"


class Region:
    """Two municipalities of a region with a school each, a school of another region; each school with runs."""

    def __init__(self) -> None:
        self.region = RegionFactory()
        self.north = MunicipalityFactory(region=self.region)
        self.own = school_build(municipality=self.north)
        self.neighbour = school_build(municipality=MunicipalityFactory(region=self.region))
        self.far = school_build(municipality=MunicipalityFactory(region=RegionFactory()))
        self.runs = {name: sync_runs_add(getattr(self, name).school) for name in ("own", "neighbour", "far")}

    def ids(self, *names: str) -> set[int]:
        return {run.pk for name in names for run in self.runs[name]}


@pytest.fixture
def region():
    return Region()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.mark.parametrize(
    ("login", "listed", "foreign"),
    [
        ("school", ("own",), "neighbour"),
        ("municipal", ("own",), "neighbour"),
        ("regional", ("own", "neighbour"), "far"),
    ],
)
def test_an_administrator_reads_the_runs_of_their_scope_only(client, region, login, listed, foreign):
    # given
    user = {
        "school": lambda: school_admin(region.own.school),
        "municipal": lambda: municipal_admin(region.north),
        "regional": lambda: regional_admin(region.region),
    }[login]()
    client.force_login(user)
    # when
    response = client.get(URL)
    own = client.get(f"{URL}{region.runs['own'][0].pk}/")
    other = client.get(f"{URL}{region.runs[foreign][0].pk}/")
    # then
    assert ids(response) == region.ids(*listed)
    assert own.status_code == 200 and own.json()["school"] == region.own.school.pk
    assert other.status_code == 404 and other["Content-Type"] == PROBLEM


def test_a_teacher_reads_no_sync_run_not_even_of_their_school(client, region):
    # given
    client.force_login(teacher_user(region.own))
    # when
    response = client.get(URL)
    own = client.get(f"{URL}{region.runs['own'][0].pk}/")
    # then
    assert ids(response) == set()
    assert own.status_code == 404


def test_a_run_shows_what_it_did_but_no_worker_or_token(client, region):
    # given
    client.force_login(school_admin(region.own.school))
    held = region.runs["own"][1]
    SyncRun.objects.filter(pk=held.pk).update(worker_host="worker-1", worker_pid=4242)
    # when
    run = client.get(f"{URL}{held.pk}/").json()
    # then
    assert (run["status"], run["held_removals"], run["held_reason"]) == ("held", 40, "40 of 60 memberships would end.")
    assert not {"worker_host", "worker_pid", "worker_process", "token"} & set(run)
    assert "4242" not in str(run) and "worker-1" not in str(run)


def test_runs_filter_by_status_and_school(client, region):
    # given
    client.force_login(regional_admin(region.region))
    # when
    held = client.get(URL, {"status": "held"})
    of_school = client.get(URL, {"school": region.neighbour.school.pk})
    # then
    assert ids(held) == {run.pk for name in ("own", "neighbour") for run in region.runs[name][1:]}
    assert ids(of_school) == region.ids("neighbour")


@pytest.mark.parametrize(("params", "field"), [({"status": "stuck"}, "status"), ({"school": "own"}, "school")])
def test_a_bad_filter_is_a_problem_naming_the_field(client, region, params, field):
    # given
    client.force_login(regional_admin(region.region))
    # when
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert set(response.json()["errors"]) == {field}


def test_another_regions_school_filters_like_a_school_that_does_not_exist(client, region):
    # given
    client.force_login(regional_admin(region.region))
    # when
    foreign = client.get(URL, {"school": region.far.school.pk})
    missing = client.get(URL, {"school": 10**9})
    # then
    assert ids(foreign) == ids(missing) == set()


def test_the_list_takes_the_same_queries_for_few_and_many_runs(client, region, django_assert_num_queries):
    # given
    client.force_login(regional_admin(region.region))

    def grow():
        for _ in range(3):
            sync_runs_add(school_build(municipality=region.north).school, held=2)

    # when
    response = assert_constant_queries(client, URL, grow, django_assert_num_queries)
    # then
    assert len(response.json()["results"]) == 4 + 3 * 3
