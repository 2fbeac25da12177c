"""The quarterly roster reconciliation: the official roster against Sferum membership (CLI.md, roster_reconcile).

The roster is the school's current Student/Enrollment and Staff rows, or a roster file read and checked as the
import reads it but not imported. Sferum membership is what the last sync stored: for students, the current
student-role (or pending) members of each class's students chat (Chat kind "class" with a class); for staff,
the current staff-role members of any chat of the school (pending ones in a staff chat).

Categories, for students (staff the same, with the class fields empty and no `moved`):
- matched: on the roster and in their class's students chat (a linked account, or one name match);
- moved: on the roster, but found (by link or name) in another class's chat only;
- missing_in_sferum: on the roster, in no students chat of the school;
- not_on_roster: a student-role member of a class chat who matches nobody on the roster (or whose account is
  linked to somebody no longer on it);
- ambiguous: more than one candidate either way; never guessed. Birth dates (and patronymics), where both
  sides know them, break the tie first (`classes.names.candidates_narrow`).
A name one letter off (or a part of a double surname, or last and first name swapped) is only proposed: the
note of both items shows the difference, like «Смирнов ≠ Смернов»; nothing is linked.

Set-based: a fixed handful of queries whatever the size of the school, then dictionaries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from activation.models import SferumAccount
from chats.models import Chat, ChatMembership, SyncRun
from classes import clock
from classes.class_names import class_name_format
from classes.models import (
    Enrollment,
    Quarter,
    RosterChange,
    RosterMapping,
    School,
    Staff,
    User,
    enrollment_current_filter,
    staff_employed_filter,
)
from classes.names import (
    candidates_narrow,
    name_key,
    probable_index_keys,
    probable_lookup_keys,
    probable_match_note,
)
from classes.roster.reading import RosterReadError, table_read
from classes.roster.validation import roster_validate
from classes.roster_changes import roster_change_confirm
from classes.school_days import SchoolCalendar
from reports.models import Reconciliation, ReconciliationItem, ReconciliationLocked

MATCHED = "matched"
MOVED = "moved"
MISSING = "missing_in_sferum"
NOT_ON_ROSTER = "not_on_roster"
AMBIGUOUS = "ambiguous"
CATEGORIES = (MATCHED, MOVED, MISSING, NOT_ON_ROSTER, AMBIGUOUS)
STUDENT = "student"
STAFF = "staff"
STAFF_ROLE_CODES = frozenset({"admin", "employee", "teacher"})
SOURCE_ROSTER = "roster"
SOURCE_FILE = "file"

ClassKey = tuple[int, str]


class ReconciliationError(Exception):
    """The reconciliation cannot run or change; the message says why and what to do."""


# ---------------------------------------------------------------------------
# The comparison (no writes)
# ---------------------------------------------------------------------------


@dataclass
class RosterPerson:
    """A person of the official roster."""

    role: str
    person_id: str
    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: date | None = None
    class_key: ClassKey | None = None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def class_name(self) -> str:
        return class_name_format(*self.class_key) if self.class_key else ""


@dataclass
class SferumMember:
    """An account as one side of the comparison sees it: its name, its classes' chats, its link if any."""

    account_id: int
    user_id: str
    last_name: str
    first_name: str
    role_code: str
    classes: set[ClassKey] = field(default_factory=set)
    linked_person_id: str | None = None
    linked_name: str = ""
    # The linked person's, where the account is linked: lets birth dates break ties against a file.
    birth_date: date | None = None
    patronymic: str = ""

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name) if part) or self.user_id

    @property
    def class_names(self) -> str:
        return ", ".join(class_name_format(*key) for key in sorted(self.classes))

    @property
    def json_user_id(self) -> int | str:
        return int(self.user_id) if self.user_id.isdigit() else self.user_id


@dataclass
class Item:
    """One person who is not simply matched; the `roster_reconcile --json` item."""

    category: str
    role: str
    key: str
    person_id: str = ""
    name: str = ""
    roster_class: str = ""
    sferum_class: str = ""
    sferum_user_id: int | str | None = None
    note: str = ""
    probable: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "role": self.role,
            "person_id": self.person_id,
            "name": self.name,
            "roster_class": self.roster_class,
            "sferum_class": self.sferum_class,
            "sferum_user_id": self.sferum_user_id,
            "note": self.note,
        }

    def note_add(self, sentence: str) -> None:
        self.note = f"{self.note} {sentence}".strip()


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(CATEGORIES, 0)


