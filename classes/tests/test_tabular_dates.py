"""Days, moments and weeks written in the cells of a tabular file (the roster, member lists, activity reports)."""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from classes.models import DEFAULT_TIMEZONE
from classes.tabular.dates import date_parse
from classes.tabular.dates import datetime_parse
from classes.tabular.dates import week_start_parse

W47 = date(2026, 11, 16)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-03-12", date(2015, 3, 12)),
        ("12.03.2015", date(2015, 3, 12)),
        ("1.3.2015", date(2015, 3, 1)),
        ("2015-03-12 00:00:00", date(2015, 3, 12)),
        ("12/03/2015", None),
        ("31.02.2015", None),
        ("2015", None),
    ],
)
def test_dates_are_yyyy_mm_dd_or_dd_mm_yyyy(text, expected):
    assert date_parse(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-09-01", datetime(2026, 8, 31, 21, 0, tzinfo=UTC)),
        ("2026-09-01 10:15", datetime(2026, 9, 1, 7, 15, tzinfo=UTC)),
        ("2026-09-01T10:15:30", datetime(2026, 9, 1, 7, 15, 30, tzinfo=UTC)),
        ("2026-09-01T10:15:00+00:00", datetime(2026, 9, 1, 10, 15, tzinfo=UTC)),
        ("01.09.2026", datetime(2026, 8, 31, 21, 0, tzinfo=UTC)),
        ("1.9.2026 10:15:30", datetime(2026, 9, 1, 7, 15, 30, tzinfo=UTC)),
        (date(2026, 9, 1), datetime(2026, 8, 31, 21, 0, tzinfo=UTC)),
        (datetime(2026, 9, 1, 10, 0), datetime(2026, 9, 1, 7, 0, tzinfo=UTC)),
        ("2026-13-01", None),
        ("32.01.2026", None),
        ("сентябрь", None),
        (45000, None),
    ],
)
def test_join_dates_are_read_in_the_school_zone(value, expected):
    assert datetime_parse(value, ZoneInfo(DEFAULT_TIMEZONE)) == expected


@pytest.mark.parametrize(
    ("value", "monday"),
    [
        ("2026-W47", W47),
        ("2026-w47", W47),
        ("2026-W7", date(2026, 2, 9)),
        ("2026W07", date(2026, 2, 9)),
        ("2020-W53", date(2020, 12, 28)),
        (date(2026, 11, 19), W47),
        (datetime(2026, 11, 22, 23, 0), W47),
        ("18.11.2026", W47),
    ],
)
def test_weeks_are_read_as_their_monday(value, monday):
    assert week_start_parse(value) == monday


@pytest.mark.parametrize("value", ["2026-W54", "2026-W0", "W47", "2026-47", "неделя 47"])
def test_a_bad_week_is_refused_with_a_sentence(value):
    with pytest.raises(ValueError, match="2026-W47"):
        week_start_parse(value)
