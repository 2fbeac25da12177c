"""Read a Sferum member list (sferum-api.md): one row per member of a chat, checked, as `MemberRow`s.

The sync of the rows read is `chats.member_lists.member_list_import`.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from activation.models import SferumAccount
from classes.class_names import class_name_format
from classes.models import DEFAULT_TIMEZONE
from classes.names import name_key
from classes.tabular.cells import RowReader
from classes.tabular.columns import Column
from classes.tabular.columns import column_missing
from classes.tabular.columns import column_of
from classes.tabular.columns import columns_resolve
from classes.tabular.columns import header_normalize
from classes.tabular.dates import datetime_parse
from classes.tabular.errors import RowError
from classes.tabular.errors import file_errors
from classes.tabular.names import last_first_read
from classes.tabular.names import name_columns_missing
from classes.tabular.reading import Cell
from classes.tabular.reading import Table
from classes.tabular.reading import TableReadError
from classes.tabular.reading import cell_text
from classes.tabular.reading import table_read
from sferum_api.files import CLASS_CHAT_KINDS
from sferum_api.files import MemberRow
from sferum_api.files import chat_id_for_title
from sferum_api.files import chat_title_for

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

_NEGATIVE_ID = re.compile(r"^-\d+$")


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
    except TableReadError as exc:
        return [], file_errors(str(exc))
    indexes, headers, errors = columns_resolve(table.header, mapping or {}, MEMBER_COLUMNS, what=_("member list"))
    if "user_id" not in indexes:
        errors.append(column_missing(column_of(MEMBER_COLUMNS, "user_id")))
    if "chat_title" not in indexes and "chat_kind" not in indexes:
        errors.append(
            column_missing(column_of(MEMBER_COLUMNS, "chat_title"), instead=column_of(MEMBER_COLUMNS, "chat_kind"))
        )
    errors += name_columns_missing(indexes=indexes, columns=MEMBER_COLUMNS, roster=False)
    if errors:
        return [], errors
    reader = _MemberReader(indexes=indexes, headers=headers, zone=zone)
    rows = reader.read(table)
    if errors := reader.table_errors(table):
        return [], errors
    if not rows:
        return [], [RowError(row=None, column="", message=_("The file lists no chat members; add one row per member."))]
    return rows, []


class _MemberReader(RowReader):
    """Read a member list's rows, checking each against the earlier rows of its user and chat."""

    def __init__(self, *, indexes: dict[str, int], headers: dict[str, str], zone: zoneinfo.ZoneInfo) -> None:
        super().__init__(indexes=indexes, headers=headers, columns=MEMBER_COLUMNS)
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
        names = last_first_read(self, row, cells)
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
            parsed = self.class_name(row, "class", class_text)
            if parsed is None:
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
