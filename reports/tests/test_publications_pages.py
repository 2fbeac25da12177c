"""The school's publications page: totals, channel posts, the materials and calls logs (no names of non-staff, no
text), the week and quarter periods, a bad week, pagination, the exports and their audit, access and queries."""

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activation.tests.factories import SferumAccountFactory
from chats.materials import attachment_bits
from chats.models import Chat
from chats.models import Message
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from chats.tests.scenario import school_build
from classes.models import AuditEntry
from classes.models import Quarter
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import assert_school_page_denials
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
LAST_WEEK = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # NOW is Thursday 19.11: the last complete week is 09–15.11


def page_url(school) -> str:
    return reverse("publications", kwargs={"school_id": school.pk})


def export_url(school, log="materials") -> str:
    return reverse(f"publications-{log}-export", kwargs={"school_id": school.pk})


def post(chat, author, *kinds, sent_at=LAST_WEEK, **extra):
    return MessageFactory(chat=chat, author=author, sent_at=sent_at, attachments=attachment_bits(kinds), **extra)


def world():
    """Return a school whose teacher posted materials and ran a lesson, whose student posted a photo, with a
    channel of two posts and the quarter 02.11–27.12."""
    data = school_build()
    school = data.school
    Quarter.objects.create(year=data.year, number=2, starts_on=date(2026, 11, 2), ends_on=date(2026, 12, 27))
    teacher = data.teachers[0]
    account = SferumAccountFactory(school=school, staff=teacher, role_code="teacher")
    student = SferumAccountFactory(school=school, role_code="student", last_name="Секретов", first_name="Сева")
    chats = {kind: ChatFactory(school=school, kind=kind, title=f"chat {kind}") for kind in Chat.Kind.values}
    post(chats["class"], account, "document", "photo")
    post(chats["class"], student, "photo")
    post(chats["channel"], account, "link")
    post(chats["channel"], account)
    post(chats["class"], account, "call", kind=Message.Kind.CALL, call_duration=42 * 60, call_participants=25)
    post(chats["staff"], account, "call", kind=Message.Kind.CALL)
    post(chats["class"], account, "video", sent_at=datetime(2026, 11, 3, 9, tzinfo=UTC))  # the quarter, not the week
    return data, teacher, account, student, chats


def test_the_week_shows_totals_channels_and_the_materials_log_without_names_of_children(client):
    # given
    data, teacher, *_ = world()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(page_url(data.school), {"week": "2026-W46"})
    # then
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals.materials.as_tuple() == (1, 0, 1, 2)
    assert totals.channel_posts == 2
    assert [(chat.title, chat.posts) for chat in response.context["channels"]] == [("chat channel", 2)]
    rows = response.context["rows"]
    assert len(rows) == 3
    assert {row.who for row in rows} == {teacher.full_name, "student account"}
    text = response.content.decode()
    assert "Секретов" not in text
    assert "student account" in text


def test_the_quarter_is_the_default_and_reaches_back_to_its_start(client):
    data, *_ = world()
    client.force_login(school_admin(data.school))
    response = client.get(page_url(data.school))
    assert response.context["period"].first_day == date(2026, 11, 2)
    assert response.context["totals"].materials.videos == 1


def test_without_quarters_the_last_thirteen_weeks(client):
    data, *_ = world()
    Quarter.objects.all().delete()
    client.force_login(school_admin(data.school))
    period = client.get(page_url(data.school)).context["period"]
    assert (period.first_day, period.last_day) == (date(2026, 8, 17), date(2026, 11, 15))


def test_the_calls_log_says_what_the_platform_did_not_report(client):
    data, teacher, *_ = world()
    client.force_login(school_admin(data.school))
    response = client.get(page_url(data.school), {"week": "2026-W46", "log": "calls"})
    rows = {row.call_kind: row for row in response.context["rows"]}
    assert (rows["online lesson"].duration, rows["online lesson"].participants) == ("42 min", "25")
    assert rows["staff meeting"].duration == "not reported by the platform"
    assert rows["staff meeting"].participants == "not reported by the platform"
    assert rows["online lesson"].who == teacher.full_name


def test_a_bad_week_is_said_and_the_last_week_shown(client):
    data, *_ = world()
    client.force_login(school_admin(data.school))
    response = client.get(page_url(data.school), {"week": "2026-W99"})
    assert response.status_code == 200
    assert "has no week 99" in response.context["error"]
    assert response.context["period"].week == "2026-11-09"