@dataclass
class ReconciliationResult:
    """The comparison: the five counts (in all, per role, per class of students) and the items."""

    school_code: str
    quarter: str
    source: str
    items: list[Item] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=_empty_counts)
    roles: dict[str, dict[str, int]] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, category: str, role: str, class_name: str = "") -> None:
        self.summary[category] += 1
        self.roles.setdefault(role, _empty_counts())[category] += 1
        if role == STUDENT and class_name:
            self.classes.setdefault(class_name, _empty_counts())[category] += 1

    def to_json(self) -> dict[str, Any]:
        """Return the `roster_reconcile --json` object of CLI.md."""
        return {
            "school": self.school_code,
            "quarter": self.quarter,
            "source": self.source,
            "summary": dict(self.summary),
            "items": [item.as_json() for item in self.items],
        }

    def stored_summary(self) -> dict[str, Any]:
        """Return the summary a Reconciliation keeps: the counts in all, per role and per class."""
        return {
            "total": dict(self.summary),
            "roles": {role: dict(counts) for role, counts in sorted(self.roles.items())},
            "classes": {name: dict(self.classes[name]) for name in _class_order(self.classes)},
        }


def _class_order(names: Iterable[str]) -> list[str]:
    def order(name: str) -> tuple[int, str]:
        digits = "".join(char for char in name if char.isdigit())
        return (int(digits) if digits else 0, name)

    return sorted(names, key=order)


