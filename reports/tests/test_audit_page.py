"""The audit log page and its export: each administrator reads their own scope only (a school its own, a
municipality its schools', a region everything below it), filtered by period and kind, a page at a time in
constant queries; the export is itself audited, and teachers and strangers see nothing.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from classes.models import AuditEntry
from classes.models import User
from classes.services import audit_record
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from reports.views import audit as audit_views

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW), pytest.mark.usefixtures("english")]
PAGE = "/audit/"
EXPORT = "/audit/export/"


@pytest.fixture
def world():
    """Two regions; the first with two municipalities, the first of those with two schools; one entry in each."""
    region, other_region = RegionFactory(), RegionFactory()
    municipality = MunicipalityFactory(region=region)
    neighbour = MunicipalityFactory(region=region)
    far = MunicipalityFactory(region=other_region)
    schools = {
        "own": SchoolFactory(municipality=municipality, short_name="Школа 1"),
        "sibling": SchoolFactory(municipality=municipality, short_name="Школа 2"),
        "neighbour": SchoolFactory(municipality=neighbour, short_name="Школа 3"),
        "far": SchoolFactory(municipality=far, short_name="Школа 4"),
    }
    for name, school in schools.items():
        audit_record(user=None, action="sync.run.end", description=f"entry of {name}", school=school)
    audit_record(
        user=None, action="settings.municipality", description="entry of municipality", municipality=municipality
    )
    audit_record(user=None, action="settings.region", description="entry of region", region=region)
    return {"region": region, "municipality": municipality, "schools": schools}


def described(response) -> set[str]:
    text = response.content.decode()
    names = ["own", "sibling", "neighbour", "far", "municipality", "region"]
    return {name for name in names if f"entry of {name}" in text}


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("school", {"own"}),
        ("municipal", {"own", "sibling", "municipality"}),
        ("regional", {"own", "sibling", "neighbour", "municipality", "region"}),
    ],
)
def test_each_administrator_reads_their_own_scope_only(client, world, role, sees):
    # given
    user = {
        "school": lambda: school_admin(world["schools"]["own"]),
        "municipal": lambda: municipal_admin(world["municipality"]),
        "regional": lambda: regional_admin(world["region"]),
    }[role]()
    client.force_login(user)
    # when
    response = client.get(PAGE)
    # then
    assert response.status_code == 200
    assert described(response) == sees


def test_a_teacher_is_refused_and_the_anonymous_sent_to_log_in(client, world):
    # given
    school = world["schools"]["own"]
    teacher = UserFactory(role=User.Role.TEACHER, school=school, staff=StaffFactory(school=school))
    # when
    anonymous = client.get(PAGE)
    client.force_login(teacher)
    refused = client.get(PAGE), client.get(EXPORT)
    # then
    assert anonymous.status_code == 302
    assert [response.status_code for response in refused] == [403, 403]


def test_the_filter_keeps_the_kind_and_the_period(client, world):
    # given: an old settings entry of the school, outside the default 30 days
    school = world["schools"]["own"]
    old = audit_record(user=None, action="settings.school", description="entry of the past", school=school)
    AuditEntry.objects.filter(pk=old.pk).update(created_at=NOW - timedelta(days=40))
    client.force_login(school_admin(school))
    # when
    default = client.get(PAGE)
    settings_only = client.get(PAGE, {"kind": "settings", "date_from": "2026-10-01", "date_to": "2026-11-19"})
    # then
    assert "entry of the past" not in default.content.decode()
    text = settings_only.content.decode()
    assert "entry of the past" in text and "entry of own" not in text


def test_a_reversed_or_too_long_period_says_what_to_do(client, world):
    # given
    client.force_login(school_admin(world["schools"]["own"]))
    # when
    reversed_period = client.get(PAGE, {"date_from": "2026-11-19", "date_to": "2026-11-01"})
    too_long = client.get(EXPORT, {"date_from": "2024-01-01", "date_to": "2026-11-19"})
    # then
    assert "swap the dates" in reversed_period.content.decode()
    assert too_long.status_code == 400
    assert "narrow the period" in too_long.content.decode()


def test_the_export_holds_the_pages_entries_and_is_itself_audited(client, world):
    # given
    user = municipal_admin(world["municipality"])
    client.force_login(user)
    # when
    response = client.get(EXPORT, {"format": "csv"})
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows)
    assert "entry of own" in text and "entry of sibling" in text and "entry of far" not in text
    entry = AuditEntry.objects.get(action="export.audit.csv")
    assert (entry.user, entry.municipality, entry.school) == (user, world["municipality"], None)


def test_the_xlsx_export_opens(client, world):
    # given
    client.force_login(regional_admin(world["region"]))
    # when
    response = client.get(EXPORT)
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "entry of neighbour" in values
    assert AuditEntry.objects.get(action="export.audit.xlsx").region == world["region"]


def test_an_export_over_the_limit_asks_for_a_shorter_period(client, world, monkeypatch):
    # given
    monkeypatch.setattr(audit_views, "EXPORT_MAX_ROWS", 2)
    client.force_login(regional_admin(world["region"]))
    # when
    response = client.get(EXPORT)
    # then
    assert response.status_code == 400
    assert "choose a shorter period" in response.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()


def test_the_page_reads_in_constant_queries(client, world, django_assert_num_queries):
    # given
    school = world["schools"]["own"]
    client.force_login(school_admin(school))

    def grow():
        for number in range(30):
            audit_record(user=None, action="roster.import", description=f"import {number}", school=school)

    # then
    assert_constant_queries(client, PAGE, grow, django_assert_num_queries, at_most=10)


def test_the_navigation_links_to_the_audit_log(client, world):
    # given
    client.force_login(municipal_admin(world["municipality"]))
    # when
    response = client.get(reverse("municipal-overview"))
    # then
    assert f'href="{PAGE}"' in response.content.decode()


def test_the_pages_links_keep_the_filter(client, world):
    # given: more entries of one kind than a page holds
    school = world["schools"]["own"]
    for number in range(audit_views.ENTRIES_PER_PAGE + 1):
        audit_record(user=None, action="roster.import", description=f"import {number}", school=school)
    client.force_login(school_admin(school))
    # when
    first = client.get(PAGE, {"kind": "roster"}).content.decode()
    second = client.get(PAGE, {"kind": "roster", "page": 2}).content.decode()
    # then
    assert 'href="?kind=roster&amp;page=2"' in first
    assert "import 0" in second and "import 50" not in second