def test_the_log_is_paginated_by_fifty(client):
    data, _teacher, account, _student, chats = world()
    for number in range(60):
        post(chats["subject"], account, "document", sent_at=LAST_WEEK + timedelta(minutes=number))
    client.force_login(school_admin(data.school))
    first = client.get(page_url(data.school), {"week": "2026-W46"})
    second = client.get(page_url(data.school), {"week": "2026-W46", "page": 2})
    assert (len(first.context["rows"]), len(second.context["rows"])) == (50, 13)


def test_the_municipal_administrator_reads_the_page(client):
    data, *_ = world()
    client.force_login(municipal_admin(data.school.municipality))
    assert client.get(page_url(data.school)).status_code == 200


@pytest.mark.parametrize("url", [page_url, export_url, lambda school: export_url(school, "calls")])
def test_a_teacher_and_another_school_are_refused(client, url):
    data, other = school_build(), school_build()
    assert_school_page_denials(client, url(data.school), data=data, other=other)


@pytest.mark.parametrize("log", ["materials", "calls"])
def test_queries_do_not_grow_with_the_messages(client, django_assert_num_queries, log):
    data, _teacher, account, student, chats = world()
    client.force_login(school_admin(data.school))

    def grow():
        for number in range(5):
            post(chats["class"], account, "document", "call", call_duration=60)
            post(chats["channel"], SferumAccountFactory(school=data.school, role_code="parent"), "photo")
            ChatFactory(school=data.school, kind=Chat.Kind.CHANNEL, title=f"more {number}")
            post(chats["parents"], student, "link", "call")

    url = f"{page_url(data.school)}?week=2026-W46&log={log}"
    assert_constant_queries(client, url, grow, django_assert_num_queries, at_most=12)


def test_the_materials_export_is_the_log_and_is_audited(client):
    data, teacher, *_ = world()
    user = school_admin(data.school)
    client.force_login(user)
    response = client.get(export_url(data.school), {"week": "2026-W46", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert sorted(row["Materials"] for row in rows) == ["document, photo", "link", "photo"]
    assert {row["Posted by"] for row in rows} == {teacher.full_name, "student account"}
    entry = AuditEntry.objects.exclude(action="login").get()
    assert (entry.user, entry.action, entry.rows) == (user, "export.materials.csv", 3)


def test_the_calls_export_as_xlsx_is_audited(client):
    data, *_ = world()
    user = school_admin(data.school)
    client.force_login(user)
    response = client.get(export_url(data.school, "calls"), {"week": "2026-W46"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Calls log"
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "42 min" in values
    assert "not reported by the platform" in values
    entry = AuditEntry.objects.exclude(action="login").get()
    assert (entry.action, entry.rows, entry.school) == ("export.calls.xlsx", 2, data.school)


def test_a_bad_export_format_is_a_sentence(client):
    data, *_ = world()
    client.force_login(school_admin(data.school))
    response = client.get(export_url(data.school), {"format": "pdf"})
    assert response.status_code == 400
    assert not AuditEntry.objects.exclude(action="login").exists()


# The dashboard's panel


def test_the_dashboard_loads_the_panel_which_counts_the_quarter_and_the_last_week(client):
    data, *_ = world()
    client.force_login(school_admin(data.school))
    panel_url = reverse("publications-panel", kwargs={"school_id": data.school.pk})
    dashboard = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk}))
    assert f'hx-get="{panel_url}"' in dashboard.content.decode()
    response = client.get(panel_url)
    (quarter, quarter_totals, _), (_week, week_totals, week_link) = response.context["periods"]
    assert quarter.first_day == date(2026, 11, 2)
    assert (quarter_totals.materials.total, week_totals.materials.total) == (5, 4)
    assert (week_totals.calls_by_kind, week_totals.channel_posts) == ({"lesson": 1, "meeting": 1}, 2)
    assert week_link.endswith("?week=2026-11-09")


def test_the_panel_is_refused_to_a_teacher_and_another_school(client):
    data, other = school_build(), school_build()
    url = reverse("publications-panel", kwargs={"school_id": data.school.pk})
    assert_school_page_denials(client, url, data=data, other=other)


def test_the_panel_queries_do_not_grow(client, django_assert_num_queries):
    data, _teacher, account, student, chats = world()
    client.force_login(school_admin(data.school))

    def grow():
        for _number in range(5):
            post(chats["class"], account, "document", "call")
            post(chats["channel"], student, "photo")

    url = reverse("publications-panel", kwargs={"school_id": data.school.pk})
    assert_constant_queries(client, url, grow, django_assert_num_queries, at_most=6)
