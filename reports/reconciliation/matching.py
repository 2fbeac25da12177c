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

Loading both sides (`comparison`) is set-based: a fixed handful of queries whatever the size of the school.

This module holds the comparison itself (no queries, no writes): the two sides' records and the matcher.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from activation.models import SferumAccount
from classes.class_names import class_name_format
from classes.names import candidates_narrow
from classes.names import name_key
from classes.names import probable_index_keys
from classes.names import probable_lookup_keys
from classes.names import probable_match_note
from reports.models import ReconciliationItem

Category = ReconciliationItem.Category
Role = ReconciliationItem.Role
CATEGORIES = tuple(Category)  # matched, moved, missing_in_sferum, not_on_roster, ambiguous: the report's order
ITEM_CATEGORIES = CATEGORIES[1:]  # the categories of stored items (a matched person is only counted)
# The Sferum role codes of staff accounts.
STAFF_ROLE_CODES = frozenset(
    {SferumAccount.RoleCode.ADMIN, SferumAccount.RoleCode.EMPLOYEE, SferumAccount.RoleCode.TEACHER}
)

ClassKey = tuple[int, str]


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


def counts_empty() -> dict[str, int]:
    return dict.fromkeys(CATEGORIES, 0)


@dataclass
class ReconciliationResult:
    """The comparison: the five counts (in all, per role, per class of students) and the items."""

    school_code: str
    quarter: str
    source: str
    items: list[Item] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=counts_empty)
    roles: dict[str, dict[str, int]] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, category: str, role: str, class_name: str = "") -> None:
        self.summary[category] += 1
        self.roles.setdefault(role, counts_empty())[category] += 1
        if role == Role.STUDENT and class_name:
            self.classes.setdefault(class_name, counts_empty())[category] += 1

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


class RoleMatcher:
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
        self.result.count(Category.MATCHED, self.role, person.class_name)

    def _moved(self, person: RosterPerson, members: list[SferumMember]) -> None:
        classes = set().union(*(member.classes for member in members))
        self._person_item(
            Category.MOVED,
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
            Category.AMBIGUOUS,
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
        item = self._person_item(Category.MISSING_IN_SFERUM, person)
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
            category=Category.NOT_ON_ROSTER,
            role=self.role,
            key=f"{self.role}:sferum:{member.user_id}",
            name=member.name,
            sferum_class=member.class_names if self.by_class else "",
            sferum_user_id=member.json_user_id,
        )
        self.items.append(item)
        first_class = min(member.classes) if member.classes else None
        self.result.count(Category.NOT_ON_ROSTER, self.role, class_name_format(*first_class) if first_class else "")
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
