"""The audit log's export: the entries of an administrator's scope in a period (who, when, what, from where)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.audit_log import KINDS
from reports.audit_log import kind_of
from reports.exports.report import Column
from reports.exports.report import Report


class AuditLogReport(Report):
    """Audit entries: when, who, kind, action, what, rows, school, from where. Personal data (logins, addresses)."""

    code = "audit"
    title = gettext_lazy("Audit log")

    def __init__(self, *, entries, scope: str, date_from: date, date_to: date, tz=None) -> None:
        super().__init__(date_from=date_from, date_to=date_to, tz=tz)
        self.entries = entries
        self.scope = scope

    def scope_label(self) -> str:
        return self.scope

    def get_columns(self) -> list[Column]:
        return [
            Column("created_at", _("When"), "datetime"),
            Column("username", _("Who")),
            Column("kind", _("Kind")),
            Column("action", _("Action")),
            Column("description", _("What"), width=60),
            Column("rows", _("Rows"), "int"),
            Column("school", _("School")),
            Column("address", _("From where")),
        ]

    def get_rows(self) -> list[dict]:
        return [
            {
                "created_at": entry.created_at,
                "username": entry.username or _("(nobody logged in)"),
                "kind": str(KINDS.get(kind_of(entry.action), "")),
                "action": entry.action,
                "description": entry.description,
                "rows": entry.rows,
                "school": entry.school.short_name if entry.school else "",
                "address": entry.address or _("(background job)"),
            }
            for entry in self.entries
        ]
