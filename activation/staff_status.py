"""Staff who are not activated, each with the reason and what to do (DESIGN.md, "Activated profile").

A member of staff is activated when a Sferum account with the role teacher, admin or employee and the status
active is linked to them (`staff_activated`, the rule the staff activation rate counts with). Everyone else
employed on the day is listed with the first reason that applies, most advanced first:

- `pending`: a linked account joined but the role is not confirmed;
- `wrong_role`: a linked account is active in a role other than teacher, admin or employee;
- `blocked`: the linked account is blocked;
- `invited`: a linked account was invited and has not registered;
- `ambiguous`: no account is linked, but an unlinked account of the school bears the same name (the linking
  never guesses between namesakes, so it is linked by hand);
- `no_account`: no Sferum account of the school was found for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from classes.models import School
from classes.models import Staff
from classes.names import name_key
from classes.names import normalize_name_part

from .models import SferumAccount

AccountStatus = SferumAccount.Status
RoleCode = SferumAccount.RoleCode
STAFF_ROLES = (RoleCode.TEACHER, RoleCode.ADMIN, RoleCode.EMPLOYEE)


def staff_activated(outer: str = "pk") -> Exists:
    """Return the condition "the staff member (OuterRef `outer`) has an activated profile"."""
    return Exists(
        SferumAccount.objects.filter(staff_id=OuterRef(outer), role_code__in=STAFF_ROLES, status=AccountStatus.ACTIVE)
    )


class StaffReason(StrEnum):
    """Why a member of staff is not activated, most advanced first."""

    PENDING = "pending"
    WRONG_ROLE = "wrong_role"
    BLOCKED = "blocked"
    INVITED = "invited"
    AMBIGUOUS = "ambiguous"
    NO_ACCOUNT = "no_account"

    @property
    def label(self) -> Promise:
        return REASON_LABELS[self]

    @property
    def advice(self) -> Promise:
        return REASON_ADVICE[self]


REASON_LABELS = {
    StaffReason.PENDING: _("account found, role not confirmed"),
    StaffReason.WRONG_ROLE: _("account in another role"),
    StaffReason.BLOCKED: _("account blocked"),
    StaffReason.INVITED: _("invited, not registered"),
    StaffReason.AMBIGUOUS: _("ambiguous match"),
    StaffReason.NO_ACCOUNT: _("no Sferum account found"),
}

REASON_ADVICE = {
    StaffReason.PENDING: _("Ask them to finish registration in the «Учитель» role."),
    StaffReason.WRONG_ROLE: _(
        "Their account has another role; ask them to register in the «Учитель» role, "
        "or link their staff account by hand."
    ),
    StaffReason.BLOCKED: _("The account is blocked in Sferum; unblock it in the school's Sferum administration."),
    StaffReason.INVITED: _("Remind them to open the invitation and register in the «Учитель» role."),
    StaffReason.AMBIGUOUS: _(
        "An account of the same name was not linked automatically; check which person it is and link it by hand."
    ),
    StaffReason.NO_ACCOUNT: _("Invite them to the school in Sferum and ask them to register in the «Учитель» role."),
}

_RANK = {reason: rank for rank, reason in enumerate(StaffReason)}


_BY_STATUS = {
    AccountStatus.PENDING: StaffReason.PENDING,
    AccountStatus.ACTIVE: StaffReason.WRONG_ROLE,
    AccountStatus.BLOCKED: StaffReason.BLOCKED,
}


def staff_reason(*, accounts: Iterable[tuple[str, str]], namesake: bool) -> StaffReason:
    """Return why a member of staff with these linked accounts' (role, status) pairs is not activated.

    `namesake`: an unlinked account of the school bears their name. The caller knows they are not activated.
    """
    # An active account here has no staff role (the caller leaves out staff activated in one).
    reasons = [_BY_STATUS.get(status, StaffReason.INVITED) for _role_code, status in accounts]
    if reasons:
        return min(reasons, key=_RANK.__getitem__)  # the most advanced
    return StaffReason.AMBIGUOUS if namesake else StaffReason.NO_ACCOUNT


@dataclass(frozen=True)
class StaffNotActivated:
    """A member of staff employed on the day who is not activated, and why."""

    staff_id: int
    person_id: str
    name: str
    last_name: str
    position: str
    reason: StaffReason
    accounts: tuple[str, ...]  # the roles of the linked accounts, as the platform names them

    @property
    def advice(self) -> Promise:
        return self.reason.advice


def staff_not_activated(*, school: School, day: date) -> list[StaffNotActivated]:
    """Return the school's staff employed on the day who are not activated, by name, each with the reason.

    Three queries whatever the size of the school: the staff, their linked accounts, and the names of the
    school's unlinked accounts that could be staff (a staff role or none).
    """
    staff = list(
        Staff.objects.employed_on(day)
        .filter(school=school)
        .exclude(staff_activated())
        .order_by("last_name", "first_name", "patronymic", "person_id")
        .values_list("id", "person_id", "last_name", "first_name", "patronymic", "position")
    )
    if not staff:
        return []
    linked: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for staff_id, role_code, status in (
        SferumAccount.objects.filter(staff_id__in=[row[0] for row in staff])
        .order_by("pk")
        .values_list("staff_id", "role_code", "status")
    ):
        linked[staff_id].append((role_code, status))
    unlinked_names = {
        name_key(last_name, first_name)
        for last_name, first_name in SferumAccount.objects.filter(
            Q(role_code__in=STAFF_ROLES) | Q(role_code=RoleCode.NONE),
            school=school,
            staff__isnull=True,
            student__isnull=True,
            parent__isnull=True,
        )
        .order_by()
        .values_list("last_name", "first_name")
    }
    roles = dict(RoleCode.choices)
    return [
        StaffNotActivated(
            staff_id=staff_id,
            person_id=person_id,
            name=" ".join(part for part in (last_name, first_name, patronymic) if part),
            last_name=last_name,
            position=position,
            reason=staff_reason(accounts=linked[staff_id], namesake=name_key(last_name, first_name) in unlinked_names),
            accounts=tuple(str(roles.get(role_code, role_code)) for role_code, _status in linked[staff_id]),
        )
        for staff_id, person_id, last_name, first_name, patronymic, position in staff
    ]


def staff_not_activated_filter(
    rows: list[StaffNotActivated], *, reason: str = "", query: str = ""
) -> list[StaffNotActivated]:
    """Return the rows of the reason (all for "") whose name or roster id contains the query (any case, ё = е)."""
    words = normalize_name_part(query).split()
    return [
        row
        for row in rows
        if (not reason or row.reason == reason)
        and all(word in normalize_name_part(f"{row.name} {row.person_id}") for word in words)
    ]
