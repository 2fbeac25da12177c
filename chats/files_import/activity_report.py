"""Read a weekly activity report (sferum-api.md): each staff member's messages of a week, checked, as `ActivityRow`s.

A row names its person by `user_id` or by name (`full_name`, or `last_name` and `first_name`; a patronymic is
ignored), its week like 2026-W47 (or 2026-W7), and `messages`, a whole number 0 or more. Storing the rows read is
`chats.files_import.activity_import.activity_report_import`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from classes.tabular.cells import RowReader
from classes.tabular.columns import Column
from classes.tabular.columns import column_missing
from classes.tabular.columns import column_of
from classes.tabular.columns import columns_resolve
from classes.tabular.dates import week_start_parse
from classes.tabular.errors import RowError
from classes.tabular.errors import file_errors
from classes.tabular.names import last_first_read
from classes.tabular.reading import Cell
from classes.tabular.reading import TableReadError
from classes.tabular.reading import cell_text
from classes.tabular.reading import table_read

MAX_MESSAGES = 2_147_483_647  # the largest PositiveIntegerField value every database accepts

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
_WHOLE_NUMBER = re.compile(r"^\d+$")
_NAME_KEYS = ("full_name", "last_name", "first_name")


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


def activity_rows_read(
    *, content: bytes, filename: str, mapping: dict[str, str] | None
) -> tuple[list[ActivityRow], list[RowError], dict[str, str]]:
    """Return the rows, the errors and {column key: header as in the file} of an activity report."""
    try:
        table = table_read(content=content, filename=filename)
    except TableReadError as exc:
        return [], file_errors(str(exc)), {}
    indexes, headers, errors = columns_resolve(table.header, mapping or {}, ACTIVITY_COLUMNS, what=_("activity report"))
    has_names = "full_name" in indexes or {"last_name", "first_name"} <= indexes.keys()
    if "user_id" not in indexes and not has_names:
        errors.append(
            column_missing(column_of(ACTIVITY_COLUMNS, "user_id"), instead=column_of(ACTIVITY_COLUMNS, "full_name"))
        )
    errors += [column_missing(column_of(ACTIVITY_COLUMNS, key)) for key in ("week", "messages") if key not in indexes]
    if errors:
        return [], errors, headers
    reader = _ActivityReader(indexes=indexes, headers=headers)
    rows = [row for row in (reader.activity(number, cells) for number, cells in table.rows) if row is not None]
    if errors := reader.table_errors(table):
        return [], errors, headers
    if not rows:
        message = _("The file has no rows; add one row per person and week.")
        return [], [RowError(row=None, column="", message=message)], headers
    return rows, [], headers


class _ActivityReader(RowReader):
    """Read an activity report's rows: who, which week, how many messages."""

    def __init__(self, *, indexes: dict[str, int], headers: dict[str, str]) -> None:
        super().__init__(indexes=indexes, headers=headers, columns=ACTIVITY_COLUMNS)

    def activity(self, row: int, cells: list[Cell]) -> ActivityRow | None:
        before = len(self.errors)
        user_id = self.text(cells, "user_id")
        names = None
        if not user_id and self.has("user_id") and not any(self.text(cells, key) for key in _NAME_KEYS):
            self.error(row, "user_id", _("The row names nobody; write the person's Sferum user id or full name."))
        else:
            names = last_first_read(self, row, cells, required=not user_id)
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
