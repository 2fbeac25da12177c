"""Check a roster table against the rules of roster-format.md; collect every bad row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from classes.class_names import class_name_format, parse_class_name
from classes.models import Parent, Staff, Student
from classes.roster.columns import COLUMNS, COLUMNS_BY_KEY, Column, header_normalize
from classes.roster.reading import Cell, Table, cell_text

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
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_NAME_FIELDS = ("last_name", "first_name", "patronymic")
_MODELS: dict[str, type[models.Model]] = {STAFF: Staff, STUDENT: Student, PARENT: Parent}
_ROLE_FIELDS = {
    STAFF: ("birth_date", "phone", "email", "position", "teaches"),
    STUDENT: ("birth_date", "phone", "email"),
    PARENT: ("birth_date", "phone", "email"),
}
SINCE_COLUMNS = {STAFF: "employed_from", STUDENT: "enrolled_from"}


@dataclass(frozen=True)
class RowError:
    """A broken rule: the row of the file (1 is the header; None for the whole file), its column, and why."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


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
            return None, [_missing_column(COLUMNS_BY_KEY[key])]
    checker.children_check()
    checker.errors += nul_errors(table)
    if checker.errors:
        return None, sorted(checker.errors, key=lambda error: (error.row or 0, checker.column_order(error.column)))
    kept = [person for person in people if person is not None]
    roster = Roster(
        columns=frozenset(indexes),
        staff=[person for person in kept if person.role == STAFF],
        students=[person for person in kept if person.role == STUDENT],
        parents=[person for person in kept if person.role == PARENT],
    )
    return roster, []


def nul_errors(table: Table) -> list[RowError]:
    """Return an error for each cell holding a NUL character (no database stores one; it is not a letter)."""
    return [
        RowError(
            row=row,
            column=table.header[index] if index < len(table.header) and table.header[index] else str(index + 1),
            message=_(
                "The cell holds a NUL character (an invisible control character); retype the value, or save the "
                "file again as CSV (UTF-8) or XLSX."
            ),
        )
        for row, index in table.nul_cells
    ]


def _missing_column(column: Column) -> RowError:
    return RowError(
        row=1,
        column=column.russian,
        message=_(
            "Column %(column)s is missing in row 1; add it or map one of your columns to %(key)s "
            '(on the command line: --map "Header=%(key)s").'
        )
        % {"column": column.label, "key": column.key},
    )


