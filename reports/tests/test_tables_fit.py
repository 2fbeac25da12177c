"""Tables that fit: every data table of the main pages sits in a scroll frame and labels every cell with its column
(the CSS turns a row into a card on a phone from those labels), on the seeded demo.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from classes.models import School
from classes.models import User

from .demo_pages import main_pages

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


def audit(html: str) -> list[dict]:
    parser = TableAudit()
    parser.feed(html)
    return parser.tables


def test_every_table_of_the_main_pages_is_framed_and_labels_every_cell(client):
    # given: the demo
    call_command("seed_demo", "--schools", "1", stdout=StringIO())
    school = School.objects.get(code="DEMO-1")
    pages = main_pages(school)
    # and the roster's own pages: an import's details and a student's history
    pages["demo_admin"] += [
        reverse("roster-import-detail", kwargs={"school_id": school.pk, "import_id": school.roster_imports.first().pk}),
        reverse("student-detail", kwargs={"student_id": school.students.first().pk}),
    ]
    checked, found = 0, []
    for username, urls in pages.items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            # when
            response = client.get(url)
            assert response.status_code == 200, url
            tables = audit(response.content.decode())
            # then
            found += [(url, table["id"], "not framed") for table in tables if not table["framed"]]
            found += [(url, table["id"], table["unlabelled"][:3]) for table in tables if table["unlabelled"]]
            checked += sum(table["cells"] for table in tables)
    assert found == [], "\n".join(map(str, found))
    assert checked > 1000
