"""Load both sides of a school's reconciliation (roster or roster file, Sferum membership) and compare them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _

from activation.models import SferumAccount
from chats.models import Chat
from chats.models import ChatMembership
from classes import clock
from classes.models import Enrollment
from classes.models import RosterMapping
from classes.models import School
from classes.models import Staff
from classes.roster.validation import roster_validate
from classes.tabular.reading import TableReadError
from classes.tabular.reading import table_read
from reports.models import Reconciliation
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.matching import CATEGORIES
from reports.reconciliation.matching import STAFF_ROLE_CODES
from reports.reconciliation.matching import ClassKey
from reports.reconciliation.matching import ReconciliationResult
from reports.reconciliation.matching import Role
from reports.reconciliation.matching import RoleMatcher
from reports.reconciliation.matching import RosterPerson
from reports.reconciliation.matching import SferumMember
from reports.reconciliation.matching import counts_empty
from reports.reconciliation.selectors import quarter_current
from reports.reconciliation.selectors import quarter_label


def _roster_from_database(*, school: School, day: date) -> tuple[list[RosterPerson], list[RosterPerson]]:
    rows = (
        Enrollment.objects.current_on(day)
        .filter(school_class__school=school)
        .order_by()
        .values_list(
            "student__person_id",
            "student__last_name",
            "student__first_name",
            "student__patronymic",
            "student__birth_date",
            "school_class__grade",
            "school_class__letter",
        )
    )
    students = [
        RosterPerson(Role.STUDENT, person_id, last, first, patronymic, birth, (grade, letter))
        for person_id, last, first, patronymic, birth, grade, letter in rows
    ]
    staff_rows = (
        Staff.objects.employed_on(day)
        .filter(school=school)
        .order_by()
        .values_list("person_id", "last_name", "first_name", "patronymic", "birth_date")
    )
    staff = [RosterPerson(Role.STAFF, *row) for row in staff_rows]
    return students, staff


def _roster_from_file(*, school: School, content: bytes, filename: str, mapping: dict[str, str] | None):
    try:
        table = table_read(content=content, filename=filename)
    except TableReadError as exc:
        raise ReconciliationError(str(exc)) from exc
    if mapping is None:
        saved = RosterMapping.objects.filter(school=school).first()
        mapping = saved.mapping if saved is not None else {}
    roster, errors = roster_validate(table=table, mapping=mapping)
    if roster is None:
        first = errors[0]
        where = _("row %(row)d, «%(column)s»: ") % {"row": first.row, "column": first.column} if first.row else ""
        raise ReconciliationError(
            _("The roster file has %(count)d errors (first: %(where)s%(message)s); fix them and run it again.")
            % {"count": len(errors), "where": where, "message": first.message}
        )

    def person(role: str, row) -> RosterPerson:
        values = row.values
        return RosterPerson(
            role,
            row.person_id,
            values.get("last_name", ""),
            values.get("first_name", ""),
            values.get("patronymic", ""),
            values.get("birth_date"),
            row.school_class,
        )

    return [person(Role.STUDENT, row) for row in roster.students], [person(Role.STAFF, row) for row in roster.staff]


def _sferum_members(*, school: School) -> tuple[list[SferumMember], list[SferumMember], dict, dict]:
    """Return the student-side and staff-side members, and per person id the accounts that are in no chat."""
    in_class_chats: dict[int, set[ClassKey]] = defaultdict(set)
    in_any_chat: set[int] = set()
    in_staff_chat: set[int] = set()
    rows = (
        ChatMembership.objects.filter(chat__school=school, left_at__isnull=True)
        .order_by()
        .values_list("account_id", "chat__kind", "chat__school_class__grade", "chat__school_class__letter")
    )
    for account_id, kind, grade, letter in rows:
        in_any_chat.add(account_id)
        if kind == Chat.Kind.CLASS and grade is not None:
            in_class_chats[account_id].add((grade, letter))
        elif kind == Chat.Kind.STAFF:
            in_staff_chat.add(account_id)
    accounts = (
        SferumAccount.objects.filter(school=school)
        .order_by()
        .values_list(
            "id",
            "platform_user_id",
            "last_name",
            "first_name",
            "role_code",
            "student_id",
            "student__person_id",
            "student__last_name",
            "student__first_name",
            "student__birth_date",
            "staff_id",
            "staff__person_id",
            "staff__last_name",
            "staff__first_name",
            "staff__birth_date",
            "parent_id",
        )
    )
    students: list[SferumMember] = []
    staff: list[SferumMember] = []
    idle_students: dict[str, list[str]] = defaultdict(list)
    idle_staff: dict[str, list[str]] = defaultdict(list)
    for row in accounts:
        # the account (id, user id, last, first, role), then its student link and its staff link with the parent id
        account, student, staff_link = row[:5], row[5:10], row[10:]
        account_id, role = account[0], account[4]
        student_id, staff_id, parent_id = student[0], staff_link[0], staff_link[5]
        pending = role == ""
        if student_id is not None or (
            staff_id is None
            and parent_id is None
            and (role == SferumAccount.RoleCode.STUDENT or (pending and account_id not in in_staff_chat))
        ):
            _member_or_idle(account, student[1:], in_class_chats, students, idle_students)
        if staff_id is not None or (
            student_id is None
            and parent_id is None
            and (role in STAFF_ROLE_CODES or (pending and account_id in in_staff_chat))
        ):
            _member_or_idle(account, staff_link[1:5], in_any_chat, staff, idle_staff)
    return students, staff, idle_students, idle_staff


def _member_or_idle(account: tuple, person: tuple, chats, members: list[SferumMember], idle: dict) -> None:
    """Add the account to `members` when it is in one of `chats` (a dict of its classes, or a set of accounts);
    otherwise, when it is linked to a person, note it as that person's account outside the chats."""
    account_id, user_id, last, first, role = account
    person_id, person_last, person_first, birth_date = person
    if account_id in chats:
        members.append(
            SferumMember(
                account_id,
                user_id,
                last,
                first,
                role,
                chats[account_id] if isinstance(chats, dict) else set(),
                linked_person_id=person_id,
                linked_name=f"{person_last} {person_first}" if person_id else "",
                birth_date=birth_date,
            )
        )
    elif person_id:
        idle[person_id].append(user_id)


