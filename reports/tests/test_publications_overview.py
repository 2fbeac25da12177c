"""The overviews' "materials last week" column: stored per school by the daily summary, summed for the
municipality and the region, shown in the tables and in the exports."""

import csv
import io
from datetime import UTC
from datetime import datetime

import pytest
from django.urls import reverse

from chats.materials import attachment_bits
from chats.models import Chat
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from chats.tests.scenario import school_build
from classes.models import School
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from reports.summaries import school_summaries_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
LAST_WEEK = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def municipality_with_materials(counts=(3, 2), region=None):
    municipality = MunicipalityFactory(region=region)
    for count in counts:
        data = school_build(municipality=municipality)
        chat = ChatFactory(school=data.school, kind=Chat.Kind.CHANNEL)
        for number in range(count):
            MessageFactory(
                chat=chat, sent_at=LAST_WEEK, attachments=attachment_bits(["video", "link"][: number % 2 + 1])
            )
    schools = School.objects.filter(municipality=municipality).select_related("municipality__region")
    school_summaries_build(schools=schools)
    return municipality


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def test_the_municipal_overview_shows_each_school_and_the_sum(client):
    # given: 3 messages carrying 1, 2, 1 materials; 2 carrying 1, 2
    municipality = municipality_with_materials()
    client.force_login(municipal_admin(municipality))
    # when
    response = client.get(reverse("municipal-overview"))
    # then
    overview = response.context["overview"]
    assert sorted(row.metrics.materials_last_week for row in overview.rows) == [3, 4]
    assert overview.totals.materials_last_week == 7
    assert "materials last week: 7" in response.content.decode()


def test_the_municipal_export_has_the_column_and_the_total(client):
    municipality = municipality_with_materials()
    client.force_login(municipal_admin(municipality))
    rows = csv_rows(client.get(reverse("municipal-export"), {"format": "csv"}))
    assert sorted(row["Materials last week"] for row in rows) == ["3", "4", "7"]


def test_the_region_sums_its_municipalities(client):
    region = RegionFactory()
    first = municipality_with_materials((3, 2), region=region)
    second = municipality_with_materials((), region=region)
    school_build(municipality=second)
    school_summaries_build(schools=School.objects.filter(municipality=second).select_related("municipality__region"))
    municipality_with_materials((1,), region=RegionFactory())  # another region
    client.force_login(regional_admin(region))
    overview = client.get(reverse("region-overview")).context["overview"]
    assert {row.municipality.pk: row.materials_last_week for row in overview.rows} == {first.pk: 7, second.pk: 0}
    assert overview.totals.materials_last_week == 7
    rows = csv_rows(client.get(reverse("region-export"), {"format": "csv"}))
    assert sorted(row["Materials last week"] for row in rows) == ["0", "7", "7"]
