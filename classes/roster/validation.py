"""Check a roster table against the rules of roster-format.md; collect every bad row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from classes.class_names import class_name_format
from classes.models import Parent
from classes.models import Staff
from classes.models import Student
from classes.roster.columns import COLUMNS
from classes.roster.columns import COLUMNS_BY_KEY
from classes.tabular.cells import RowReader
from classes.tabular.columns import column_missing
from classes.tabular.columns import columns_resolve
from classes.tabular.columns import header_normalize
from classes.tabular.dates import date_parse
from classes.tabular.errors import RowError
from classes.tabular.names import full_name_read
from classes.tabular.names import name_columns_missing
from classes.tabular.names import name_parts_read
from classes.tabular.reading import Cell
from classes.tabular.reading import Table
from classes.tabular.reading import cell_text

STAFF = "staff"
STUDENT = "student"
PARENT = "parent"

_ROLES = {
    STAFF: ("staff", "teacher", "employee", "сотрудник", "учитель", "педагог", "работник"),
    STUDENT: ("student", "pupil", "ученик", "ученица", "обучающийся", "обучающаяся", "учащийся", "учащаяся"),
    PARENT: ("parent", "guardian", "родитель", "законный представитель", "мать", "отец", "опекун"),
}
ROLE_VALUES = {header_normalize(word): role for role, words in _ROLES.items() for word in words}
_YES = {"yes", "y", "да", "д", "1", "true", "истина", "+"}
_NO = {"no", "n", "нет", "н", "0", "false", "ложь", "-"}
_LIST_SEPARATORS = re.compile(r"[;,\n]+")
_NAME_FIELDS = ("last_name", "first_name", "patronymic")
_MODELS: dict[str, type[models.Model]] = {STAFF: Staff, STUDENT: Student, PARENT: Parent}
_ROLE_FIELDS = {
    STAFF: ("birth_date", "phone", "email", "position", "teaches"),
    STUDENT: ("birth_date", "phone", "email"),
    PARENT: ("birth_date", "phone", "email"),
}
SINCE_COLUMNS = {STAFF: "employed_from", STUDENT: "enrolled_from"}


@dataclass
class PersonRow:
    """One person of the file, checked. `values` holds the model fields the file's columns give."""

    row: int
    role: str
    person_id: str
    values: dict[str, Any]
    school_class: tuple[int, str] | None = None
    class_teacher_of: list[tuple[int, str]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    # The day the file says the person counts from («Работает с» / «Зачислен с»); None when it does not say.
    since: date | None = None


@dataclass
class Roster:
    """A checked roster: the people by role and the columns the file has."""

    columns: frozenset[str]
    staff: list[PersonRow]
    students: list[PersonRow]
    parents: list[PersonRow]

    @property
    def leads_classes(self) -> bool:
        """Return True when the file says who leads each class (it has a class teacher column)."""
        return "class_teacher_of" in self.columns


def roster_validate(*, table: Table, mapping: dict[str, str] | None = None) -> tuple[Roster | None, list[RowError]]:
    """Return the checked roster and no errors, or None and every error of the file."""
    indexes, headers, errors = _columns_resolve(table.header, mapping or {})
    if errors:
        return None, errors
    checker = _RowChecker(indexes=indexes, headers=headers)
    people = [checker.person(number, cells) for number, cells in table.rows]
    for key, role in (("class", STUDENT), ("children", PARENT)):
        if key not in indexes and any(seen == role for _row, seen in checker.ids.values()):
            return None, [column_missing(COLUMNS_BY_KEY[key])]
    checker.children_check()
    if errors := checker.table_errors(table):
        return None, errors
    kept = [person for person in people if person is not None]
    roster = Roster(
        columns=frozenset(indexes),
        staff=[person for person in kept if person.role == STAFF],
        students=[person for person in kept if person.role == STUDENT],
        parents=[person for person in kept if person.role == PARENT],
    )
    return roster, []


def _columns_resolve(
    header: list[str], mapping: dict[str, str]
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Return where the roster's columns are and the errors of row 1, required columns included."""
    indexes, headers, errors = columns_resolve(header, mapping, COLUMNS, what=_("roster"))
    errors += [column_missing(COLUMNS_BY_KEY[key]) for key in ("role", "person_id") if key not in indexes]
    errors += name_columns_missing(indexes=indexes, columns=COLUMNS, roster=True)
    return indexes, headers, errors


class _RowChecker(RowReader):
    """Check rows one by one, remembering what later rows are checked against."""

    def __init__(self, *, indexes: dict[str, int], headers: dict[str, str]) -> None:
        super().__init__(indexes=indexes, headers=headers, columns=COLUMNS)
        self.ids: dict[str, tuple[int, str | None]] = {}  # person_id -> (first row, role), bad rows included
        self.class_teacher_rows: dict[tuple[int, str], int] = {}
        self.parents: list[PersonRow] = []  # every parent row, bad ones included, for children_check

    def person(self, row: int, cells: list[Cell]) -> PersonRow | None:
        """Return the checked person of a data row, or None (with its errors recorded)."""
        before = len(self.errors)
        role = self._role(row, cells)
        person_id = self._person_id(row, cells)
        if person_id and person_id not in self.ids:
            self.ids[person_id] = (row, role)
        values = self._names(row, cells)
        if "birth_date" in self.indexes:
            values["birth_date"] = self._date(row, cells, "birth_date")
        for key in ("phone", "email", "position"):
            if key in self.indexes:
                values[key] = self.text(cells, key)
        person = PersonRow(row=row, role=role or "", person_id=person_id, values=values)
        if SINCE_COLUMNS.get(role or "") in self.indexes:
            person.since = self._date(row, cells, SINCE_COLUMNS[role])
        if role == STUDENT:
            person.school_class = self._class(row, cells)
        elif role == STAFF:
            teaches = self._teaches(row, cells)
            if teaches is not None:
                values["teaches"] = teaches
            person.class_teacher_of = self._classes_led(row, cells)
            if person.class_teacher_of:
                values["teaches"] = True  # a class teacher always teaches
        elif role == PARENT:
            person.children = self._children(row, cells)
            self.parents.append(person)
        if role is not None:
            values = {name: value for name, value in values.items() if name in (*_NAME_FIELDS, *_ROLE_FIELDS[role])}
            person.values = values
            self._fields_check(row, role, person_id, values)
        if len(self.errors) > before or role is None:
            return None
        return person

    def _role(self, row: int, cells: list[Cell]) -> str | None:
        text = self.text(cells, "role")
        if not text:
            self.error(row, "role", _("The role is empty; write staff, student or parent."))
            return None
        role = ROLE_VALUES.get(header_normalize(text))
        if role is None:
            self.error(row, "role", _("«%(value)s» is not a role; write staff, student or parent.") % {"value": text})
        return role

    def _person_id(self, row: int, cells: list[Cell]) -> str:
        person_id = self.text(cells, "person_id")
        if not person_id:
            self.error(row, "person_id", _("The id is empty; give every person the id the school's register uses."))
            return ""
        if person_id in self.ids:
            self.error(
                row,
                "person_id",
                _("Id «%(value)s» is already used in row %(row)d; give every person their own id.")
                % {"value": person_id, "row": self.ids[person_id][0]},
            )
        return person_id

    def _names(self, row: int, cells: list[Cell]) -> dict[str, Any]:
        has_parts = self.has("last_name") and self.has("first_name")
        parts_empty = not (self.text(cells, "last_name") or self.text(cells, "first_name"))
        if self.has("full_name") and (not has_parts or parts_empty):
            parts = full_name_read(self, row, cells, patronymic=True)
            if parts is None:
                return {}
            return {"last_name": parts[0], "first_name": parts[1], "patronymic": " ".join(parts[2:])}
        last, first = name_parts_read(self, row, cells)
        values: dict[str, Any] = {"last_name": last, "first_name": first}
        if "patronymic" in self.indexes:
            values["patronymic"] = self.text(cells, "patronymic")
        return values

    def _date(self, row: int, cells: list[Cell], key: str) -> date | None:
        raw = self.raw(cells, key)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = cell_text(raw)
        if not text:
            return None
        parsed = date_parse(text)
        if parsed is None:
            self.error(
                row, key, _("«%(value)s» is not a date; write it as YYYY-MM-DD or DD.MM.YYYY.") % {"value": text}
            )
        return parsed

    def _class(self, row: int, cells: list[Cell]) -> tuple[int, str] | None:
        if "class" not in self.indexes:
            return None  # reported once for the file
        text = self.text(cells, "class")
        if not text:
            self.error(row, "class", _("The student's class is empty; write their class, like 5А."))
            return None
        return self.class_name(row, "class", text)

    def _teaches(self, row: int, cells: list[Cell]) -> bool | None:
        if "teaches" not in self.indexes:
            return None
        text = self.text(cells, "teaches")
        if not text:
            return True
        value = header_normalize(text)
        if value in _YES:
            return True
        if value in _NO:
            return False
        self.error(row, "teaches", _("«%(value)s» is not yes or no; write yes or no (да or нет).") % {"value": text})
        return None

    def _classes_led(self, row: int, cells: list[Cell]) -> list[tuple[int, str]]:
        led: list[tuple[int, str]] = []
        for text in _list_split(self.text(cells, "class_teacher_of")):
            parsed = self.class_name(row, "class_teacher_of", text)
            if parsed is None:
                continue
            first_row = self.class_teacher_rows.setdefault(parsed, row)
            if first_row != row:
                self.error(
                    row,
                    "class_teacher_of",
                    _("Class %(class)s already has a class teacher in row %(row)d; give each class one class teacher.")
                    % {"class": class_name_format(*parsed), "row": first_row},
                )
                continue
            if parsed not in led:
                led.append(parsed)
        return led

    def _children(self, row: int, cells: list[Cell]) -> list[str]:
        children = list(dict.fromkeys(_list_split(self.text(cells, "children"))))
        if not children and "children" in self.indexes:
            self.error(
                row, "children", _("The parent's children are empty; list their children's ids, separated by «;».")
            )
        return children

    def _fields_check(self, row: int, role: str, person_id: str, values: dict[str, Any]) -> None:
        """Check lengths and formats against the model fields (an e-mail address, a too long name)."""
        model = _MODELS[role]
        instance = model(person_id=person_id, **values)
        checked = {"person_id", *values}
        exclude = [f.name for f in model._meta.get_fields() if f.concrete and f.name not in checked]
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name in ("person_id", "last_name", "first_name") and not getattr(instance, name):
                    continue  # already reported as empty
                if name in _NAME_FIELDS:
                    key = name if name in self.indexes else "full_name"
                else:
                    key = name if name in COLUMNS_BY_KEY else "person_id"
                for message in messages:
                    self.error(row, key, message)

    def children_check(self) -> None:
        """Record an error for every child id that is not a student of this file."""
        for person in self.parents:
            for child in person.children:
                if self.ids.get(child, (0, None))[1] != STUDENT:
                    self.error(
                        person.row,
                        "children",
                        _("«%(value)s» is not a student in this file; add the student or correct the id.")
                        % {"value": child},
                    )


def _list_split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]
