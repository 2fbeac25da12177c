"""What a stranger sends never runs in a user's browser: escaped error pages, a Content-Security-Policy without
'unsafe-inline', the other security headers, and pages with no inline script or style for the policy to block.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from chats.tests.scenario import school_build
from classes.tests.factories import UserFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

PAYLOAD = "<img src=x onerror=alert(document.cookie)>"
SCHOOL_EXPORTS = ["school-classes-export", "teacher-activity-export", "chat-registry-export"]


class InlineCode(HTMLParser):
    """Collect what a policy without unsafe-inline blocks: inline scripts, <style>, style= and on…= attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script_open = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._script_open = "src" not in names and names.get("type", "text/javascript") in (
                "text/javascript",
                "module",
                "",
            )
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_open = False

    def handle_data(self, data):
        if self._script_open and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


# Finding 1: reflected XSS in the export views


@pytest.mark.parametrize("name", SCHOOL_EXPORTS)
def test_an_unknown_export_format_is_an_escaped_page_on_every_school_export(client, name):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(reverse(name, kwargs={"school_id": data.school.pk}), {"format": PAYLOAD})
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "<img" not in body
    assert "«&lt;img src=x onerror=…»" in body  # escaped, and cut short
    assert "is not an export format" in body


def test_an_unknown_export_format_is_an_escaped_page_on_the_municipal_export(client):
    # given
    data = school_build()
    client.force_login(municipal_admin(data.school.municipality))
    # when
    response = client.get(reverse("municipal-export"), {"format": PAYLOAD})
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "<img" not in body
    assert "is not an export format" in body


# The security headers


def test_a_page_has_a_content_security_policy_without_unsafe_inline_and_the_other_headers(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk}))
    # then
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_has_the_policy_too(client):
    response = client.get(reverse("account_login"))
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert csp_directives(response)["script-src"] == ["'self'"]


# The pages hold nothing inline that the policy would block


def main_pages(client) -> dict[str, str]:
    data = school_build(classes=2)
    led = data.classes[0]
    pages = {}
    client.force_login(school_admin(data.school))
    for name in (
        "school-dashboard",
        "class-list",
        "class-create",
        "chat-registry",
        "school-teacher-activity",
        "roster-upload",
        "roster-changes",
        "reconciliation",
        "staff-logins",
        "school-profile",
        "sync-list",
    ):
        pages[name] = reverse(name, kwargs={"school_id": data.school.pk})
    pages["class-detail"] = reverse("class-detail", kwargs={"class_id": led.pk})
    pages["export-html"] = reverse("school-classes-export", kwargs={"school_id": data.school.pk}) + "?format=html"
    found = {path: client.get(path) for path in pages.values()}
    client.force_login(teacher_user(data))
    for path in (
        reverse("teacher-home"),
        reverse("teacher-class", kwargs={"class_id": led.pk}),
        reverse("qr-sheet", kwargs={"class_id": led.pk}),
        reverse("teacher-activity"),
        reverse("roster-change-report", kwargs={"class_id": led.pk}),
    ):
        found[path] = client.get(path)
    client.force_login(municipal_admin(data.school.municipality))
    for path in (reverse("municipal-overview"), reverse("admin-logins")):
        found[path] = client.get(path)
    client.logout()
    found[reverse("account_login")] = client.get(reverse("account_login"))
    found[reverse("account_reset_password")] = client.get(reverse("account_reset_password"))
    return found


def test_the_main_pages_have_no_inline_script_style_or_handler(client):
    # given
    responses = main_pages(client)
    # when
    found = {path: inline_code(response.content.decode()) for path, response in responses.items()}
    # then
    assert {path: response.status_code for path, response in responses.items()} == dict.fromkeys(responses, 200)
    assert {path: items for path, items in found.items() if items} == {}


def test_htmx_is_told_not_to_inject_styles_nor_to_evaluate_code(client):
    # given
    client.force_login(UserFactory())
    # when
    html = client.get(reverse("home")).content.decode()
    # then
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


# The Django admin under the policy


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/classes/school/", "/admin/classes/school/add/", "/admin/classes/schoolclass/add/"],
)
def test_the_admin_pages_render_under_the_policy(client, path):
    # given
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # when
    response = client.get(path)
    # then
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert inline_code(response.content.decode()) == []
