"""The audit log as an administrator reads it: the entries of their own scope, filtered by period and kind.

A school's administrator sees their school's entries, a municipal administrator their municipality's (its
schools' included), a regional administrator their region's (everything below it). Kinds group the actions
(`classes.services.audit_record` callers): logins, exports, roster, sync, accounts, reconciliation, settings, API
tokens, and changes of a login's access.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django import forms
from django.db.models import Q
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classes.models import AuditEntry
from classes.models import User

Role = User.Role
# Periods longer than this are refused: the page and its export read one period at a time.
MAX_DAYS = 366

SIGN_INS = ("login", "login.failed")
KINDS = {
    "logins": _("Logins and failed logins"),
    "access": _("Logins activated and deactivated"),
    "exports": _("Exports of data"),
    "roster": _("Roster: imports, arrivals and departures"),
    "classes": _("Classes and teaching assignments"),
    "invites": _("Invite links"),
    "sync": _("Syncs"),
    "accounts": _("Account links"),
    "reconciliation": _("Reconciliation"),
    "settings": _("Settings"),
    "tokens": _("API tokens"),
    "instructions": _("Instructions"),
    "help": _("Help requests"),
}
# The first part of the actions of each kind but the two kinds of login actions.
PREFIXES = {
    "export": "exports",
    "roster": "roster",
    "classes": "classes",
    "invite": "invites",
    "sync": "sync",
    "account": "accounts",
    "reconciliation": "reconciliation",
    "settings": "settings",
    "token": "tokens",
    "instruction": "instructions",
    "help": "help",
}


def kind_of(action: str) -> str:
    """Return the kind of an action ('' when none claims it)."""
    if action in SIGN_INS:
        return "logins"
    prefix = action.split(".", 1)[0]
    return "access" if prefix == "login" else PREFIXES.get(prefix, "")


def kind_condition(kind: str) -> Q:
    """Return the filter of the entries of a kind (one of KINDS)."""
    if kind == "logins":
        return Q(action__in=SIGN_INS)
    if kind == "access":
        return Q(action__startswith="login.") & ~Q(action__in=SIGN_INS)
    prefix = next(prefix for prefix, claimed in PREFIXES.items() if claimed == kind)
    return Q(action__startswith=f"{prefix}.")


def audit_entries_visible(user: User) -> QuerySet[AuditEntry]:
    """Return the entries of the user's scope (none for a role without an audit page)."""
    entries = AuditEntry.objects.select_related("school").order_by("-created_at", "-pk")
    if user.role == Role.SCHOOL_ADMIN and user.school_id:
        return entries.filter(school_id=user.school_id)
    if user.role == Role.MUNICIPAL_ADMIN and user.municipality_id:
        return entries.filter(municipality_id=user.municipality_id)
    if user.role == Role.REGIONAL_ADMIN and user.region_id:
        return entries.filter(region_id=user.region_id)
    return entries.none()


class AuditFilterForm(forms.Form):
    """The period (days in the site's time zone, both included) and the kind of entries; by default the last 30 days."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *KINDS.items()])

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_defaults(self) -> dict:
        """Return the period and kind of an unbound form: the last 30 days, every kind."""
        return self._period({})

    def clean(self) -> dict:
        return self._period(super().clean())

    def _period(self, data: dict) -> dict:
        end = data.get("date_to") or self.today
        start = data.get("date_from") or end - timedelta(days=29)
        if start > end:
            raise forms.ValidationError(_("The first day comes after the last one; swap the dates."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days at a time; narrow the period.") % {"days": MAX_DAYS}
            )
        data["date_from"], data["date_to"] = start, end
        data.setdefault("kind", "")
        return data


def audit_entries_filtered(entries: QuerySet[AuditEntry], *, start: date, end: date, kind: str) -> QuerySet:
    """Return the entries written on the days from start to end (site time zone) of the kind ('' for all)."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    entries = entries.filter(created_at__gte=since, created_at__lt=until)
    if kind in KINDS:
        entries = entries.filter(kind_condition(kind))
    return entries
