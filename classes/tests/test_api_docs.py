"""The API's OpenAPI 3.1 description and its readers (Swagger UI, ReDoc): a logged-in user's only, from static files
of the site (no CDN), under the site's Content-Security-Policy; the description generates with no warning."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from classes.tests.factories import RegionFactory
from classes.tests.scenario import regional_admin

pytestmark = [pytest.mark.django_db]
DOCS = ["/api/docs/", "/api/redoc/"]


@pytest.fixture
def admin_client(client):
    client.force_login(regional_admin(RegionFactory(code="R1")))
    return client


def csp_directives(response) -> dict[str, list[str]]:
    return {words[0]: words[1:] for part in response["Content-Security-Policy"].split(";") if (words := part.split())}


def test_the_schema_is_openapi_3_1_of_the_api_v1_paths(admin_client):
    # when
    response = admin_client.get("/api/schema/", data={"format": "json"})
    # then
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert schema["paths"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert "/api/v1/municipalities/" in schema["paths"]
    assert "Bearer sfr_" in schema["info"]["description"]
    schemes = schema["components"]["securitySchemes"]
    bearer = [s for s in schemes.values() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    assert bearer and "cookieAuth" in schemes  # personal API tokens for scripts, the session for the browser


def test_an_anonymous_caller_gets_a_problem_not_the_schema(client):
    # when
    response = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code
    assert b"openapi" not in response.content


@pytest.mark.parametrize("url", DOCS)
def test_an_anonymous_browser_is_sent_to_the_login_page(client, url):
    # when
    response = client.get(url)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", DOCS)
def test_the_readers_load_only_the_sites_static_files(admin_client, url):
    # when
    response = admin_client.get(url)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assets = re.findall(r"(?:src|href)=\"/static/([^\"?]+)\"", html)
    assert any(asset.startswith("drf_spectacular_sidecar/") for asset in assets)
    assert all(finders.find(asset) for asset in assets), assets
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_swagger_ui_starts_from_a_script_file_of_the_site(admin_client):
    # when
    page = admin_client.get("/api/docs/")
    script = admin_client.get("/api/docs/", data={"script": ""})
    # then
    assert 'src="/api/docs/?script="' in page.content.decode()
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_the_readers_policy_adds_only_what_they_need_and_no_inline_code(admin_client):
    # when
    swagger = csp_directives(admin_client.get("/api/docs/"))
    redoc_response = admin_client.get("/api/redoc/")
    redoc = csp_directives(redoc_response)
    site = csp_directives(admin_client.get("/accounts/login/"))
    # then
    for policy in (swagger, redoc):
        assert policy["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["style-src"]
        assert policy["default-src"] == ["'self'"]
    assert swagger["img-src"] == ["'self'", "data:"]
    nonce = re.search(r'data-nonce="([^"]+)"', redoc_response.content.decode()).group(1)
    assert redoc["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert redoc["worker-src"] == ["'self'", "blob:"]
    assert site["img-src"] == ["'self'"]
    assert "worker-src" not in site


def test_the_schema_generates_without_warnings(tmp_path):
    # when / then: a warning (an untyped field, a view's model not found) fails the command
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