def reconciliation_compute(
    *,
    school: School,
    day: date | None = None,
    roster_file: tuple[bytes, str] | None = None,
    mapping: dict[str, str] | None = None,
) -> ReconciliationResult:
    """Compare the school's roster (or a roster file, not imported) with Sferum membership of the last sync.

    Write nothing. Raise ReconciliationError when the file cannot be read or breaks the roster rules.
    """
    day = day or clock.today(school.tz)
    if roster_file is not None:
        students, staff = _roster_from_file(
            school=school, content=roster_file[0], filename=roster_file[1], mapping=mapping
        )
        source = Reconciliation.Source.FILE
    else:
        students, staff = _roster_from_database(school=school, day=day)
        source = Reconciliation.Source.ROSTER
    student_members, staff_members, idle_students, idle_staff = _sferum_members(school=school)
    result = ReconciliationResult(
        school_code=school.code, quarter=quarter_label(quarter_current(school=school, day=day)), source=source
    )
    for role in (Role.STUDENT, Role.STAFF):
        result.roles[role] = counts_empty()
    # A file may give people other ids than the database; then a link decides nothing and names are compared.
    links_decide = source == Reconciliation.Source.ROSTER
    student_items = RoleMatcher(
        role=Role.STUDENT,
        people=students,
        members=student_members,
        by_class=True,
        reportable=frozenset({SferumAccount.RoleCode.STUDENT}),
        result=result,
        unlinked_accounts=idle_students,
        links_decide=links_decide,
    ).run()
    staff_items = RoleMatcher(
        role=Role.STAFF,
        people=staff,
        members=staff_members,
        by_class=False,
        reportable=STAFF_ROLE_CODES,
        result=result,
        unlinked_accounts=idle_staff,
        links_decide=links_decide,
    ).run()
    order = {category: position for position, category in enumerate(CATEGORIES)}
    student_items.sort(
        key=lambda item: (
            _class_sort_key(item.roster_class or item.sferum_class.split(",")[0]),
            order[item.category],
            item.name,
            item.key,
        )
    )
    staff_items.sort(key=lambda item: (order[item.category], item.name, item.key))
    result.items = student_items + staff_items
    return result


def _class_sort_key(name: str) -> tuple[int, str]:
    digits = "".join(char for char in name if char.isdigit())
    return (int(digits) if digits else 99, name)


# ---------------------------------------------------------------------------
# Stored reconciliations: open, run, resolve, sign off
# ---------------------------------------------------------------------------
