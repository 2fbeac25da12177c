"""Roles of accounts on platforms that send no educational role (MAX): where the linked person is decides.

MAX has no educational roles (sferum-api.md, `max` backend): a member's role comes from the roster person the
account is linked to (by the sync's linking or by an administrator), confirmed by where the account is a member
today (DESIGN.md, "Activated profile"):
- a linked student in the students chat (kind `class`) of a class they are enrolled in today is an active student;
- a linked parent in the parents chat of a class where one of their children is enrolled today is an active parent;
- a linked staff member in any of the school's chats is active staff (role `teacher` when they teach, else
  `employee`);
- any other account, linked or not, is `pending` with no role (a blocked account stays blocked).

The derived role and status are stored on the account (`role_code`, `status`) like a platform's, so every
selector counts MAX and VK accounts in the same way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction

from classes import clock
from classes.bulk_update import rows_update
from classes.models import Enrollment
from classes.models import Parent
from classes.models import School
from classes.models import Staff
from classes.models import parent_on_roster_filter

from .models import Backend
from .models import SferumAccount

ROLELESS_BACKENDS = frozenset({Backend.MAX.value})

# Chat kinds, as chats.models.Chat.Kind (activation sits below chats and does not import it).
CLASS_CHAT = "class"
PARENTS_CHAT = "parents"

Status = SferumAccount.Status
RoleCode = SferumAccount.RoleCode


def account_places(*, school: School, account_ids: list[int] | None = None) -> dict[int, list[tuple[str, int | None]]]:
    """Return {account id: [(chat kind, class id)]} of the accounts' current memberships in the school's chats:
    of these accounts, or (no ids) of all the school's accounts.

    Read through the reverse relation `memberships` that chats.ChatMembership declares, so this lower layer
    does not import the chats app.
    """
    if account_ids is None:
        accounts = SferumAccount.objects.filter(school=school)
    else:
        accounts = SferumAccount.objects.filter(pk__in=account_ids)
    rows = (
        accounts.filter(memberships__left_at__isnull=True, memberships__chat__school=school)
        .values_list("id", "memberships__chat__kind", "memberships__chat__school_class_id")
        .order_by()
    )
    found: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for account_id, kind, class_id in rows:
        found[account_id].append((kind, class_id))
    return found


def _classes_of_students(*, student_ids: set[int], today: date) -> dict[int, set[int]]:
    """Return {student id: ids of the classes they are enrolled in today}."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = (
        Enrollment.objects.current_on(today)
        .filter(student_id__in=student_ids)
        .values_list("student_id", "school_class_id")
    )
    for student_id, class_id in rows.order_by():
        found[student_id].add(class_id)
    return found


def account_role(
    *,
    account: SferumAccount,
    places: list[tuple[str, int | None]],
    student_classes: dict[int, set[int]],
    parent_classes: dict[int, set[int]],
    teaches: dict[int, bool],
) -> tuple[str, str]:
    """Return the (role code, status) an account of a roleless platform has, from its link and its chats."""
    status = Status.BLOCKED if account.status == Status.BLOCKED else Status.ACTIVE
    if account.staff_id and places:
        return (RoleCode.TEACHER if teaches.get(account.staff_id, True) else RoleCode.EMPLOYEE), status
    if account.student_id:
        classes = student_classes.get(account.student_id, set())
        if any(kind == CLASS_CHAT and class_id in classes for kind, class_id in places):
            return RoleCode.STUDENT, status
    if account.parent_id:
        classes = parent_classes.get(account.parent_id, set())
        if any(kind == PARENTS_CHAT and class_id in classes for kind, class_id in places):
            return RoleCode.PARENT, status
    return RoleCode.NONE, Status.BLOCKED if account.status == Status.BLOCKED else Status.PENDING


def accounts_roles_derive(*, school: School) -> int:
    """Set the role and status of the school's accounts on roleless platforms from their links and chats.

    Manual links count like automatic ones: with the role of the person linked, where that person's chat
    confirms it. A handful of queries whatever the size of the school, then one bulk update; return the number
    of accounts changed.
    """
    accounts = list(
        SferumAccount.objects.filter(school=school, backend__in=ROLELESS_BACKENDS).only(
            "id", "role_code", "status", "staff_id", "student_id", "parent_id"
        )
    )
    if not accounts:
        return 0
    places = account_places(school=school, account_ids=[account.pk for account in accounts])
    student_ids = {account.student_id for account in accounts if account.student_id}
    parent_ids = {account.parent_id for account in accounts if account.parent_id}
    today = clock.today(school.tz)
    children = list(
        Parent.children.through.objects.filter(parent_id__in=parent_ids)
        .filter(parent_on_roster_filter(today, prefix="parent__"))
        .values_list("parent_id", "student_id")
        .order_by()
    )
    student_classes = _classes_of_students(
        student_ids=student_ids | {student_id for _, student_id in children}, today=today
    )
    parent_classes: dict[int, set[int]] = defaultdict(set)
    for parent_id, student_id in children:
        parent_classes[parent_id] |= student_classes.get(student_id, set())
    staff_ids = {account.staff_id for account in accounts if account.staff_id}
    teaches = dict(Staff.objects.filter(pk__in=staff_ids).values_list("id", "teaches").order_by())

    now = clock.now()
    changed: list[SferumAccount] = []
    for account in accounts:
        role_code, status = account_role(
            account=account,
            places=places.get(account.pk, []),
            student_classes=student_classes,
            parent_classes=parent_classes,
            teaches=teaches,
        )
        if (account.role_code, account.status) != (role_code, status):
            account.role_code, account.status, account.updated_at = role_code, status, now
            changed.append(account)
    with transaction.atomic():
        rows_update(changed, ["role_code", "status", "updated_at"])
    return len(changed)
