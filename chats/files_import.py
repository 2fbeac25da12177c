"""File imports of the `files` backend: Sferum member lists and weekly activity reports (sferum-api.md).

Both are CSV (utf-8 with or without BOM, or cp1251; `,` or `;`) or the first sheet of an XLSX, read by the
roster reader (`classes.roster.reading.table_read`); headers match case-insensitively in English or Russian,
and any other header needs a column mapping ({header in the file: column}). Every bad row is reported with its
row number (the header is row 1); a file with any bad row writes nothing.

- A member list (`member_list_read` here, `chats.member_lists.member_list_import` to sync it) is a full snapshot of
  the chats it lists, one row per chat member; it is synced through the `files` backend
  (`sferum_api.files.FilesBackend`) by the logged sync service, so members missing from a newer file leave their
  chats (with the safety hold on mass removals).
- A weekly activity report (`activity_report_import`) gives, for a school whose only source is such a report,
  each staff member's messages of a week; the counts are stored as `ReportedActivity`, one row per person and
  week, and a later report for the same week replaces them.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from activation.models import SferumAccount
from classes.calendar import week_label, week_parse, week_start
from classes.class_names import class_name_format, parse_class_name
from classes.models import DEFAULT_TIMEZONE, School, Staff, User
from classes.models.periods import period_overlaps
from classes.names import name_key
from classes.roster.columns import Column, header_normalize
from classes.roster.reading import Cell, RosterReadError, Table, cell_text, table_read
from classes.roster.validation import RowError, columns_resolve, nul_errors
from sferum_api.files import CLASS_CHAT_KINDS, MemberRow, chat_id_for_title, chat_title_for

from .models import ReportedActivity

BATCH_SIZE = 500
MAX_MESSAGES = 2_147_483_647  # the largest PositiveIntegerField value every database accepts
FULL_NAME_EXAMPLE = "Иванова Мария Петровна"

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("chat_title", "Чат", ("название чата", "chat", "title", "беседа", "название беседы")),
    Column("class", "Класс", ("class name",)),
    Column("chat_kind", "Тип чата", ("вид чата", "chat type", "kind", "тип")),
    Column(
        "user_id",
        "ID",
        ("идентификатор пользователя", "идентификатор", "id пользователя", "user id", "member id", "id участника"),
    ),
    Column("last_name", "Фамилия", ("surname",)),
    Column("first_name", "Имя"),
    Column("full_name", "ФИО", ("ф.и.о.", "full name", "фамилия и имя")),
    Column("role", "Роль", ("role code", "роль в сферуме")),
    Column(
        "joined_at",
        "Дата вступления",
        ("вступил", "вступила", "вступил(а)", "дата добавления", "joined", "join date", "joined at"),
    ),
)
ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("user_id", "ID", ("идентификатор пользователя", "идентификатор", "id пользователя", "user id")),
    Column("full_name", "ФИО", ("ф.и.о.", "full name", "фио сотрудника", "фио педагога", "сотрудник", "педагог")),
    Column("last_name", "Фамилия", ("surname",)),
    Column("first_name", "Имя"),
    Column("week", "Неделя", ("iso week",)),
    Column(
        "messages",
        "Сообщения",
        ("сообщений", "количество сообщений", "число сообщений", "messages count", "message count"),
    ),
)

# Role words of a member list → platform role codes (sferum_api.types.ROLE_CODES).
_ROLES = {
    "teacher": ("teacher", "учитель", "учительница", "педагог", "преподаватель"),
    "student": ("student", "pupil", "ученик", "ученица", "обучающийся", "обучающаяся", "учащийся", "учащаяся"),
    "parent": ("parent", "guardian", "родитель", "законный представитель", "мать", "отец", "опекун"),
    "admin": ("admin", "administrator", "администратор", "администратор оо", "администратор школы"),
    "employee": ("employee", "staff", "сотрудник", "сотрудница", "работник"),
}
ROLE_VALUES = {header_normalize(word): code for code, words in _ROLES.items() for word in words}
# Chat kind words → chats.models.Chat.Kind values that a member list can give instead of a title.
_CHAT_KINDS = {
    "class": ("class", "students", "ученики", "учащиеся", "обучающиеся", "класс", "классный", "дети"),
    "parents": ("parents", "родители", "родительский", "родительский чат", "законные представители"),
    "staff": ("staff", "teachers", "учителя", "педагоги", "сотрудники", "педагогический", "коллектив"),
    "school": ("school", "школа", "школьный", "общешкольный", "общий"),
    "channel": ("channel", "канал"),
}
CHAT_KIND_VALUES = {header_normalize(word): kind for kind, words in _CHAT_KINDS.items() for word in words}

_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_RU_DATETIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_WEEK = re.compile(r"^(\d{4})\s*-?\s*W\s*(\d{1,2})$", re.IGNORECASE)
_WHOLE_NUMBER = re.compile(r"^\d+$")
_NEGATIVE_ID = re.compile(r"^-\d+$")
_NAME_KEYS = ("full_name", "last_name", "first_name")


# ----- columns --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Where each known column is in a file: {key: cell index} and {key: the header as the file spells it}."""

    indexes: dict[str, int]
    headers: dict[str, str]


