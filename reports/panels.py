"""Dashboard panels: the quarterly reconciliation and the arrivals and departures queue, with their pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from classes.models import RosterChange, School
from classes.roster_changes import roster_changes_for_school, roster_changes_overdue
from reports.models import Reconciliation
from reports.reconciliation.selectors import reconciliation_statuses

ROSTER_CHANGES_SHOWN = 5


State = Reconciliation.State
# The CSS state of each reconciliation status (colour goes with the words, never alone).
RECONCILIATION_STATES = {State.DONE: "ok", State.OVERDUE: "bad", State.DUE: "warn", State.IN_PROGRESS: "warn"}


@dataclass
class ReconciliationPanel:
    """This quarter's roster reconciliation of a school as the dashboard shows it."""

    status: str = ""
    label: str = ""
    reconciliation: object | None = None
    url: str = ""

    @property
    def state(self) -> str:
        return RECONCILIATION_STATES.get(self.status, "none")


def _reconciliation_panel(found: tuple | None, url: str) -> ReconciliationPanel:
    if found is None:
        return ReconciliationPanel(status="", label=_("no data"), url=url)
    status, reconciliation = found
    return ReconciliationPanel(
        status=str(status), label=str(State(status).label), reconciliation=reconciliation, url=url
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


def roster_changes_panel(*, school: School, day: date) -> RosterChangesPanel:
    """Return the school's open roster changes, overdue first (the first ROSTER_CHANGES_SHOWN), and the counts."""
    queue = roster_changes_for_school(school=school, day=day, states=OPEN_STATES).order_by(
        "-overdue", "reported_at", "pk"
    )
    return RosterChangesPanel(
        overdue=roster_changes_overdue(school=school, day=day).count(),
        open=queue.count(),
        items=list(queue[:ROSTER_CHANGES_SHOWN]),
        url=reverse("roster-changes", kwargs={"school_id": school.pk}),
    )
