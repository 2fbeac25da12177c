"""Dashboard panels: the quarterly reconciliation, the arrivals and departures queue, the classes below target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from django.utils.translation import pgettext

from classes.models import RosterChange
from classes.models import School
from classes.roster_changes import roster_changes_for_school
from classes.school_days import SchoolCalendar
from reports.models import Reconciliation
from reports.reconciliation.selectors import reconciliation_statuses
from reports.selectors import ClassesBelowTarget
from reports.selectors import SchoolMetrics
from reports.templatetags.report_format import target_percent

ROSTER_CHANGES_SHOWN = 5


State = Reconciliation.State
# The CSS state of each reconciliation status (colour goes with the words, never alone).
RECONCILIATION_STATES = {State.DONE: "ok", State.OVERDUE: "bad", State.DUE: "warn", State.IN_PROGRESS: "warn"}


@dataclass
class ReconciliationPanel:
    """This quarter's roster reconciliation of a school as the dashboard shows it."""

    status: str = ""
    label: str = ""
    reconciliation_id: int | None = None
    url: str = ""

    @property
    def state(self) -> str:
        return RECONCILIATION_STATES.get(self.status, "none")


def _reconciliation_panel(found: tuple | None, url: str) -> ReconciliationPanel:
    if found is None:
        return ReconciliationPanel(status="", label=_("no data"), url=url)
    status, reconciliation_id = found
    return ReconciliationPanel(
        status=str(status), label=str(State(status).label), reconciliation_id=reconciliation_id, url=url
    )


def reconciliation_panels(*, schools: Sequence[School], days: dict[int, date]) -> dict[int, ReconciliationPanel]:
    """Return {school id: ReconciliationPanel} for the schools on their own days (a fixed number of queries per day)."""
    by_day: dict[date, list[School]] = {}
    for school in schools:
        by_day.setdefault(days[school.pk], []).append(school)
    result: dict[int, ReconciliationPanel] = {}
    for day, day_schools in by_day.items():
        found = reconciliation_statuses(schools=day_schools, day=day)
        for school in day_schools:
            url = reverse("reconciliation", kwargs={"school_id": school.pk})
            result[school.pk] = _reconciliation_panel(found.get(school.pk), url)
    return result


@dataclass
class RosterChangesPanel:
    """The arrivals and departures queue of a school: open items overdue first, and how many are overdue."""

    overdue: int = 0
    open: int = 0
    items: list = field(default_factory=list)
    url: str = ""


OPEN_STATES = (RosterChange.State.REPORTED, RosterChange.State.PROCESSED)


def roster_changes_panel(*, school: School, day: date, calendar: SchoolCalendar | None = None) -> RosterChangesPanel:
    """Return the school's open roster changes, overdue first (the first ROSTER_CHANGES_SHOWN), and the counts.

    Two queries: the school's holidays (for the overdue cutoff; none when the caller gives its calendar) and the
    open changes, counted here; a school's open queue is short (changes are processed within days).
    """
    queue = list(
        roster_changes_for_school(school=school, day=day, states=OPEN_STATES, calendar=calendar).order_by(
            "-overdue", "reported_at", "pk"
        )
    )
    return RosterChangesPanel(
        overdue=sum(change.overdue for change in queue),
        open=len(queue),
        items=queue[:ROSTER_CHANGES_SHOWN],
        url=reverse("roster-changes", kwargs={"school_id": school.pk}),
    )


@dataclass
class BelowTargetPanel:
    """How many classes are below target, in words, with the links to the classes table filtered to them."""

    counts: ClassesBelowTarget
    text: str
    students_text: str
    parents_text: str
    url: str

    def link(self, which: str) -> str:
        return f"{self.url}?below_target={which}#classes"

    @property
    def any_url(self) -> str:
        return self.link("any")

    @property
    def students_url(self) -> str:
        return self.link("students")

    @property
    def parents_url(self) -> str:
        return self.link("parents")


def below_target_panel(*, metrics: SchoolMetrics, url: str) -> BelowTargetPanel:
    """Return «10 classes below 90 %», «students — 6», «parents — 5» of the school (targets from its settings).

    `url` is the page of the classes table (the dashboard); the links filter it to the failing classes.
    """
    counts = metrics.below_target
    targets = [metrics.students.target, metrics.parents.target]
    target = (
        target_percent(targets[0])
        if targets[0] == targets[1]
        else " / ".join(target_percent(value) for value in targets)
    )
    text = npgettext(
        "classes below target", "%(count)d class below %(target)s", "%(count)d classes below %(target)s", counts.any
    ) % {"count": counts.any, "target": target}
    return BelowTargetPanel(
        counts=counts,
        text=text,
        students_text=pgettext("classes below target", "students — %(count)d") % {"count": counts.students},
        parents_text=pgettext("classes below target", "parents — %(count)d") % {"count": counts.parents},
        url=url,
    )
