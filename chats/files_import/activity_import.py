"""Store a weekly activity report as the school's `ReportedActivity`: one row per staff member and week.

Each row read (`chats.files_import.activity_report`) is matched to a staff member of the school, by the Sferum
account linked to them or by name; a later report for the same week replaces the counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from activation.models import SferumAccount
from chats.files_import.activity_report import ACTIVITY_COLUMNS
from chats.files_import.activity_report import ActivityRow
from chats.files_import.activity_report import activity_rows_read
from chats.models import ReportedActivity
from classes.dates import week_text
from classes.models import School
from classes.models import Staff
from classes.models import User
from classes.models.periods import period_overlaps
from classes.names import name_key
from classes.tabular.columns import column_of
from classes.tabular.errors import RowError

BATCH_SIZE = 500


@dataclass
class ActivityImportResult:
    """What an activity-report import wrote (ok), or why it wrote nothing (failed)."""

    status: str  # "ok" | "failed"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def to_json(self, school_code: str, file: str) -> dict[str, Any]:
        return {
            "school": school_code,
            "status": self.status,
            "file": file,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass(frozen=True)
class _StaffRow:
    pk: int
    person_id: str
    employed_from: date
    employed_to: date | None

    def employed_in(self, monday: date) -> bool:
        """Return True when employed on at least one day of the week that starts on `monday`."""
        return period_overlaps(
            start=self.employed_from, end=self.employed_to, first=monday, last=monday + timedelta(days=6)
        )


class _StaffMatcher:
    """Find the staff member of a report row: by the Sferum account linked to them, or by name.

    Two queries for the whole file, whatever its size.
    """

    def __init__(self, *, school: School, rows: list[ActivityRow]) -> None:
        user_ids = {row.user_id for row in rows if row.user_id}
        self.by_user: dict[str, set[int]] = defaultdict(set)
        linked = SferumAccount.objects.filter(
            school=school, platform_user_id__in=user_ids, staff__isnull=False, staff__school=school
        ).values_list("platform_user_id", "staff_id")
        for user_id, staff_id in linked.order_by():
            self.by_user[user_id].add(staff_id)
        self.by_name: dict[tuple[str, str], list[_StaffRow]] = defaultdict(list)
        staff = Staff.objects.filter(school=school).values_list(
            "pk", "person_id", "last_name", "first_name", "employed_from", "employed_to"
        )
        for pk, person_id, last_name, first_name, employed_from, employed_to in staff.order_by("pk"):
            self.by_name[name_key(last_name, first_name)].append(
                _StaffRow(pk=pk, person_id=person_id, employed_from=employed_from, employed_to=employed_to)
            )

    def match(self, row: ActivityRow) -> tuple[int | None, str]:
        """Return (staff id, "") or (None, why the row matches nobody) for people."""
        reason = ""
        if row.user_id:
            found = self.by_user.get(row.user_id, set())
            if len(found) == 1:
                return next(iter(found)), ""
            if len(found) > 1:
                return None, _(
                    "Sferum user «%(user)s» is linked to more than one staff member; correct the links, then import "
                    "the file again."
                ) % {"user": row.user_id}
            reason = _(
                "Sferum user «%(user)s» is linked to no staff member of the school; link the account to the "
                "person, or write the person's full name instead."
            ) % {"user": row.user_id}
            if not row.last_name:
                return None, reason
        candidates = self.by_name.get(name_key(row.last_name, row.first_name), [])
        if not candidates:
            return None, reason or _(
                "No staff member of the school is named «%(name)s»; correct the name or add the person to the roster."
            ) % {"name": row.name}
        employed = [staff for staff in candidates if staff.employed_in(row.week_start)]
        if not employed:
            return None, _("«%(name)s» did not work at the school in week %(week)s; correct the week or the name.") % {
                "name": row.name,
                "week": week_text(row.week_start),
            }
        if len(employed) > 1:
            return None, _(
                "Several staff members are named «%(name)s» (ids %(ids)s); write the person's Sferum user id instead "
                "of the name."
            ) % {"name": row.name, "ids": ", ".join(staff.person_id for staff in employed)}
        return employed[0].pk, ""


def activity_report_import(
    *,
    school: School,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    user: User | None = None,
) -> ActivityImportResult:
    """Store the weekly message counts of a report file as the school's ReportedActivity, one per person and week.

    Each row is matched to a staff member of the school (by linked Sferum account, or by name); a file with any
    bad or unmatched row writes nothing (failed, every bad row listed). Counts are upserted on (school, staff,
    week): the same file again changes nothing, a later file for the same week replaces the counts.
    `user` is who imported the file (kept for the caller's audit; not stored on the rows).
    """
    rows, errors, headers = activity_rows_read(content=content, filename=filename, mapping=mapping)
    if errors:
        return ActivityImportResult(status="failed", errors=errors)
    matcher = _StaffMatcher(school=school, rows=rows)

    def header(key: str) -> str:
        return headers.get(key) or column_of(ACTIVITY_COLUMNS, key).russian

    name_header = header("full_name") if "full_name" in headers else header("last_name")
    counts: dict[tuple[int, date], tuple[int, int]] = {}  # (staff, week) -> (messages, first row)
    for row in rows:
        staff_id, reason = matcher.match(row)
        if staff_id is None:
            column = header("user_id") if row.user_id and not row.last_name else name_header
            errors.append(RowError(row=row.row, column=column, message=reason))
            continue
        key = (staff_id, row.week_start)
        earlier = counts.setdefault(key, (row.messages, row.row))
        if earlier[0] != row.messages:
            errors.append(
                RowError(
                    row=row.row,
                    column=header("messages"),
                    message=_(
                        "Row %(row)d already gives %(count)d messages for this person in week %(week)s; keep one row "
                        "per person and week."
                    )
                    % {"row": earlier[1], "count": earlier[0], "week": week_text(row.week_start)},
                )
            )
    if errors:
        return ActivityImportResult(status="failed", errors=errors)
    return _activity_store(school=school, counts={key: value[0] for key, value in counts.items()}, filename=filename)


def _activity_store(*, school: School, counts: dict[tuple[int, date], int], filename: str) -> ActivityImportResult:
    """Upsert the counts in one transaction, writing only the new and the changed ones."""
    source_file = PurePath(filename).name[: ReportedActivity._meta.get_field("source_file").max_length]
    result = ActivityImportResult(status="ok")
    with transaction.atomic():
        stored = ReportedActivity.objects.filter(
            school=school,
            staff_id__in={staff_id for staff_id, _week in counts},
            week_start__in={week for _staff, week in counts},
        ).values_list("staff_id", "week_start", "messages")
        existing = {(staff_id, monday): messages for staff_id, monday, messages in stored.order_by()}
        writes: list[ReportedActivity] = []
        for (staff_id, monday), messages in sorted(counts.items()):
            before = existing.get((staff_id, monday))
            if before == messages:
                result.unchanged += 1
                continue
            if before is None:
                result.added += 1
            else:
                result.updated += 1
            writes.append(
                ReportedActivity(
                    school=school, staff_id=staff_id, week_start=monday, messages=messages, source_file=source_file
                )
            )
        ReportedActivity.objects.bulk_create(
            writes,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["school", "staff", "week_start"],
            update_fields=["messages", "source_file", "imported_at"],
        )
    return result