class _Matcher:
    """Match one role's roster people with its Sferum members; `by_class` for students (class chats)."""

    def __init__(
        self,
        *,
        role: str,
        people: list[RosterPerson],
        members: list[SferumMember],
        by_class: bool,
        reportable: frozenset[str],
        result: ReconciliationResult,
        unlinked_accounts: dict[str, list[str]],
        links_decide: bool,
    ) -> None:
        self.role = role
        self.people = people
        self.members = members
        self.by_class = by_class
        self.reportable = reportable  # role codes whose unmatched members are reported as not on the roster
        self.result = result
        self.unlinked_accounts = unlinked_accounts  # person_id -> platform ids of their accounts in no chat
        self.links_decide = links_decide
        self.done: set[str] = set()  # person ids with a category
        self.claimed: set[int] = set()  # account ids matched, moved or covered by an ambiguous item
        self.gone: set[int] = set()  # account ids linked to somebody not on the roster: never matched by name
        self.items: list[Item] = []

    # results

    def _person_item(self, category: str, person: RosterPerson, **fields) -> Item:
        item = Item(
            category=category,
            role=self.role,
            key=f"{self.role}:{person.person_id}",
            person_id=person.person_id,
            name=person.name,
            roster_class=person.class_name,
            **fields,
        )
        self.items.append(item)
        self.done.add(person.person_id)
        self.result.count(category, self.role, person.class_name)
        return item

    def _matched(self, person: RosterPerson, members: Iterable[SferumMember]) -> None:
        self.done.add(person.person_id)
        self.claimed.update(member.account_id for member in members)
        self.result.count(MATCHED, self.role, person.class_name)

    def _moved(self, person: RosterPerson, members: list[SferumMember]) -> None:
        classes = set().union(*(member.classes for member in members))
        self._person_item(
            MOVED,
            person,
            sferum_class=", ".join(class_name_format(*key) for key in sorted(classes)),
            sferum_user_id=members[0].json_user_id,
        )
        self.claimed.update(member.account_id for member in members)

    def _ambiguous(self, person: RosterPerson, candidates: list[SferumMember], *, people_count: int) -> None:
        listed = ", ".join(
            f"{member.user_id} ({member.class_names})" if member.classes else member.user_id
            for member in sorted(candidates, key=lambda member: member.user_id)
        )
        if len(candidates) > 1:
            note = _("%(count)d Sferum accounts fit this person: %(accounts)s; link the right one by hand.") % {
                "count": len(candidates),
                "accounts": listed,
            }
        else:
            note = _("Sferum account %(accounts)s fits %(count)d people on the roster; link it by hand.") % {
                "accounts": listed,
                "count": people_count,
            }
        classes = set().union(*(member.classes for member in candidates)) if candidates else set()
        self._person_item(
            AMBIGUOUS,
            person,
            sferum_class=", ".join(class_name_format(*key) for key in sorted(classes)),
            note=note,
        )
        self.claimed.update(member.account_id for member in candidates)

    # steps

    def run(self) -> list[Item]:
        self._by_link()
        self._by_name()
        missing = [person for person in self.people if person.person_id not in self.done]
        missing_items = [self._missing(person) for person in missing]
        left = [member for member in self.members if member.account_id not in self.claimed]
        member_items = {}
        for member in left:
            if member.linked_person_id or member.role_code in self.reportable:
                item = member_items[member.account_id] = self._not_on_roster(member)
                if member.linked_person_id:
                    item.note_add(
                        _("The account is linked to %(person)s, who is not on the roster.")
                        % {"person": f"{member.linked_person_id} {member.linked_name}".strip()}
                    )
        unknown = [member for member in left if member.account_id not in self.gone]
        self._probable(list(zip(missing, missing_items, strict=True)), unknown, member_items)
        return self.items

    def _by_link(self) -> None:
        """Decide the people whose accounts are linked to them; set aside accounts linked to people who left."""
        on_roster = {person.person_id: person for person in self.people}
        linked: dict[str, list[SferumMember]] = defaultdict(list)
        for member in self.members:
            if member.linked_person_id is None:
                continue
            if member.linked_person_id in on_roster:
                linked[member.linked_person_id].append(member)
            elif self.links_decide:
                self.gone.add(member.account_id)
        for person_id, members in linked.items():
            person = on_roster[person_id]
            if not self.by_class or any(person.class_key in member.classes for member in members):
                self._matched(person, members)
            else:
                self._moved(person, members)

    def _by_name(self) -> None:
        people_by_key: dict[tuple[str, str], list[RosterPerson]] = defaultdict(list)
        for person in self.people:
            if person.person_id not in self.done:
                people_by_key[name_key(person.last_name, person.first_name)].append(person)
        members_by_key: dict[tuple[str, str], list[SferumMember]] = defaultdict(list)
        for member in self.members:
            if member.account_id not in self.claimed and member.account_id not in self.gone:
                members_by_key[name_key(member.last_name, member.first_name)].append(member)
        for key, people in people_by_key.items():
            members = members_by_key.get(key, [])
            if not members or not all(key):
                continue
            if self.by_class:
                unmatched = self._pairs(people, members, self._same_class, moved=False)
                if unmatched:  # found by name in another class's chat only: moved
                    self._pairs(unmatched, members, self._other_class, moved=True)
            else:
                self._pairs(people, members, lambda person, member: True, moved=False)

    def _pairs(self, people: list[RosterPerson], members: list[SferumMember], fits, *, moved: bool) -> list:
        """Pair people and members that fit each other one to one; make people with several candidates ambiguous.

        `fits(person, member)` says who may be whose; a pair is `moved` in the second pass (another class's
        chat). Birth dates and patronymics narrow the candidates on both sides first. Return the people
        left without any candidate.
        """
        candidates = {
            person.person_id: [m for m in members if m.account_id not in self.claimed and fits(person, m)]
            for person in people
        }
        reverse = {member.account_id: [p for p in people if fits(p, member)] for member in members}
        unmatched: list[RosterPerson] = []
        ambiguous: list[tuple[RosterPerson, list[SferumMember], int]] = []
        for person in people:
            found = candidates[person.person_id]
            if not found:
                unmatched.append(person)
                continue
            narrowed = candidates_narrow(person, found) or found
            if len(narrowed) == 1:
                member = narrowed[0]
                back = candidates_narrow(member, reverse[member.account_id])
                if back == [person]:
                    if moved:
                        self._moved(person, [member])
                    else:
                        self._matched(person, [member])
                    continue
                ambiguous.append((person, narrowed, len(back)))
            else:
                ambiguous.append((person, narrowed, 1))
        for person, found, people_count in ambiguous:
            self._ambiguous(person, found, people_count=people_count)
        return unmatched

    @staticmethod
    def _same_class(person: RosterPerson, member: SferumMember) -> bool:
        return person.class_key in member.classes

    @staticmethod
    def _other_class(person: RosterPerson, member: SferumMember) -> bool:
        return bool(member.classes) and person.class_key not in member.classes

    def _missing(self, person: RosterPerson) -> Item:
        item = self._person_item(MISSING, person)
        accounts = self.unlinked_accounts.get(person.person_id)
        if accounts:
            where = _("students chat") if self.by_class else _("chat of the school")
            item.note_add(
                _("Has Sferum account %(accounts)s, but it is in no %(where)s.")
                % {"accounts": ", ".join(accounts), "where": where}
            )
        return item

    def _not_on_roster(self, member: SferumMember) -> Item:
        item = Item(
            category=NOT_ON_ROSTER,
            role=self.role,
            key=f"{self.role}:sferum:{member.user_id}",
            name=member.name,
            sferum_class=member.class_names if self.by_class else "",
            sferum_user_id=member.json_user_id,
        )
        self.items.append(item)
        first_class = min(member.classes) if member.classes else None
        self.result.count(NOT_ON_ROSTER, self.role, class_name_format(*first_class) if first_class else "")
        return item

    def _probable(
        self,
        missing: list[tuple[RosterPerson, Item]],
        members: list[SferumMember],
        member_items: dict[int, Item],
    ) -> None:
        """Propose, never link: a missing person and an unmatched member whose names are probably one."""
        index: dict[tuple[str, str], list[SferumMember]] = defaultdict(list)
        for member in members:
            for key in probable_index_keys(member.last_name, member.first_name):
                index[key].append(member)
        for person, item in missing:
            seen: dict[int, SferumMember] = {}
            for key in probable_lookup_keys(person.last_name, person.first_name):
                for member in index.get(key, []):
                    seen.setdefault(member.account_id, member)
            proposals = []
            for member in seen.values():
                difference = probable_match_note(person, member)
                if difference is None:
                    continue
                same_class = not self.by_class or person.class_key in member.classes
                proposals.append((not same_class, member.user_id, member, difference))
            for _other, _user_id, member, difference in sorted(proposals, key=lambda p: p[:2]):
                where = f" ({member.class_names})" if self.by_class and member.classes else ""
                item.probable = True
                item.note_add(
                    _("Probable match: Sferum account %(account)s «%(name)s»%(where)s, %(difference)s; not linked.")
                    % {"account": member.user_id, "name": member.name, "where": where, "difference": difference}
                )
                member_item = member_items.get(member.account_id)
                if member_item is not None:
                    member_item.probable = True
                    member_item.note_add(
                        _("Probable match: %(person)s «%(name)s»%(where)s, %(difference)s; not linked.")
                        % {
                            "person": person.person_id,
                            "name": person.name,
                            "where": f" ({person.class_name})" if person.class_name else "",
                            "difference": difference,
                        }
                    )


