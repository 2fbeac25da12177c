"""The REST API's shared behaviour, on the classes app's endpoints: scopes as the pages', errors as RFC 9457
problem details in the language the script asks for, cursor pages."""

import pytest

from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin

pytestmark = [pytest.mark.django_db]
PROBLEM = "application/problem+json"


@pytest.fixture
def regions():
    own, other = RegionFactory(code="R1"), RegionFactory(code="R2")
    return {
        "own": own,
        "other": other,
        "north": MunicipalityFactory(region=own, code="N"),
        "south": MunicipalityFactory(region=own, code="S"),
        "far": MunicipalityFactory(region=other, code="F"),
    }


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def test_a_regional_administrator_reads_their_region_and_its_municipalities_only(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    # when
    listed = client.get("/api/v1/regions/"), client.get("/api/v1/municipalities/")
    foreign = (
        client.get(f"/api/v1/regions/{regions['other'].pk}/"),
        client.get(f"/api/v1/municipalities/{regions['far'].pk}/"),
    )
    # then
    assert ids(listed[0]) == {regions["own"].pk}
    assert ids(listed[1]) == {regions["north"].pk, regions["south"].pk}
    assert [response.status_code for response in foreign] == [404, 404]


def test_a_municipal_administrator_reads_their_municipality_only_and_no_region(client, regions):
    # given
    client.force_login(municipal_admin(regions["north"]))
    # when
    municipalities = client.get("/api/v1/municipalities/")
    region = client.get(f"/api/v1/regions/{regions['own'].pk}/")
    # then
    assert ids(municipalities) == {regions["north"].pk}
    assert region.status_code == 404


def test_a_school_administrator_reads_no_municipality(client, regions):
    # given
    client.force_login(school_admin(SchoolFactory(municipality=regions["north"])))
    # then
    assert ids(client.get("/api/v1/municipalities/")) == set()
    assert client.get(f"/api/v1/municipalities/{regions['north'].pk}/").status_code == 404


def test_errors_are_problem_details_in_the_language_asked_for(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    url = f"/api/v1/municipalities/{regions['far'].pk}/"
    # when
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert russian["Content-Type"] == PROBLEM
    problem = english.json()
    assert (problem["status"], problem["title"], problem["instance"]) == (404, "Not found", url)
    assert russian.json()["title"] != problem["title"]


def test_an_anonymous_request_gets_a_problem_not_a_login_page(client, regions):
    # when
    response = client.get("/api/v1/regions/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == response.status_code


def test_lists_come_in_cursor_pages(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    # when
    first = client.get("/api/v1/municipalities/", {"page_size": 1}).json()
    second = client.get(first["next"]).json()
    # then
    assert len(first["results"]) == 1 and first["previous"] is None
    assert {first["results"][0]["id"], second["results"][0]["id"]} == {regions["north"].pk, regions["south"].pk}


def test_lists_filter_and_order(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    # when
    filtered = client.get("/api/v1/municipalities/", {"code": "S"}).json()["results"]
    # then
    assert [item["code"] for item in filtered] == ["S"]


def test_an_address_no_endpoint_answers_is_a_problem_under_the_api_and_a_page_elsewhere(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    # when
    api = client.get("/api/v1/roster-uploads/-1/confirm/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/no-such-page/")
    # then
    assert (api.status_code, api["Content-Type"], api.json()["title"]) == (404, PROBLEM, "Not found")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_an_id_beyond_the_databases_range_is_not_found_and_in_a_filter_is_a_problem(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    huge = 10**20
    # when
    detail = client.get(f"/api/v1/municipalities/{huge}/")
    listed = client.get("/api/v1/municipalities/", {"region": huge})
    fraction = client.get("/api/v1/municipalities/", {"region": "1.5"})
    # then
    assert detail.status_code == 404
    assert (listed.status_code, fraction.status_code) == (400, 400)
    assert "region" in listed.json()["errors"]


def test_a_404_says_not_found_in_the_language_asked_for_without_naming_the_model(client, regions):
    # given
    client.force_login(regional_admin(regions["own"]))
    # when
    russian = client.get(f"/api/v1/municipalities/{regions['far'].pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    english = client.get(f"/api/v1/municipalities/{regions['far'].pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    # then
    assert "Municipality" not in english["detail"] and english["detail"] == "Not found."
    assert russian["detail"] != english["detail"]
