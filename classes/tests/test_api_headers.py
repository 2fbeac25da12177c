"""The API's responses carry the site's security headers, a strong ETag answered by 304 on If-None-Match, and a Vary
naming what their body depends on (language, token, session)."""

import pytest

from classes.models import Region
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import regional_admin

pytestmark = [pytest.mark.django_db]
URL = "/api/v1/municipalities/"


@pytest.fixture
def admin_client(client):
    region = RegionFactory(code="R1")
    MunicipalityFactory(region=region, code="N")
    client.force_login(regional_admin(region))
    return client


def vary(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("Vary", "").split(",")}


def test_an_api_response_carries_the_security_headers(admin_client):
    # when
    response = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")
    # then
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Content-Language"] == "ru"


def test_a_read_answers_with_a_strong_etag_and_vary(admin_client):
    # when
    response = admin_client.get(URL)
    # then
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert {"accept-language", "authorization", "cookie"} <= vary(response)


def test_a_matching_if_none_match_answers_304_with_no_body_and_the_headers(admin_client):
    # given
    etag = admin_client.get(URL)["ETag"]
    # when
    response = admin_client.get(URL, HTTP_IF_NONE_MATCH=etag)
    # then
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert {"accept-language", "authorization", "cookie"} <= vary(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_a_stale_etag_or_a_changed_body_answers_200(admin_client):
    # given
    etag = admin_client.get(URL)["ETag"]
    stale = admin_client.get(URL, HTTP_IF_NONE_MATCH='"stale"')
    # when
    MunicipalityFactory(region=Region.objects.get(code="R1"), code="S")
    changed = admin_client.get(URL, HTTP_IF_NONE_MATCH=etag)
    # then
    assert stale.status_code == 200
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_head_answers_with_the_same_etag_as_get(admin_client):
    # given
    etag = admin_client.get(URL)["ETag"]
    # when
    head = admin_client.head(URL)
    conditional = admin_client.head(URL, HTTP_IF_NONE_MATCH=etag)
    # then
    assert head["ETag"] == etag
    assert conditional.status_code == 304


def test_errors_and_pages_outside_the_api_get_no_etag(admin_client):
    # when
    missing = admin_client.get(f"{URL}999999/")
    page = admin_client.get("/accounts/login/")
    # then
    assert missing.status_code == 404
    assert "ETag" not in missing
    assert "ETag" not in page
