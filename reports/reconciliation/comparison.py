"""Load both sides of a school's reconciliation (roster or roster file, Sferum membership) and compare them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _

from activation.models import SferumAccount
from chats.models import Chat, ChatMembership
from classes import clock
from classes.models import Enrollment, RosterMapping, School, Staff
from classes.roster.validation import roster_validate
from classes.tabular.reading import TableReadError, table_read
from reports.models import Reconciliation
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.matching import (
    CATEGORIES,
    STAFF_ROLE_CODES,
    ClassKey,
    ReconciliationResult,
    Role,
    RoleMatcher,
    RosterPerson,
    SferumMember,
    counts_empty,
)
from reports.reconciliation.selectors import quarter_current, quarter_label


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
        (account_id, user_id, last, first, role, student_id, s_pid, s_last, s_first, s_birth) = row[:10]
        (staff_id, t_pid, t_last, t_first, t_birth, parent_id) = row[10:]
        pending = role == ""
        if student_id is not None or (
            staff_id is None
            and parent_id is None
            and (role == SferumAccount.RoleCode.STUDENT or (pending and account_id not in in_staff_chat))
        ):
            if account_id in in_class_chats:
                students.append(
                    SferumMember(
                        account_id,
                        user_id,
                        last,
                        first,
                        role,
                        in_class_chats[account_id],
                        linked_person_id=s_pid,
                        linked_name=f"{s_last} {s_first}" if s_pid else "",
                        birth_date=s_birth,
                    )
                )
            elif s_pid:
                idle_students[s_pid].append(user_id)
        if staff_id is not None or (
            student_id is None
            and parent_id is None
            and (role in STAFF_ROLE_CODES or (pending and account_id in in_staff_chat))
        ):
            if account_id in in_any_chat:
                staff.append(
                    SferumMember(
                        account_id,
                        user_id,
                        last,
                        first,
                        role,
                        linked_person_id=t_pid,
                        linked_name=f"{t_last} {t_first}" if t_pid else "",
                        birth_date=t_birth,
                    )
                )
            elif t_pid:
                idle_staff[t_pid].append(user_id)
    return students, staff, idle_students, idle_staff


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