# Loading


def quarter_current(*, school: School, day: date) -> Quarter | None:
    """Return the school's quarter containing the day, or in holidays the last one that started before it."""
    return (
        Quarter.objects.filter(year__school=school, starts_on__lte=day)
        .select_related("year")
        .order_by("-starts_on")
        .first()
    )


def quarter_label(quarter: Quarter | None) -> str:
    """Return the quarter's label, like «2026/2027-Q2» (empty without a quarter)."""
    return f"{quarter.year.name}-Q{quarter.number}" if quarter is not None else ""


def _roster_from_database(*, school: School, day: date) -> tuple[list[RosterPerson], list[RosterPerson]]:
    current = enrollment_current_filter(day)
    rows = (
        Enrollment.objects.filter(current, school_class__school=school)
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
        RosterPerson(STUDENT, person_id, last, first, patronymic, birth, (grade, letter))
        for person_id, last, first, patronymic, birth, grade, letter in rows
    ]
    employed = staff_employed_filter(day)
    staff_rows = (
        Staff.objects.filter(employed, school=school)
        .order_by()
        .values_list("person_id", "last_name", "first_name", "patronymic", "birth_date")
    )
    staff = [RosterPerson(STAFF, *row) for row in staff_rows]
    return students, staff


def _roster_from_file(*, school: School, content: bytes, filename: str, mapping: dict[str, str] | None):
    try:
        table = table_read(content=content, filename=filename)
    except RosterReadError as exc:
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

    return [person(STUDENT, row) for row in roster.students], [person(STAFF, row) for row in roster.staff]


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
            and (role == STUDENT or (pending and account_id not in in_staff_chat))
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
        source = SOURCE_FILE
    else:
        students, staff = _roster_from_database(school=school, day=day)
        source = SOURCE_ROSTER
    student_members, staff_members, idle_students, idle_staff = _sferum_members(school=school)
    result = ReconciliationResult(
        school_code=school.code, quarter=quarter_label(quarter_current(school=school, day=day)), source=source
    )
    for role in (STUDENT, STAFF):
        result.roles[role] = _empty_counts()
    # A file may give people other ids than the database; then a link decides nothing and names are compared.
    links_decide = source == SOURCE_ROSTER
    student_items = _Matcher(
        role=STUDENT,
        people=students,
        members=student_members,
        by_class=True,
        reportable=frozenset({STUDENT}),
        result=result,
        unlinked_accounts=idle_students,
        links_decide=links_decide,
    ).run()
    staff_items = _Matcher(
        role=STAFF,
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


def _locked_message() -> str:
    return _("This reconciliation is signed off; it can no longer be changed.")


def reconciliation_for_quarter(*, school: School, quarter: Quarter) -> Reconciliation | None:
    return Reconciliation.objects.filter(school=school, quarter=quarter).select_related("signed_by").first()


def reconciliation_open(*, school: School, quarter: Quarter) -> tuple[Reconciliation, bool]:
    """Return the school's reconciliation of the quarter, opening it if there is none; (reconciliation, opened)."""
    with transaction.atomic():
        existing = Reconciliation.objects.select_for_update().filter(school=school, quarter=quarter).first()
        if existing is not None:
            return existing, False
        reconciliation = Reconciliation(
            school=school,
            quarter=quarter,
            quarter_label=quarter_label(quarter),
            school_name=school.full_name,
            opened_at=clock.now(),
        )
        reconciliation.full_clean()
        reconciliation.save()
    return reconciliation, True


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def reconciliation_run(*, reconciliation: Reconciliation, user: User | None, day: date | None = None) -> Reconciliation:
    """Compare again and store the items; an item that is still there keeps its resolution.

    Run by an administrator (`user`), it puts the reconciliation in progress; the opening job runs it with no
    user and leaves it open. A signed-off reconciliation raises ReconciliationError.
    """
    school = reconciliation.school
    result = reconciliation_compute(school=school, day=day)
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.signed_off:
            raise ReconciliationError(_locked_message())
        kept = {
            (key, category): values
            for key, category, *values in ReconciliationItem.objects.filter(reconciliation=locked)
            .exclude(resolution="")
            .values_list(
                "key", "category", "resolution", "resolution_note", "resolved_by_id", "resolved_by_name", "resolved_at"
            )
        }
        ReconciliationItem.objects.filter(reconciliation=locked).delete()
        items = []
        for item in result.items:
            resolution, note, by_id, by_name, at = kept.get((item.key, item.category), ("", "", None, "", None))
            items.append(
                ReconciliationItem(
                    reconciliation=locked,
                    key=item.key[:200],
                    category=item.category,
                    role=item.role,
                    person_id=item.person_id,
                    name=item.name[:500],
                    roster_class=item.roster_class,
                    sferum_class=item.sferum_class[:200],
                    sferum_user_id="" if item.sferum_user_id is None else str(item.sferum_user_id),
                    note=item.note,
                    probable=item.probable,
                    resolution=resolution,
                    resolution_note=note,
                    resolved_by_id=by_id,
                    resolved_by_name=by_name,
                    resolved_at=at,
                )
            )
        ReconciliationItem.objects.bulk_create(items, batch_size=500)
        locked.summary = result.stored_summary()
        locked.source = result.source
        locked.computed_at = clock.now()
        fields = ["summary", "source", "computed_at"]
        if user is not None and locked.status == Reconciliation.Status.OPEN:
            locked.status = Reconciliation.Status.IN_PROGRESS
            fields.append("status")
        locked.save(update_fields=fields)
    return locked


def reconciliation_item_resolve(
    *, item: ReconciliationItem, resolution: str, user: User | None, note: str = ""
) -> ReconciliationItem:
    """Mark the item resolved with how (or, with an empty resolution, not resolved again)."""
    if resolution not in ReconciliationItem.Resolution.values:
        raise ReconciliationError(_("Choose how the item was resolved."))
    with transaction.atomic():
        reconciliation = Reconciliation.objects.select_for_update().get(pk=item.reconciliation_id)
        if reconciliation.signed_off:
            raise ReconciliationError(_locked_message())
        locked = ReconciliationItem.objects.select_for_update().get(pk=item.pk)
        locked.resolution = resolution
        locked.resolution_note = note.strip()[:500] if resolution else ""
        locked.resolved_by = user if resolution else None
        locked.resolved_by_name = _user_name(user) if resolution else ""
        locked.resolved_at = clock.now() if resolution else None
        locked.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_by_name", "resolved_at"])
        if reconciliation.status == Reconciliation.Status.OPEN:
            reconciliation.status = Reconciliation.Status.IN_PROGRESS
            reconciliation.save(update_fields=["status"])
    return locked


def reconciliation_sign_off(*, reconciliation: Reconciliation, user: User) -> Reconciliation:
    """Sign the quarter off: every item must be resolved; afterwards nothing of it changes."""
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.signed_off:
            raise ReconciliationError(_locked_message())
        if locked.computed_at is None:
            raise ReconciliationError(_("Run the comparison before signing the quarter off."))
        unresolved = ReconciliationItem.objects.filter(reconciliation=locked, resolution="").count()
        if unresolved:
            raise ReconciliationError(
                _("%(count)d items are not resolved yet; mark each one resolved before signing off.")
                % {"count": unresolved}
            )
        locked.status = Reconciliation.Status.SIGNED_OFF
        locked.signed_by = user
        locked.signed_by_name = _user_name(user)
        locked.signed_at = clock.now()
        locked.save(update_fields=["status", "signed_by", "signed_by_name", "signed_at"])
    return locked


def reconciliation_delete(*, reconciliation: Reconciliation) -> None:
    """Delete a reconciliation that is not signed off (a signed-off one is kept: ReconciliationError)."""
    try:
        reconciliation.delete()
    except ReconciliationLocked as exc:
        raise ReconciliationError(_locked_message()) from exc


# ---------------------------------------------------------------------------
# Selectors for pages and the dashboard
# ---------------------------------------------------------------------------

STATUS_DUE = "due"
STATUS_IN_PROGRESS = "in_progress"
STATUS_DONE = "done"
STATUS_OVERDUE = "overdue"


def _status_of(quarter: Quarter | None, reconciliation: Reconciliation | None, day: date) -> str:
    if reconciliation is not None and reconciliation.signed_off:
        return STATUS_DONE
    if quarter is not None and day > quarter.ends_on:
        return STATUS_OVERDUE
    if reconciliation is not None and reconciliation.status == Reconciliation.Status.IN_PROGRESS:
        return STATUS_IN_PROGRESS
    return STATUS_DUE


def reconciliation_status(*, school: School, day: date) -> tuple[str, Reconciliation | None]:
    """Return the current quarter's reconciliation state, "due" | "in_progress" | "done" | "overdue", and it.

    The current quarter contains the day, or (in holidays) is the last that started before it. Due: not
    started (or opened but not worked on); overdue: the quarter ended without a sign-off.
    """
    quarter = quarter_current(school=school, day=day)
    reconciliation = reconciliation_for_quarter(school=school, quarter=quarter) if quarter is not None else None
    return _status_of(quarter, reconciliation, day), reconciliation


def reconciliation_statuses(*, schools: Iterable[School], day: date) -> dict[int, tuple[str, Reconciliation | None]]:
    """Return {school id: (status, reconciliation)} for many schools in two queries (the municipal overview)."""
    school_ids = [school.pk for school in schools]
    latest: dict[int, Quarter] = {}
    quarters = (
        Quarter.objects.filter(year__school_id__in=school_ids, starts_on__lte=day)
        .select_related("year")
        .order_by("year__school_id", "-starts_on")
    )
    for quarter in quarters:
        latest.setdefault(quarter.year.school_id, quarter)
    reconciliations = {
        reconciliation.school_id: reconciliation
        for reconciliation in Reconciliation.objects.filter(quarter__in=[q.pk for q in latest.values()])
    }
    return {
        school_id: (
            _status_of(latest.get(school_id), reconciliations.get(school_id), day),
            reconciliations.get(school_id),
        )
        for school_id in school_ids
    }


def reconciliations_for_school(*, school: School) -> QuerySet[Reconciliation]:
    """Return the school's reconciliations, newest quarter first."""
    return Reconciliation.objects.filter(school=school).select_related("quarter").order_by("-quarter__starts_on")


def reconciliation_items(*, reconciliation: Reconciliation, category: str | None = None) -> QuerySet:
    """Return the reconciliation's items in report order (students by class, then staff), optionally of one category."""
    items = ReconciliationItem.objects.filter(reconciliation=reconciliation)
    if category:
        items = items.filter(category=category)
    return items.order_by("-role", "pk")


# ---------------------------------------------------------------------------
# The opening job and its e-mail
# ---------------------------------------------------------------------------


def first_school_day(*, quarter: Quarter, calendar: SchoolCalendar) -> date:
    """Return the quarter's first school day (its first Monday to Friday outside holidays)."""
    return calendar.first_school_day_from(quarter.starts_on)


def reconciliation_notify_admins(*, reconciliation: Reconciliation) -> int:
    """E-mail the school's administrators that the quarter's reconciliation is open; once. Return how many."""
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.notified_at is not None:
            return 0
        admins = list(
            User.objects.filter(role=User.Role.SCHOOL_ADMIN, school_id=locked.school_id, is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
        )
        subject = _("Roster reconciliation %(quarter)s is open") % {"quarter": locked.quarter_label}
        body = _(
            "The quarterly roster reconciliation of %(school)s for %(quarter)s is open. Compare the official "
            "roster with Sferum on the Reconciliation page, resolve every item and sign the quarter off."
        ) % {"school": locked.school_name, "quarter": locked.quarter_label}
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in admins])
        locked.notified_at = clock.now()
        locked.save(update_fields=["notified_at"])
    return len(admins)


