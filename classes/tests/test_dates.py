"""Dates as people say them: weeks, quarters and time zones in Russian and English (classes/dates.py)."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.template import Context
from django.template import Template
from django.utils import translation

from classes.dates import academic_year_short
from classes.dates import quarter_label_text
from classes.dates import quarter_text
from classes.dates import timezone_text
from classes.dates import week_short
from classes.dates import week_text

TODAY = date(2026, 12, 3)


@pytest.fixture
def russian():
    with translation.override("ru"):
        yield


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (date(2026, 11, 23), TODAY, "23–29 ноября"),  # a week inside a month
        (date(2026, 11, 26), TODAY, "23–29 ноября"),  # any day stands for its week
        (date(2026, 11, 30), TODAY, "30 ноября – 6 декабря"),  # a week spanning two months
        (date(2025, 11, 24), TODAY, "24–30 ноября 2025"),  # a week of another year gets its year
        (date(2025, 9, 29), TODAY, "29 сентября – 5 октября 2025"),
        (date(2026, 12, 28), TODAY, "28 декабря 2026 – 3 января 2027"),  # across the new year: both years
        (date(2027, 1, 1), date(2027, 1, 5), "28 декабря 2026 – 3 января 2027"),
    ],
)
def test_weeks_in_russian(day, today, expected):
    assert week_text(day, today=today) == expected


@pytest.mark.usefixtures("english")
def test_weeks_in_english():
    assert week_text(date(2026, 11, 23), today=TODAY) == "23–29 November"
    assert week_text(date(2026, 11, 30), today=TODAY) == "30 November – 6 December"
    assert week_text(date(2025, 11, 24), today=TODAY) == "24–30 November 2025"


@pytest.mark.clock("2026-12-03T12:00:00+03:00")
@pytest.mark.usefixtures("russian", "clock")
def test_the_current_year_comes_from_the_clock():
    assert week_text(date(2026, 11, 23)) == "23–29 ноября"
    assert week_text(date(2025, 11, 24)) == "24–30 ноября 2025"


def test_a_short_week_for_a_chart_axis():
    assert week_short(date(2026, 11, 23)) == "23–29.11"
    assert week_short(date(2026, 11, 2)) == "2–8.11"
    assert week_short(date(2026, 11, 30)) == "30.11–6.12"
    assert week_short(date(2026, 12, 28)) == "28.12–3.01"


@pytest.mark.usefixtures("russian")
def test_quarters_in_russian():
    assert quarter_text(year_name="2026/2027", number=2) == "II четверть 2026/27"
    assert quarter_label_text("2026/2027-Q4") == "IV четверть 2026/27"
    assert quarter_label_text("something else") == "something else"


@pytest.mark.usefixtures("english")
def test_quarters_in_english():
    assert quarter_text(year_name="2026/2027", number=1) == "Quarter I 2026/27"


def test_an_academic_year_is_shortened_only_when_it_is_one():
    assert academic_year_short("2026/2027") == "2026/27"
    assert academic_year_short("2026-2027") == "2026/27"
    assert academic_year_short("Учебный год") == "Учебный год"


@pytest.mark.usefixtures("russian")
def test_russian_time_zones_by_their_russian_names():
    at = datetime(2026, 12, 3, tzinfo=UTC)
    assert timezone_text("Europe/Moscow", at=at) == "Москва (UTC+3)"
    assert timezone_text("Europe/Kaliningrad", at=at) == "Калининград (UTC+2)"
    assert timezone_text("Asia/Yekaterinburg", at=at) == "Екатеринбург (UTC+5)"
    assert timezone_text("Asia/Kamchatka", at=at) == "Камчатка (UTC+12)"


@pytest.mark.usefixtures("english")
def test_time_zones_in_english_and_a_sane_fallback():
    winter, summer = datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    assert timezone_text("Europe/Moscow", at=winter) == "Moscow (UTC+3)"
    assert timezone_text("Europe/Berlin", at=winter) == "Berlin (UTC+1)"
    assert timezone_text("Europe/Berlin", at=summer) == "Berlin (UTC+2)"
    assert timezone_text("America/New_York", at=winter) == "New York (UTC−5)"
    assert timezone_text("Asia/Kolkata", at=winter) == "Kolkata (UTC+5:30)"
    assert timezone_text("Nowhere/Atlantis", at=winter) == "Nowhere/Atlantis"


@pytest.mark.clock("2026-12-03T12:00:00+03:00")
@pytest.mark.usefixtures("russian", "clock")
def test_the_template_filters():
    # given
    template = Template(
        "{% load human_dates %}{{ monday|week_text }} · {{ label|quarter_text }} · {{ zone|timezone_text }}"
    )
    # when
    text = template.render(Context({"monday": date(2026, 11, 30), "label": "2026/2027-Q2", "zone": "Europe/Samara"}))
    # then
    assert text == "30 ноября – 6 декабря · II четверть 2026/27 · Самара (UTC+4)"
