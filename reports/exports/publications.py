"""The publications page's logs as files: the materials log and the calls log of a week or a quarter.

Both are personal data (staff names), so every export is written to the audit log by `report_export`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes.models import School
from reports.exports.report import Column
from reports.exports.tables import SchoolReport
from reports.publications import LogRow
from reports.publications import Period


class _LogReport(SchoolReport):
    def __init__(self, *, school: School, period: Period, rows: Sequence[LogRow]) -> None:
        super().__init__(school=school, date_from=period.first_day, date_to=period.last_day)
        self.log_rows = list(rows)

    def _common(self, row: LogRow) -> dict:
        return {
            "sent_at": row.sent_at,
            "chat": row.chat,
            "chat_kind": row.chat_kind,
            "who": row.who,
        }

    def _common_columns(self) -> list[Column]:
        return [
            Column("sent_at", _("Date and time"), "datetime"),
            Column("chat", _("Chat")),
            Column("chat_kind", _("Chat kind")),
            Column("who", _("Posted by")),
        ]


class MaterialsLogReport(_LogReport):
    """The materials log: when, in which chat, who, which kinds; never any text."""

    code = "materials"
    title = gettext_lazy("Materials log")

    def get_columns(self) -> list[Column]:
        return [*self._common_columns(), Column("kinds", _("Materials"))]

    def get_rows(self) -> list[dict]:
        return [self._common(row) | {"kinds": ", ".join(row.kinds)} for row in self.log_rows]


class CallsLogReport(_LogReport):
    """The calls log: when, in which chat, who started it, what kind of call, duration and participants."""

    code = "calls"
    title = gettext_lazy("Calls log")

    def get_columns(self) -> list[Column]:
        return [
            *self._common_columns(),
            Column("call_kind", _("Kind of call")),
            Column("duration", _("Duration")),
            Column("participants", _("Participants")),
        ]

    def get_rows(self) -> list[dict]:
        return [
            self._common(row) | {"call_kind": row.call_kind, "duration": row.duration, "participants": row.participants}
            for row in self.log_rows
        ]
