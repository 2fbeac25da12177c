"""Writes of the activation layer: linking Sferum accounts to roster people."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from classes import clock
from classes.bulk_update import rows_update
from classes.models import Enrollment
from classes.models import Parent
from classes.models import School
from classes.models import Staff
from classes.models import parent_on_roster_filter
from classes.names import name_key

from .models import SferumAccount
from .roles import CLASS_CHAT
from .roles import PARENTS_CHAT
from .roles import ROLELESS_BACKENDS
from .roles import account_places
from .roles import accounts_roles_derive

STAFF_ROLE_CODES = frozenset({"admin", "employee", "teacher"})

# Chat kinds, as chats.models.Chat.Kind (activation sits below chats and does not import it).
_STAFF_CHAT = "staff"

LINK_FIELDS = ("staff", "student", "parent", "updated_at")

Person = tuple[str, int]  # ("staff" | "student" | "parent", pk)


@dataclass(frozen=True)
class LinkResult:
    """Accounts of the school after a linking run: linked to a person, to nobody, or ambiguous."""

    linked: int
    unlinked: int
    ambiguous: int
    changed: int = 0
    ambiguous_account_ids: tuple[int, ...] = ()


def _roster(*, school: School) -> tuple[dict, dict, dict]:
    """Return the candidates by name: students and parents per class, staff of the school (employed today)."""
    today = clock.today(school.tz)
    enrollments = (
        Enrollment.objects.current_on(today)
        .filter(school_class__school=school)
        .values_list("student_id", "school_class_id", "student__last_name", "student__first_name")
        .order_by()
    )
    students: dict[int, dict[tuple[str, str], set[Person]]] = defaultdict(lambda: defaultdict(set))
    class_of_student: dict[int, int] = {}
    for student_id, class_id, last_name, first_name in enrollments:
        students[class_id][name_key(last_name, first_name)].add(("student", student_id))
        class_of_student[student_id] = class_id
    parent_rows = (
        Parent.children.through.objects.filter(parent_on_roster_filter(today, prefix="parent__"), parent__school=school)
        .values_list("parent_id", "student_id", "parent__last_name", "parent__first_name")
        .order_by()
    )
    parents: dict[int, dict[tuple[str, str], set[Person]]] = defaultdict(lambda: defaultdict(set))
    for parent_id, student_id, last_name, first_name in parent_rows:
        class_id = class_of_student.get(student_id)
        if class_id is not None:
            parents[class_id][name_key(last_name, first_name)].add(("parent", parent_id))
    staff_rows = (
        Staff.objects.employed_on(today).filter(school=school).values_list("id", "last_name", "first_name").order_by()
    )
    staff: dict[tuple[str, str], set[Person]] = defaultdict(set)
    for staff_id, last_name, first_name in staff_rows:
        staff[name_key(last_name, first_name)].add(("staff", staff_id))
    return students, parents, staff


def _candidates(
    account: SferumAccount,
    chats: list[tuple[str, int | None]],
    students: dict,
    parents: dict,
    staff: dict,
) -> set[Person]:
    """Return the roster people an account may be: role, class (through its chats) and name agree."""
    key = name_key(account.last_name, account.first_name)
    role = account.role_code
    found: set[Person] = set()
    if not chats or not any(key):
        return found
    if account.backend in ROLELESS_BACKENDS:
        # No role from the platform: the chats decide. Staff from any school chat, students from their class's
        # students chat, parents from their child's class's parents chat (a stored role is derived, not used).
        found |= staff.get(key, set())
        for kind, class_id in chats:
            if kind == CLASS_CHAT and class_id is not None:
                found |= students.get(class_id, {}).get(key, set())
            elif kind == PARENTS_CHAT and class_id is not None:
                found |= parents.get(class_id, {}).get(key, set())
        return found
    if role in STAFF_ROLE_CODES:
        found |= staff.get(key, set())
    for kind, class_id in chats:
        if kind == CLASS_CHAT and class_id is not None and role in ("student", ""):
            found |= students.get(class_id, {}).get(key, set())
        elif kind == PARENTS_CHAT and class_id is not None and role in ("parent", ""):
            found |= parents.get(class_id, {}).get(key, set())
        elif kind == _STAFF_CHAT and role == "":
            found |= staff.get(key, set())
    return found


def _person_of(account: SferumAccount) -> Person | None:
    if account.staff_id:
        return ("staff", account.staff_id)
    if account.student_id:
        return ("student", account.student_id)
    if account.parent_id:
        return ("parent", account.parent_id)
    return None


def accounts_link(*, school: School) -> LinkResult:
    """Link the school's Sferum accounts to roster people where role, class and name agree (sferum-api.md).

    Set-based: a handful of queries whatever the size of the school, then one bulk update. An account that
    matches two people, or a person two accounts of one platform match, is linked to nobody and counted as
    ambiguous (a school that moved from VK to MAX has one account of each for a person: both link).
    Manual links and unlinks (`link_manual`) are kept as they are. Accounts of a platform without roles (MAX)
    are matched by their chats alone, then take their role and status from the link (`activation.roles`).
    """
    accounts = list(
        SferumAccount.objects.filter(school=school).only(
            "id",
            "backend",
            "last_name",
            "first_name",
            "role_code",
            "staff_id",
            "student_id",
            "parent_id",
            "link_manual",
        )
    )
    memberships = account_places(school=school)
    students, parents, staff = _roster(school=school)

    wanted: dict[int, Person | None] = {}
    ambiguous: set[int] = set()
    claims: dict[tuple[str, Person], list[int]] = defaultdict(list)  # by platform: one account each on vk and max
    for account in accounts:
        if account.link_manual:
            person = _person_of(account)
            if person is not None:
                claims[(account.backend, person)].append(account.pk)
            continue
        found = _candidates(account, memberships.get(account.pk, []), students, parents, staff)
        if len(found) > 1:
            ambiguous.add(account.pk)
            wanted[account.pk] = None
        elif found:
            person = next(iter(found))
            wanted[account.pk] = person
            claims[(account.backend, person)].append(account.pk)
        else:
            wanted[account.pk] = None
    for account_ids in claims.values():
        if len(account_ids) > 1:  # two accounts of one platform for one person: link none of the automatic ones
            for account_id in account_ids:
                if account_id in wanted:
                    wanted[account_id] = None
                    ambiguous.add(account_id)

    now = clock.now()
    changed: list[SferumAccount] = []
    linked = 0
    for account in accounts:
        if account.link_manual:
            linked += _person_of(account) is not None
            continue
        person = wanted[account.pk]
        linked += person is not None
        if person == _person_of(account):
            continue
        kind, pk = person if person is not None else ("", None)
        for field in ("staff", "student", "parent"):
            setattr(account, f"{field}_id", pk if kind == field else None)
        account.updated_at = now
        changed.append(account)
    with transaction.atomic():
        rows_update(changed, LINK_FIELDS)
        accounts_roles_derive(school=school)
    return LinkResult(
        linked=linked,
        unlinked=len(accounts) - linked - len(ambiguous),
        ambiguous=len(ambiguous),
        changed=len(changed),
        ambiguous_account_ids=tuple(sorted(ambiguous)),
    )
