"""School weeks (classes/calendar.py): ISO week labels, bounds in a time zone, school days, last complete week."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from classes.calendar import WeekFormatError
from classes.calendar import last_complete_week
from classes.calendar import school_days
from classes.calendar import week_bounds
from classes.calendar import week_label
from classes.calendar import week_parse
from classes.calendar import week_start


@pytest.mark.parametrize(
    ("text", "monday"),
    [("2026-W47", date(2026, 11, 16)), ("2026W01", date(2025, 12, 29)), (" 2026-w53 ", date(2026, 12, 28))],
)
def test_an_iso_week_parses_to_its_monday(text, monday):
    assert week_parse(text) == monday


@pytest.mark.parametrize("text", ["", "47", "2026-47", "2026-W4", "W47-2026", "2025-W53", "2026-W00"])
def test_anything_else_is_refused_with_a_sentence(text):
    with pytest.raises(WeekFormatError) as failure:
        week_parse(text)
    assert str(failure.value).endswith("like 2026-W47.")


def test_label_and_start_of_any_day_of_the_week():
    assert week_label(date(2026, 11, 22)) == "2026-W47"
    assert week_start(date(2026, 11, 22)) == date(2026, 11, 16)
    assert week_label(date(2027, 1, 1)) == "2026-W53"


def test_week_bounds_are_monday_midnight_to_monday_midnight_in_the_zone():
    assert week_bounds(date(2026, 11, 16), "Europe/Moscow") == (
        datetime(2026, 11, 15, 21, tzinfo=UTC),
        datetime(2026, 11, 22, 21, tzinfo=UTC),
    )
    assert week_bounds(date(2026, 11, 18), "Asia/Novosibirsk") == (
        datetime(2026, 11, 15, 17, tzinfo=UTC),
        datetime(2026, 11, 22, 17, tzinfo=UTC),
    )


def test_week_bounds_follow_a_daylight_saving_change():
    # Berlin moves to summer time on Sunday 29 March 2026: the week is an hour shorter
    start, end = week_bounds(date(2026, 3, 23), "Europe/Berlin")
    assert (start, end) == (datetime(2026, 3, 22, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))


def test_school_days_are_monday_to_friday_outside_holidays():
    monday = date(2026, 11, 2)
    assert school_days(monday, []) == [date(2026, 11, d) for d in range(2, 7)]
    assert school_days(monday, [(date(2026, 10, 25), date(2026, 11, 3))]) == [date(2026, 11, d) for d in (4, 5, 6)]
    assert school_days(monday, [(date(2026, 10, 25), date(2026, 11, 8))]) == []


def test_the_last_complete_week_is_the_one_before_the_current():
    assert last_complete_week(date(2026, 11, 23)) == date(2026, 11, 16)
    assert last_complete_week(date(2026, 11, 22)) == date(2026, 11, 9)
