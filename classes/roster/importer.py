"""Import the official roster: a full list of the school's staff, students and parents (roster-format.md).

Reading and checking the file is `classes.tabular.reading` and `classes.roster.validation`; deciding the changes
is `classes.roster.planning`, writing them `classes.roster.writing`; the logins of staff who leave or come back
follow in `classes.logins`. Every call leaves one `RosterImport` row.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import PurePath
from typing import Any

from django.db import transaction

from classes import clock
from classes.audit_changes import by_whom
from classes.holds import hold_release_allowed
from classes.logins import staff_logins_follow_roster
from classes.models import RosterImport
from classes.models import School
from classes.models import User
from classes.roster.dating import roster_dates_check
from classes.roster.planning import RosterPlan
from classes.roster.results import RosterImportResult
from classes.roster.validation import roster_validate
from classes.roster.writing import roster_plan_write
from classes.roster_changes import roster_changes_confirm_from_roster
from classes.services import audit_record
from classes.tabular.errors import file_errors
from classes.tabular.reading import Table
from classes.tabular.reading import TableReadError
from classes.tabular.reading import table_read

ROSTER_IMPORT = "roster.import"
ROSTER_HOLD_RELEASE = "roster.hold.release"


class _Held(Exception):
    """Raised to roll back a held import."""

    def __init__(self, result: RosterImportResult) -> None:
        super().__init__("held")
        self.result = result


class _DryRun(_Held):
    """Raised to roll back a dry run (planning may create the academic year)."""


def roster_import(
    *,
    school: School,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    confirm_removals: bool = False,
    typed_count_required: bool = False,
    removals_typed: int | None = None,
    on: date | None = None,
    user: User | None = None,
    dry_run: bool = False,
    table: Table | None = None,
    command: str = "",
) -> RosterImportResult:
    """Import a roster file into the school as of `on` (default: today in the school's time zone).

    Since when people count (DESIGN.md): people of the school's first roster from the start of the academic
    year, or from the file's «Работает с» / «Зачислен с» days; later arrivals and departures from `on`.

    A file with any bad row writes nothing (failed, every bad row listed); a file that would make more
    than 10% of the school's current people leave, or empty a class, writes nothing unless
    `confirm_removals` (held). Every call leaves one RosterImport row; an import that wrote confirms the
    arrivals and departures it agrees with. Confirmed on a page (`typed_count_required`), a hold that removes
    more than half of the people is released only when `removals_typed` is the number of people leaving
    (classes.holds); else it stays held with `typed_count_wrong`.

    `dry_run`: write nothing and log nothing; return what the import would do (its status and counts as
    if `confirm_removals` were given as passed) with `class_changes`, the changes per class. `table`: the file
    already read from `content` (by the worker or the preview page), not read again.

    An import that wrote is audited in its transaction: `roster.hold.release` when it released a hold (its
    removals confirmed), else `roster.import`; `command` names the command that ran it without a user.
    """
    on = on or clock.today(school.tz)
    log_fields = {
        "school": school,
        "user": user,
        "file_name": PurePath(filename).name[:255],
        "file_hash": hashlib.sha256(content).hexdigest(),
    }
    try:
        table = table if table is not None else table_read(content=content, filename=filename)
    except TableReadError as exc:
        errors = file_errors(str(exc))
        failed = RosterImportResult(status=RosterImport.Status.FAILED.value, errors=errors, dry_run=dry_run)
        return failed if dry_run else _logged(failed, log_fields)
    roster, errors = roster_validate(table=table, mapping=mapping)
    if roster is not None and (errors := roster_dates_check(roster=roster, on=on)):
        roster = None
    if roster is None:
        failed = RosterImportResult(status=RosterImport.Status.FAILED.value, errors=errors, dry_run=dry_run)
        return failed if dry_run else _logged(failed, log_fields)
    if dry_run:
        try:
            with transaction.atomic():
                plan = RosterPlan(school=school, roster=roster, on=on)
                plan.plan()
                plan.result.class_changes = plan.class_changes_list()
                plan.result.dry_run = True
                if plan.result.status != RosterImport.Status.HELD or confirm_removals:
                    plan.result.status = RosterImport.Status.OK.value
                raise _DryRun(plan.result)
        except _DryRun as done:
            return done.result
    try:
        with transaction.atomic():
            locked = School.objects.select_for_update().get(pk=school.pk)
            plan = RosterPlan(school=locked, roster=roster, on=on)
            result = plan.plan()
            released = result.status == RosterImport.Status.HELD
            if released:
                if not confirm_removals:
                    raise _Held(result)
                if typed_count_required and not hold_release_allowed(
                    removals=result.would_leave, current=result.current_people, typed=removals_typed
                ):
                    result.typed_count_wrong = True
                    raise _Held(result)
            result.status = RosterImport.Status.OK.value
            roster_plan_write(plan=plan)
            roster_changes_confirm_from_roster(school=locked, on=on, user=user)
            staff_logins_follow_roster(
                left=plan.staff_leaving, returned=plan.staff_returning, by=user, file_name=log_fields["file_name"]
            )
            result = _logged(result, log_fields)
            _audited(result, school=locked, user=user, released=released, command=command)
            return result
    except _Held as held:
        return _logged(held.result, log_fields)


def _audited(result: RosterImportResult, *, school: School, user: User | None, released: bool, command: str) -> None:
    """Write the audit entry of an import that wrote: the file, the log row and the counts (never a name)."""
    counts = "; ".join(
        f"{kind} " + ", ".join(f"{name} {count}" for name, count in changes.items())
        for kind, changes in result.counts.items()
    )
    what = f"Released the held roster import (removing {result.would_leave} people)" if released else "Imported"
    audit_record(
        user=user,
        action=ROSTER_HOLD_RELEASE if released else ROSTER_IMPORT,
        description=f"{what} the roster file {result.log.file_name} (log {result.log.pk})"
        f"{by_whom(user, command=command)}: {counts}.",
        rows=sum(sum(changes.values()) for changes in result.counts.values()),
        school=school,
    )


def _logged(result: RosterImportResult, log_fields: dict[str, Any]) -> RosterImportResult:
    counts: dict[str, Any] = result.counts
    if result.status == RosterImport.Status.HELD:
        counts = {
            **counts,
            "would_leave": result.would_leave,
            "current_people": result.current_people,
            "emptied_classes": result.emptied_classes,
            "typed_count_wrong": result.typed_count_wrong,
        }
    log = RosterImport(
        **log_fields, status=result.status, counts=counts, errors=[error.as_dict() for error in result.errors]
    )
    log.save()
    result.log = log
    return result