# ---------------------------------------------------------------------------
# Arrivals and departures: a sync that agrees confirms them
# ---------------------------------------------------------------------------


def roster_changes_confirm_from_sync(*, school: School) -> int:
    """Confirm processed arrivals and departures that Sferum agrees with after the last successful sync.

    A departure agrees when no current member of the class's students chat is the student (linked, or by
    name); an arrival when one is (by name). Only changes processed before that sync finished count.
    """
    last_sync = (
        SyncRun.objects.filter(school=school, status=SyncRun.Status.OK, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last_sync is None:
        return 0
    changes = list(
        RosterChange.objects.filter(
            school=school, state=RosterChange.State.PROCESSED, processed_at__lte=last_sync
        ).select_related("student")
    )
    if not changes:
        return 0
    class_ids = {change.school_class_id for change in changes}
    members: dict[int, list[tuple[tuple[str, str], int | None]]] = defaultdict(list)
    rows = (
        ChatMembership.objects.filter(
            chat__school=school,
            chat__kind=Chat.Kind.CLASS,
            chat__school_class_id__in=class_ids,
            left_at__isnull=True,
        )
        .filter(Q(account__role_code__in=[STUDENT, ""]) | Q(account__student__isnull=False))
        .order_by()
        .values_list("chat__school_class_id", "account__last_name", "account__first_name", "account__student_id")
    )
    for class_id, last, first, student_id in rows:
        members[class_id].append((name_key(last, first), student_id))
    confirmed = 0
    for change in changes:
        present = members.get(change.school_class_id, [])
        key = name_key(change.last_name, change.first_name)
        if change.kind == RosterChange.Kind.DEPARTURE:
            agrees = not any(
                student_id == change.student_id or (student_id is None and seen == key) for seen, student_id in present
            )
        else:
            agrees = sum(1 for seen, _student in present if seen == key) == 1
        if agrees:
            confirmed += roster_change_confirm(change=change, source=RosterChange.Source.SYNC)
    return confirmed