def _missing_column(column: Column, alternative: Column | None = None) -> RowError:
    if alternative is None:
        message = _(
            "Column %(column)s is missing in row 1; add it or map one of your columns to %(key)s "
            '(on the command line: --map "Header=%(key)s").'
        ) % {"column": column.label, "key": column.key}
    else:
        message = _(
            "Column %(column)s is missing in row 1; add it, map one of your columns to %(key)s, "
            "or give a column %(other)s instead."
        ) % {"column": column.label, "key": column.key, "other": alternative.label}
    return RowError(row=1, column=column.russian, message=message)


def _columns_resolve(
    header: list[str], mapping: dict[str, str], columns: tuple[Column, ...], *, what: str
) -> tuple[_Columns, list[RowError]]:
    """Return where the known columns are (by their headers or the mapping) and the errors of row 1."""
    indexes, headers, errors = columns_resolve(header, mapping, columns, what=what)
    return _Columns(indexes=indexes, headers=headers), errors


class _Rows:
    """Cells of one file by column key, and the errors found in it."""

    def __init__(self, *, columns: _Columns, known: tuple[Column, ...]) -> None:
        self.indexes = columns.indexes
        self.headers = columns.headers
        self.known = {column.key: column for column in known}
        self.errors: list[RowError] = []
        self._order = {column.key: position for position, column in enumerate(known)}

    def has(self, key: str) -> bool:
        return key in self.indexes

    def raw(self, cells: list[Cell], key: str) -> Cell:
        index = self.indexes.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def text(self, cells: list[Cell], key: str) -> str:
        return cell_text(self.raw(cells, key))

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row=row, column=self.headers.get(key, self.known[key].russian), message=message))

    def sorted_errors(self) -> list[RowError]:
        order = {self.headers.get(key, column.russian): self._order[key] for key, column in self.known.items()}
        return sorted(self.errors, key=lambda error: (error.row or 0, order.get(error.column, len(order))))

    def names(self, row: int, cells: list[Cell], *, required: bool = True) -> tuple[str, str] | None:
        """Return (last name, first name) from the name columns or the full name; None (and an error) if absent."""
        last, first = self.text(cells, "last_name"), self.text(cells, "first_name")
        if self.has("full_name") and not (last or first):
            full = self.text(cells, "full_name")
            if not full:
                if required:
                    self.error(
                        row,
                        "full_name",
                        _("The full name is empty; write the last name and first name, like «%(example)s».")
                        % {"example": FULL_NAME_EXAMPLE},
                    )
                return None
            parts = full.split()
            if len(parts) < 2:
                self.error(
                    row,
                    "full_name",
                    _("«%(value)s» is not a full name; write the last name and first name, like «%(example)s».")
                    % {"value": full, "example": FULL_NAME_EXAMPLE},
                )
                return None
            return parts[0], parts[1]  # a patronymic, if any, is not compared
        if not last and not first and not required:
            return None
        if not last:
            self.error(row, "last_name", _("The last name is empty; write the person's last name."))
        if not first:
            self.error(row, "first_name", _("The first name is empty; write the person's first name."))
        return (last, first) if last and first else None


