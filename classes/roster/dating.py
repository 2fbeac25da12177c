"""Since when the people of a roster count (DESIGN.md, "Definitions": "Since when people count").

- People on a school's **first** roster (the school has nobody on its roster yet) count from the start of the
  current academic year, or from the day the file gives in its optional columns «Работает с» (`employed_from`,
  staff) and «Зачислен с» (`enrolled_from`, students). An enrollment is in a class of the current year, so it
  never starts before the year does; an employment keeps the day the file gives.
- Later imports date arrivals and departures from the import day, or from the `--as-of` day (the upload page's
  "changes happened on" field) for a file that shows an earlier day. A file's own day still wins for a new person.
- A day after the import day, or an `--as-of` day before the current academic year, is an error.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from classes import clock
from classes.models import AcademicYear
from classes.models import School
from classes.roster.columns import COLUMNS_BY_KEY
from classes.roster.validation import SINCE_COLUMNS
from classes.roster.validation import PersonRow
from classes.roster.validation import Roster
from classes.services import academic_year_starting_year
from classes.tabular.errors import RowError


class RosterDateError(ValueError):
    """The `--as-of` day cannot be used: it is in the future or before the current academic year."""


def academic_year_start(*, school: School, on: date) -> date:
    """Return the first day of the school's academic year containing `on` (1 September when none is stored)."""
    stored = (
        AcademicYear.objects.current_on(on)
        .filter(school=school)
        .order_by("-starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    return stored or date(academic_year_starting_year(on), 9, 1)


def roster_as_of_check(*, school: School, as_of: date) -> date:
    """Return `as_of` when a roster may be dated from it; raise RosterDateError saying why not.

    Allowed: from the start of the current academic year to today, in the school's time zone.
    """
    today = clock.today(school.tz)
    if as_of > today:
        raise RosterDateError(
            _("The day %(day)s is in the future; give the day the file shows, %(today)s at the latest.")
            % {"day": as_of.isoformat(), "today": today.isoformat()}
        )
    start = academic_year_start(school=school, on=today)
    if as_of < start:
        raise RosterDateError(
            _(
                "The day %(day)s is before the current academic year, which began on %(start)s; "
                "give a day of this academic year."
            )
            % {"day": as_of.isoformat(), "start": start.isoformat()}
        )
    return as_of


def roster_dates_check(*, roster: Roster, on: date) -> list[RowError]:
    """Return an error for every person whose «Работает с» / «Зачислен с» day is after the import day."""
    errors = []
    for person in (*roster.staff, *roster.students):
        if person.since is not None and person.since > on:
            column = COLUMNS_BY_KEY[SINCE_COLUMNS[person.role]]
            errors.append(
                RowError(
                    row=person.row,
                    column=column.russian,
                    message=_(
                        "%(day)s is after the day of this import (%(on)s); a person counts from a day that has "
                        "come. Correct the day or leave it empty."
                    )
                    % {"day": person.since.isoformat(), "on": on.isoformat()},
                )
            )
    return errors


def person_since(*, person: PersonRow, first: bool, year_start: date, on: date) -> date:
    """Return the day a new person of the file counts from (see the module's rules)."""
    if person.since is not None:
        return max(person.since, year_start) if person.role == "student" else person.since
    return year_start if first else on
