"""Tables that fit: every data table of the main pages sits in a scroll frame and labels every cell with its column
(the CSS turns a row into a card on a phone from those labels), on the seeded demo.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from classes.models import School, SchoolClass, User

pytestmark = [pytest.mark.slow, pytest.mark.clock(datetime(2026, 12, 3, 9, tzinfo=UTC)), pytest.mark.django_db]


class TableAudit(HTMLParser):
    """Collect, per table, whether it is inside a `.table-scroll` frame and the data cells without a data-label."""

    def __init__(self) -> None:
        super().__init__()
        self.divs: list[bool] = []
        self.tables: list[dict] = []
        self.section: str = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self.divs.append("table-scroll" in (attrs.get("class") or "").split())
        elif tag == "table":
            self.tables.append({"framed": any(self.divs), "unlabelled": [], "cells": 0, "id": attrs.get("id")})
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "td" and self.tables and self.section != "thead":
            classes = (attrs.get("class") or "").split()
            if "empty" in classes:
                return
            self.tables[-1]["cells"] += 1
            if not attrs.get("data-label"):
                self.tables[-1]["unlabelled"].append(self.getpos())

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()


def main_pages(school: School) -> dict[str, list[str]]:
    """Return the main pages of the demo's school by the login that sees them (the browser tests use them too)."""
    school_class = SchoolClass.objects.filter(school=school).order_by("grade", "letter").first()
    return {
        "demo_admin": [
            reverse("school-dashboard", kwargs={"school_id": school.pk}),
            reverse("school-teacher-activity", kwargs={"school_id": school.pk}),
            reverse("chat-registry", kwargs={"school_id": school.pk}),
            reverse("sync-list", kwargs={"school_id": school.pk}),
            reverse("staff-logins", kwargs={"school_id": school.pk}),
            reverse("class-list", kwargs={"school_id": school.pk}),
            reverse("class-detail", kwargs={"class_id": school_class.pk}),
        ],
        "demo_municipal": [reverse("municipal-overview"), reverse("admin-logins")],
        "demo_teacher": [reverse("teacher-home"), reverse("teacher-activity")],
    }


def audit(html: str) -> list[dict]:
    parser = TableAudit()
    parser.feed(html)
    return parser.tables


def test_every_table_of_the_main_pages_is_framed_and_labels_every_cell(client):
    # given: the demo
    call_command("seed_demo", "--schools", "1", stdout=StringIO())
    pages = main_pages(School.objects.get(code="DEMO-1"))
    checked = 0
    for username, urls in pages.items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            # when
            response = client.get(url)
            assert response.status_code == 200, url
            tables = audit(response.content.decode())
            # then
            assert tables or url == reverse("teacher-home"), url
            for table in tables:
                assert table["framed"], (url, table["id"])
                assert not table["unlabelled"], (url, table["id"], table["unlabelled"][:3])
                checked += table["cells"]
    assert checked > 1000