def _names_columns_check(columns: _Columns) -> list[RowError]:
    """Return the errors of row 1 when neither the last and first name columns nor a full name column exist."""
    if "full_name" in columns.indexes:
        return []
    full = next(column for column in MEMBER_COLUMNS if column.key == "full_name")
    return [
        _missing_column(column, full)
        for column in MEMBER_COLUMNS
        if column.key in ("last_name", "first_name") and column.key not in columns.indexes
    ]


def _column(columns: tuple[Column, ...], key: str) -> Column:
    return next(column for column in columns if column.key == key)


def _file_failed(exc: RosterReadError) -> list[RowError]:
    return [RowError(row=None, column="", message=str(exc))]


# ----- values ---------------------------------------------------------------------------------------------------


def datetime_parse(value: Cell, tz: zoneinfo.ZoneInfo) -> datetime | None:
    """Return an aware UTC datetime from a cell: a spreadsheet date or date-time, YYYY-MM-DD or DD.MM.YYYY text,
    optionally with a time (HH:MM or HH:MM:SS); a time without a zone is in `tz`. None when it is not one.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    elif isinstance(value, str):
        moment = _datetime_text(value.strip())
        if moment is None:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _datetime_text(text: str) -> datetime | None:
    try:
        if match := _ISO_DATETIME.match(text):
            year, month, day = int(match[1]), int(match[2]), int(match[3])
        elif match := _RU_DATETIME.match(text):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
        else:
            return datetime.fromisoformat(text) if "T" in text or "+" in text else None
        hour, minute, second = (int(part) if part else 0 for part in (match[4], match[5], match[6]))
        return datetime(year, month, day, hour, minute, second)  # the caller adds the zone
    except ValueError:
        return None


def week_start_parse(value: Cell) -> date:
    """Return the Monday of the week a cell gives: «2026-W47», «2026-W7», or a day of the week.

    Raise ValueError with a sentence for people otherwise.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return week_start(value)
    text = cell_text(value)
    match = _WEEK.match(text)
    if match is None:
        day = _datetime_text(text)
        if day is not None:
            return week_start(day.date())
        raise ValueError(_("«%(value)s» is not a week; write it like 2026-W47.") % {"value": text})
    return week_parse(f"{match[1]}-W{int(match[2]):02d}")  # a WeekFormatError is a ValueError with a sentence


# ----- member lists ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Seen:
    row: int
    names: tuple[str, str]
    role: str | None
    joined_at: datetime | None


def member_list_read(
    *,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    tz: zoneinfo.ZoneInfo | str | None = None,
) -> tuple[list[MemberRow], list[RowError]]:
    """Return the members a member-list file gives and no errors, or no members and every error of the file.

    A row names its chat by `chat_title`, or by `class` and `chat_kind` (then the chat is «5А ученики», «5А
    родители» …). Roles are read in English or Russian (an unknown role is kept: the sync counts it as no role
    and reports it); join dates without a zone are in `tz` (default: Moscow). Rows of communities and bots
    (a negative user id) are left out.
    """
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz or zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    try:
        table = table_read(content=content, filename=filename)
    except RosterReadError as exc:
        return [], _file_failed(exc)
    columns, errors = _columns_resolve(table.header, mapping or {}, MEMBER_COLUMNS, what=_("member list"))
    if "user_id" not in columns.indexes:
        errors.append(_missing_column(_column(MEMBER_COLUMNS, "user_id")))
    if "chat_title" not in columns.indexes and "chat_kind" not in columns.indexes:
        errors.append(_missing_column(_column(MEMBER_COLUMNS, "chat_title"), _column(MEMBER_COLUMNS, "chat_kind")))
    errors += _names_columns_check(columns)
    if errors:
        return [], errors
    reader = _MemberReader(columns=columns, zone=zone)
    rows = reader.read(table)
    reader.errors += nul_errors(table)
    if reader.errors:
        return [], reader.sorted_errors()
    if not rows:
        return [], [RowError(row=None, column="", message=_("The file lists no chat members; add one row per member."))]
    return rows, []


