"""The columns of the roster file, their English and Russian headers, and column mappings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    russian: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return how messages name the column: «Класс» (class)."""
        return f"«{self.russian}» ({self.key})"


COLUMNS: tuple[Column, ...] = (
    Column("role", "Роль"),
    Column("person_id", "Идентификатор", ("id",)),
    Column("last_name", "Фамилия", ("surname",)),
    Column("first_name", "Имя"),
    Column("patronymic", "Отчество", ("middle name",)),
    Column("full_name", "ФИО"),
    Column("birth_date", "Дата рождения", ("date of birth",)),
    Column("class", "Класс"),
    Column("position", "Должность"),
    Column("teaches", "Ведёт уроки"),
    Column("class_teacher_of", "Классный руководитель", ("классное руководство",)),
    Column("children", "Дети"),
    Column("phone", "Телефон"),
    Column("email", "Эл. почта", ("e-mail", "эл.почта", "электронная почта")),
    # Optional: since when a person counts (DESIGN.md, "Since when people count"); staff and students only.
    Column("employed_from", "Работает с", ("дата приема",)),
    Column("enrolled_from", "Зачислен с", ("зачислена с", "дата зачисления")),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

_SPACES = re.compile(r"\s+")


def header_normalize(text: str) -> str:
    """Return a header as compared: case-folded, ё → е, `_` as a space, spaces collapsed, a trailing * or : gone."""
    value = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е").replace("_", " ")
    value = _SPACES.sub(" ", value).strip()
    return value.rstrip("*:").strip()


_HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _header in (_column.key, _column.russian, *_column.aliases):
        _HEADERS[header_normalize(_header)] = _column.key


def column_for_header(header: str) -> str | None:
    """Return the column key a header names in English or Russian, or None."""
    return _HEADERS.get(header_normalize(header))


def mapping_parse(items: list[str]) -> dict[str, str]:
    """Return {header: column} from `Header=column` strings; raise ValueError naming the first bad one."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, column = item.rpartition("=")
        if not sep or not header.strip() or not column.strip():
            raise ValueError(item)
        mapping[header.strip()] = column.strip()
    return mapping