def columns_resolve(
    header: list[str], mapping: dict[str, str], columns: tuple[Column, ...], *, what: str
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Return {column key: cell index}, {column key: header as in the file} and the errors of row 1.

    A header names a column by its key, its Russian header or an alias (case-insensitively), or through the
    mapping {header in the file: column}. `what` names the file's kind in messages ("roster", "member list").
    Shared by every tabular import: the roster, Sferum member lists and weekly activity reports.
    """
    known: dict[str, str] = {}
    for column in columns:
        for text in (column.key, column.russian):
            known[header_normalize(text)] = column.key
    for column in columns:
        for alias in column.aliases:
            known.setdefault(header_normalize(alias), column.key)
    errors: list[RowError] = []
    mapped: dict[str, str] = {}
    for source, target in mapping.items():
        key = known.get(header_normalize(target))
        if key is None:
            errors.append(
                RowError(
                    row=1,
                    column=source,
                    message=_("«%(target)s» is not a %(what)s column; map «%(header)s» to one of: %(columns)s.")
                    % {"target": target, "what": what, "header": source, "columns": ", ".join(c.key for c in columns)},
                )
            )
        else:
            mapped[header_normalize(source)] = key
    indexes: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, text in enumerate(header):
        normalized = header_normalize(text)
        if not normalized:
            continue
        key = mapped.get(normalized) or known.get(normalized)
        if key is None:
            continue
        if key in indexes:
            errors.append(
                RowError(
                    row=1,
                    column=text,
                    message=_("Columns «%(first)s» and «%(second)s» both hold %(key)s; remove one of them.")
                    % {"first": headers[key], "second": text, "key": key},
                )
            )
            continue
        indexes[key] = index
        headers[key] = text
    return indexes, headers, errors


def _columns_resolve(
    header: list[str], mapping: dict[str, str]
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Return where the roster's columns are and the errors of row 1, required columns included."""
    indexes, headers, errors = columns_resolve(header, mapping, COLUMNS, what=_("roster"))
    for key in ("role", "person_id"):
        if key not in indexes:
            errors.append(_missing_column(COLUMNS_BY_KEY[key]))
    if "full_name" not in indexes:
        for key in ("last_name", "first_name"):
            if key not in indexes:
                column = COLUMNS_BY_KEY[key]
                errors.append(
                    RowError(
                        row=1,
                        column=column.russian,
                        message=_(
                            "Column %(column)s is missing in row 1; add it, map one of your columns to %(key)s, "
                            "or give full names in a column %(full)s."
                        )
                        % {"column": column.label, "key": key, "full": COLUMNS_BY_KEY["full_name"].label},
                    )
                )
    return indexes, headers, errors


class _RowChecker:
    """Check rows one by one, remembering what later rows are checked against."""

    def __init__(self, *, indexes: dict[str, int], headers: dict[str, str]) -> None:
        self.indexes = indexes
        self.headers = headers
        self.errors: list[RowError] = []
        self.ids: dict[str, tuple[int, str | None]] = {}  # person_id -> (first row, role), bad rows included
        self.class_teacher_rows: dict[tuple[int, str], int] = {}
        self.parents: list[PersonRow] = []  # every parent row, bad ones included, for children_check
        self._order = {column.key: position for position, column in enumerate(COLUMNS)}
        self._order.update({headers[key]: self._order[key] for key in headers})

    def column_order(self, column: str) -> int:
        return self._order.get(column, len(COLUMNS))

    def _header(self, key: str) -> str:
        return self.headers.get(key, COLUMNS_BY_KEY[key].russian)

    def _error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row=row, column=self._header(key), message=message))

    def _raw(self, cells: list[Cell], key: str) -> Cell:
        index = self.indexes.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def _text(self, cells: list[Cell], key: str) -> str:
        return cell_text(self._raw(cells, key))

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
                values[key] = self._text(cells, key)
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
        text = self._text(cells, "role")
        if not text:
            self._error(row, "role", _("The role is empty; write staff, student or parent."))
            return None
        role = ROLE_VALUES.get(header_normalize(text))
        if role is None:
            self._error(row, "role", _("«%(value)s» is not a role; write staff, student or parent.") % {"value": text})
        return role

    def _person_id(self, row: int, cells: list[Cell]) -> str:
        person_id = self._text(cells, "person_id")
        if not person_id:
            self._error(row, "person_id", _("The id is empty; give every person the id the school's register uses."))
            return ""
        if person_id in self.ids:
            self._error(
                row,
                "person_id",
                _("Id «%(value)s» is already used in row %(row)d; give every person their own id.")
                % {"value": person_id, "row": self.ids[person_id][0]},
            )
        return person_id

    def _names(self, row: int, cells: list[Cell]) -> dict[str, Any]:
        last = self._text(cells, "last_name")
        first = self._text(cells, "first_name")
        patronymic = self._text(cells, "patronymic")
        full = self._text(cells, "full_name")
        has_parts = "last_name" in self.indexes and "first_name" in self.indexes
        if "full_name" in self.indexes and (not has_parts or not (last or first)):
            if not full:
                self._error(
                    row,
                    "full_name",
                    _("The full name is empty; write the last name, first name and patronymic, like «%(example)s».")
                    % {"example": "Иванова Мария Петровна"},
                )
                return {}
            parts = full.split()
            if len(parts) < 2:
                self._error(
                    row,
                    "full_name",
                    _(
                        "«%(value)s» is not a full name; "
                        "write the last name, first name and patronymic, like «%(example)s»."
                    )
                    % {"value": full, "example": "Иванова Мария Петровна"},
                )
                return {}
            return {"last_name": parts[0], "first_name": parts[1], "patronymic": " ".join(parts[2:])}
        if not last:
            self._error(row, "last_name", _("The last name is empty; write the person's last name."))
        if not first:
            self._error(row, "first_name", _("The first name is empty; write the person's first name."))
        values: dict[str, Any] = {"last_name": last, "first_name": first}
        if "patronymic" in self.indexes:
            values["patronymic"] = patronymic
        return values

    def _date(self, row: int, cells: list[Cell], key: str) -> date | None:
        raw = self._raw(cells, key)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = cell_text(raw)
        if not text:
            return None
        parsed = date_parse(text)
        if parsed is None:
            self._error(
                row, key, _("«%(value)s» is not a date; write it as YYYY-MM-DD or DD.MM.YYYY.") % {"value": text}
            )
        return parsed

    def _class_error(self, row: int, key: str, value: str) -> None:
        self._error(
            row, key, _("«%(value)s» is not a class name; use a grade 1–11 and a letter, like 5А.") % {"value": value}
        )

    def _class(self, row: int, cells: list[Cell]) -> tuple[int, str] | None:
        if "class" not in self.indexes:
            return None  # reported once for the file
        text = self._text(cells, "class")
        if not text:
            self._error(row, "class", _("The student's class is empty; write their class, like 5А."))
            return None
        parsed = parse_class_name(text)
        if parsed is None:
            self._class_error(row, "class", text)
        return parsed

    def _teaches(self, row: int, cells: list[Cell]) -> bool | None:
        if "teaches" not in self.indexes:
            return None
        text = self._text(cells, "teaches")
        if not text:
            return True
        value = header_normalize(text)
        if value in _YES:
            return True
        if value in _NO:
            return False
        self._error(row, "teaches", _("«%(value)s» is not yes or no; write yes or no (да or нет).") % {"value": text})
        return None

    def _classes_led(self, row: int, cells: list[Cell]) -> list[tuple[int, str]]:
        led: list[tuple[int, str]] = []
        for text in _list_split(self._text(cells, "class_teacher_of")):
            parsed = parse_class_name(text)
            if parsed is None:
                self._class_error(row, "class_teacher_of", text)
                continue
            first_row = self.class_teacher_rows.setdefault(parsed, row)
            if first_row != row:
                self._error(
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
        children = list(dict.fromkeys(_list_split(self._text(cells, "children"))))
        if not children and "children" in self.indexes:
            self._error(
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
                    self._error(row, key, message)

    def children_check(self) -> None:
        """Record an error for every child id that is not a student of this file."""
        for person in self.parents:
            for child in person.children:
                if self.ids.get(child, (0, None))[1] != STUDENT:
                    self._error(
                        person.row,
                        "children",
                        _("«%(value)s» is not a student in this file; add the student or correct the id.")
                        % {"value": child},
                    )


def _list_split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def date_parse(text: str) -> date | None:
    """Return the date written as YYYY-MM-DD or DD.MM.YYYY, or None."""
    text = text.strip()
    if " " in text:  # "2015-03-12 00:00:00" from a spreadsheet
        text = text.split(" ", 1)[0]
    try:
        if match := _ISO_DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _RU_DATE.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None