class _MemberReader(_Rows):
    def __init__(self, *, columns: _Columns, zone: zoneinfo.ZoneInfo) -> None:
        super().__init__(columns=columns, known=MEMBER_COLUMNS)
        self.zone = zone
        self.in_chat: dict[tuple[str, str], _Seen] = {}  # (chat id, user id) -> first row
        self.users: dict[str, _Seen] = {}  # user id -> first row with names (and the first with a role)
        self.user_roles: dict[str, _Seen] = {}

    def read(self, table: Table) -> list[MemberRow]:
        rows: list[MemberRow] = []
        for number, cells in table.rows:
            member = self.member(number, cells)
            if member is not None:
                rows.append(member)
        return rows

    def member(self, row: int, cells: list[Cell]) -> MemberRow | None:
        before = len(self.errors)
        user_id = self.text(cells, "user_id")
        if _NEGATIVE_ID.match(user_id):
            return None  # a community or a bot
        if not user_id:
            self.error(row, "user_id", _("The user id is empty; write the member's Sferum user id."))
        elif len(user_id) > SferumAccount._meta.get_field("platform_user_id").max_length:
            self.error(
                row, "user_id", _("«%(value)s» is too long for a user id; check the column.") % {"value": user_id}
            )
        chat = self._chat(row, cells)
        names = self.names(row, cells)
        role = self._role(cells)
        joined_at = self._joined_at(row, cells)
        if len(self.errors) > before or chat is None or names is None:
            return None
        title, kind, class_name = chat
        seen = _Seen(row=row, names=name_key(*names), role=role, joined_at=joined_at)
        chat_id = chat_id_for_title(chat_title_for(title=title, kind=kind, class_name=class_name))
        if not self._consistent(row, user_id, chat_id, seen):
            return None
        return MemberRow(
            chat_title=title,
            chat_kind=kind,
            class_name=class_name,
            user_id=user_id,
            last_name=names[0],
            first_name=names[1],
            role=role,
            joined_at=joined_at,
        )

    def _chat(self, row: int, cells: list[Cell]) -> tuple[str, str | None, str | None] | None:
        """Return (title, kind, class name) of the row's chat; the title is "" when class and kind name it."""
        title = self.text(cells, "chat_title")
        kind_text = self.text(cells, "chat_kind")
        kind = CHAT_KIND_VALUES.get(header_normalize(kind_text)) if kind_text else None
        if kind_text and kind is None:
            self.error(
                row,
                "chat_kind",
                _("«%(value)s» is not a chat type; write ученики, родители, учителя, школа or канал.")
                % {"value": kind_text},
            )
            return None
        class_text = self.text(cells, "class")
        class_name = None
        if class_text:
            parsed = parse_class_name(class_text)
            if parsed is None:
                self.error(
                    row,
                    "class",
                    _("«%(value)s» is not a class name; use a grade 1–11 and a letter, like 5А.")
                    % {"value": class_text},
                )
                return None
            class_name = class_name_format(*parsed)
        if title:
            return title, kind, class_name
        if kind is None:
            self.error(
                row,
                "chat_title" if self.has("chat_title") else "chat_kind",
                _("The chat is empty; write the chat's title, or its class and type (like 5А and родители)."),
            )
            return None
        if kind in CLASS_CHAT_KINDS and class_name is None:
            self.error(
                row,
                "class",
                _("A chat of type «%(kind)s» belongs to a class; write the class, like 5А.") % {"kind": kind_text},
            )
            return None
        if kind not in CLASS_CHAT_KINDS and class_name is not None:
            self.error(
                row,
                "class",
                _("A chat of type «%(kind)s» belongs to no class; leave the class empty or write the chat's title.")
                % {"kind": kind_text},
            )
            return None
        return "", kind, class_name

    def _role(self, cells: list[Cell]) -> str | None:
        text = self.text(cells, "role")
        if not text:
            return None
        normalized = header_normalize(text)
        return ROLE_VALUES.get(normalized, normalized)

    def _joined_at(self, row: int, cells: list[Cell]) -> datetime | None:
        raw = self.raw(cells, "joined_at")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        moment = datetime_parse(raw, self.zone)
        if moment is None:
            self.error(
                row,
                "joined_at",
                _("«%(value)s» is not a date; write it as YYYY-MM-DD or DD.MM.YYYY, optionally with a time like 14:30.")
                % {"value": cell_text(raw)},
            )
        return moment

    def _consistent(self, row: int, user_id: str, chat_id: str, seen: _Seen) -> bool:
        """Check the row against earlier rows of the same user; return False if it conflicts (error recorded).

        A row repeating an earlier one exactly is accepted (and later ignored).
        """
        earlier = self.in_chat.get((chat_id, user_id))
        if earlier is not None:
            if (earlier.names, earlier.role, earlier.joined_at) != (seen.names, seen.role, seen.joined_at):
                self.error(
                    row,
                    "user_id",
                    _(
                        "User «%(user)s» is already listed in this chat in row %(row)d with another name, role or "
                        "join date; keep one row per member of a chat."
                    )
                    % {"user": user_id, "row": earlier.row},
                )
                return False
            return True
        first = self.users.setdefault(user_id, seen)
        if first.names != seen.names:
            self.error(
                row,
                "user_id",
                _("User «%(user)s» has another name in row %(row)d; one user has one name, correct one of the rows.")
                % {"user": user_id, "row": first.row},
            )
            return False
        if seen.role is not None:
            with_role = self.user_roles.setdefault(user_id, seen)
            if with_role.role != seen.role:
                self.error(
                    row,
                    "role",
                    _(
                        "User «%(user)s» has another role in row %(row)d; one user has one role, "
                        "correct one of the rows."
                    )
                    % {"user": user_id, "row": with_role.row},
                )
                return False
        self.in_chat[(chat_id, user_id)] = seen
        return True


# ----- weekly activity reports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    """One row of a weekly activity report, checked: who (a user id, or names), which week, how many messages."""

    row: int
    user_id: str
    last_name: str
    first_name: str
    week_start: date
    messages: int

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass
class ActivityImportResult:
    """What an activity-report import wrote (ok), or why it wrote nothing (failed)."""

    status: str  # "ok" | "failed"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def to_json(self, school_code: str, file: str) -> dict[str, Any]:
        return {
            "school": school_code,
            "status": self.status,
            "file": file,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


def activity_report_read(
    *, content: bytes, filename: str, mapping: dict[str, str] | None = None
) -> tuple[list[ActivityRow], list[RowError]]:
    """Return the rows of a weekly activity report and no errors, or no rows and every error of the file.

    A row names its person by `user_id` or by name (`full_name`, or `last_name` and `first_name`; a patronymic
    is ignored), its week like 2026-W47 (or 2026-W7), and `messages`, a whole number 0 or more.
    """
    rows, errors, _headers = _activity_read(content=content, filename=filename, mapping=mapping)
    return rows, errors


def _activity_read(
    *, content: bytes, filename: str, mapping: dict[str, str] | None
) -> tuple[list[ActivityRow], list[RowError], dict[str, str]]:
    """Return the rows, the errors and {column key: header as in the file} of an activity report."""
    try:
        table = table_read(content=content, filename=filename)
    except RosterReadError as exc:
        return [], _file_failed(exc), {}
    columns, errors = _columns_resolve(table.header, mapping or {}, ACTIVITY_COLUMNS, what=_("activity report"))
    has_names = "full_name" in columns.indexes or {"last_name", "first_name"} <= columns.indexes.keys()
    if "user_id" not in columns.indexes and not has_names:
        errors.append(_missing_column(_column(ACTIVITY_COLUMNS, "user_id"), _column(ACTIVITY_COLUMNS, "full_name")))
    for key in ("week", "messages"):
        if key not in columns.indexes:
            errors.append(_missing_column(_column(ACTIVITY_COLUMNS, key)))
    if errors:
        return [], errors, columns.headers
    reader = _ActivityReader(columns=columns)
    rows = [row for row in (reader.activity(number, cells) for number, cells in table.rows) if row is not None]
    reader.errors += nul_errors(table)
    if reader.errors:
        return [], reader.sorted_errors(), columns.headers
    if not rows:
        message = _("The file has no rows; add one row per person and week.")
        return [], [RowError(row=None, column="", message=message)], columns.headers
    return rows, [], columns.headers


class _ActivityReader(_Rows):
    def __init__(self, *, columns: _Columns) -> None:
        super().__init__(columns=columns, known=ACTIVITY_COLUMNS)

    def activity(self, row: int, cells: list[Cell]) -> ActivityRow | None:
        before = len(self.errors)
        user_id = self.text(cells, "user_id")
        names = None
        if not user_id and self.has("user_id") and not any(self.text(cells, key) for key in _NAME_KEYS):
            self.error(row, "user_id", _("The row names nobody; write the person's Sferum user id or full name."))
        else:
            names = self.names(row, cells, required=not user_id)
        monday = None
        raw_week = self.raw(cells, "week")
        if cell_text(raw_week):
            try:
                monday = week_start_parse(raw_week)
            except ValueError as exc:
                self.error(row, "week", str(exc))
        else:
            self.error(row, "week", _("The week is empty; write it like 2026-W47."))
        messages = self._messages(row, cells)
        if len(self.errors) > before or monday is None or messages is None:
            return None
        last_name, first_name = names or ("", "")
        return ActivityRow(
            row=row,
            user_id=user_id,
            last_name=last_name,
            first_name=first_name,
            week_start=monday,
            messages=messages,
        )

    def _messages(self, row: int, cells: list[Cell]) -> int | None:
        raw = self.raw(cells, "messages")
        text = cell_text(raw)
        if not text:
            self.error(row, "messages", _("The number of messages is empty; write a whole number, 0 or more."))
            return None
        if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer() and raw >= 0:
            value = int(raw)
        elif isinstance(raw, str) and _WHOLE_NUMBER.match(text.replace(" ", "").replace("\u00a0", "")):
            value = int(text.replace(" ", "").replace("\u00a0", ""))
        else:
            self.error(
                row,
                "messages",
                _("«%(value)s» is not a number of messages; write a whole number, 0 or more.") % {"value": text},
            )
            return None
        if value > MAX_MESSAGES:
            self.error(
                row, "messages", _("«%(value)s» is too large for a number of messages; check it.") % {"value": text}
            )
            return None
        return value


@dataclass(frozen=True)
class _StaffRow:
    pk: int
    person_id: str
    employed_from: date
    employed_to: date | None

    def employed_in(self, monday: date) -> bool:
        """Return True when employed on at least one day of the week that starts on `monday`."""
        return period_overlaps(
            start=self.employed_from, end=self.employed_to, first=monday, last=monday + timedelta(days=6)
        )


class _StaffMatcher:
    """Find the staff member of a report row: by the Sferum account linked to them, or by name.

    Two queries for the whole file, whatever its size.
    """

    def __init__(self, *, school: School, rows: list[ActivityRow]) -> None:
        user_ids = {row.user_id for row in rows if row.user_id}
        self.by_user: dict[str, set[int]] = defaultdict(set)
        linked = SferumAccount.objects.filter(
            school=school, platform_user_id__in=user_ids, staff__isnull=False, staff__school=school
        ).values_list("platform_user_id", "staff_id")
        for user_id, staff_id in linked.order_by():
            self.by_user[user_id].add(staff_id)
        self.by_name: dict[tuple[str, str], list[_StaffRow]] = defaultdict(list)
        staff = Staff.objects.filter(school=school).values_list(
            "pk", "person_id", "last_name", "first_name", "employed_from", "employed_to"
        )
        for pk, person_id, last_name, first_name, employed_from, employed_to in staff.order_by("pk"):
            self.by_name[name_key(last_name, first_name)].append(
                _StaffRow(pk=pk, person_id=person_id, employed_from=employed_from, employed_to=employed_to)
            )

    def match(self, row: ActivityRow) -> tuple[int | None, str]:
        """Return (staff id, "") or (None, why the row matches nobody) for people."""
        reason = ""
        if row.user_id:
            found = self.by_user.get(row.user_id, set())
            if len(found) == 1:
                return next(iter(found)), ""
            if len(found) > 1:
                return None, _(
                    "Sferum user «%(user)s» is linked to more than one staff member; correct the links, then import "
                    "the file again."
                ) % {"user": row.user_id}
            reason = _(
                "Sferum user «%(user)s» is linked to no staff member of the school; link the account to the "
                "person, or write the person's full name instead."
            ) % {"user": row.user_id}
            if not row.last_name:
                return None, reason
        candidates = self.by_name.get(name_key(row.last_name, row.first_name), [])
        if not candidates:
            return None, reason or _(
                "No staff member of the school is named «%(name)s»; correct the name or add the person to the roster."
            ) % {"name": row.name}
        employed = [staff for staff in candidates if staff.employed_in(row.week_start)]
        if not employed:
            return None, _("«%(name)s» did not work at the school in week %(week)s; correct the week or the name.") % {
                "name": row.name,
                "week": week_label(row.week_start),
            }
        if len(employed) > 1:
            return None, _(
                "Several staff members are named «%(name)s» (ids %(ids)s); write the person's Sferum user id instead "
                "of the name."
            ) % {"name": row.name, "ids": ", ".join(staff.person_id for staff in employed)}
        return employed[0].pk, ""


def activity_report_import(
    *,
    school: School,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    user: User | None = None,
) -> ActivityImportResult:
    """Store the weekly message counts of a report file as the school's ReportedActivity, one per person and week.

    Each row is matched to a staff member of the school (by linked Sferum account, or by name); a file with any
    bad or unmatched row writes nothing (failed, every bad row listed). Counts are upserted on (school, staff,
    week): the same file again changes nothing, a later file for the same week replaces the counts.
    `user` is who imported the file (kept for the caller's audit; not stored on the rows).
    """
    rows, errors, headers = _activity_read(content=content, filename=filename, mapping=mapping)
    if errors:
        return ActivityImportResult(status="failed", errors=errors)
    matcher = _StaffMatcher(school=school, rows=rows)

    def header(key: str) -> str:
        return headers.get(key) or _column(ACTIVITY_COLUMNS, key).russian

    name_header = header("full_name") if "full_name" in headers else header("last_name")
    counts: dict[tuple[int, date], tuple[int, int]] = {}  # (staff, week) -> (messages, first row)
    for row in rows:
        staff_id, reason = matcher.match(row)
        if staff_id is None:
            column = header("user_id") if row.user_id and not row.last_name else name_header
            errors.append(RowError(row=row.row, column=column, message=reason))
            continue
        key = (staff_id, row.week_start)
        earlier = counts.setdefault(key, (row.messages, row.row))
        if earlier[0] != row.messages:
            errors.append(
                RowError(
                    row=row.row,
                    column=header("messages"),
                    message=_(
                        "Row %(row)d already gives %(count)d messages for this person in week %(week)s; keep one row "
                        "per person and week."
                    )
                    % {"row": earlier[1], "count": earlier[0], "week": week_label(row.week_start)},
                )
            )
    if errors:
        return ActivityImportResult(status="failed", errors=errors)
    return _activity_store(school=school, counts={key: value[0] for key, value in counts.items()}, filename=filename)


def _activity_store(*, school: School, counts: dict[tuple[int, date], int], filename: str) -> ActivityImportResult:
    """Upsert the counts in one transaction, writing only the new and the changed ones."""
    source_file = PurePath(filename).name[: ReportedActivity._meta.get_field("source_file").max_length]
    result = ActivityImportResult(status="ok")
    with transaction.atomic():
        stored = ReportedActivity.objects.filter(
            school=school,
            staff_id__in={staff_id for staff_id, _week in counts},
            week_start__in={week for _staff, week in counts},
        ).values_list("staff_id", "week_start", "messages")
        existing = {(staff_id, monday): messages for staff_id, monday, messages in stored.order_by()}
        writes: list[ReportedActivity] = []
        for (staff_id, monday), messages in sorted(counts.items()):
            before = existing.get((staff_id, monday))
            if before == messages:
                result.unchanged += 1
                continue
            if before is None:
                result.added += 1
            else:
                result.updated += 1
            writes.append(
                ReportedActivity(
                    school=school, staff_id=staff_id, week_start=monday, messages=messages, source_file=source_file
                )
            )
        ReportedActivity.objects.bulk_create(
            writes,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["school", "staff", "week_start"],
            update_fields=["messages", "source_file", "imported_at"],
        )
    return result
