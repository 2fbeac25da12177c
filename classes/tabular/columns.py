"""A tabular file's columns: how headers name them (English, Russian, aliases, a mapping) and missing columns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from classes.tabular.errors import RowError

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Column:
    """A column a file may have: its key (English), its Russian header and other headers that name it."""

    key: str
    russian: str
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return how messages name the column: «Класс» (class)."""
        return f"«{self.russian}» ({self.key})"


def header_normalize(text: str) -> str:
    """Return a header as compared: case-folded, ё → е, `_` as a space, spaces collapsed, a trailing * or : gone."""
    value = unicodedata.normalize("NFKC", text or "").casefold().replace("ё", "е").replace("_", " ")
    value = _SPACES.sub(" ", value).strip()
    return value.rstrip("*:").strip()


def mapping_parse(items: list[str]) -> dict[str, str]:
    """Return {header: column} from `Header=column` strings; raise ValueError naming the first bad one."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, column = item.rpartition("=")
        if not sep or not header.strip() or not column.strip():
            raise ValueError(item)
        mapping[header.strip()] = column.strip()
    return mapping


def column_of(columns: tuple[Column, ...], key: str) -> Column:
    """Return the column with this key."""
    return next(column for column in columns if column.key == key)


def columns_resolve(
    header: list[str], mapping: dict[str, str], columns: tuple[Column, ...], *, what: str
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """Return {column key: cell index}, {column key: header as in the file} and the errors of row 1.

    A header names a column by its key, its Russian header or an alias (case-insensitively), or through the
    mapping {header in the file: column}. `what` names the file's kind in messages ("roster", "member list").
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
            message = _("«%(target)s» is not a %(what)s column; map «%(header)s» to one of: %(columns)s.") % {
                "target": target,
                "what": what,
                "header": source,
                "columns": ", ".join(c.key for c in columns),
            }
            errors.append(RowError(row=1, column=source, message=message))
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
            message = _("Columns «%(first)s» and «%(second)s» both hold %(key)s; remove one of them.")
            errors.append(
                RowError(row=1, column=text, message=message % {"first": headers[key], "second": text, "key": key})
            )
            continue
        indexes[key] = index
        headers[key] = text
    return indexes, headers, errors


def column_missing(column: Column, *, instead: Column | None = None) -> RowError:
    """Return the error of row 1 for a required column the file lacks (or, if given, the column it may give instead)."""
    if instead is None:
        message = _(
            "Column %(column)s is missing in row 1; add it or map one of your columns to %(key)s "
            '(on the command line: --map "Header=%(key)s").'
        ) % {"column": column.label, "key": column.key}
    else:
        message = _(
            "Column %(column)s is missing in row 1; add it, map one of your columns to %(key)s, "
            "or give a column %(other)s instead."
        ) % {"column": column.label, "key": column.key, "other": instead.label}
    return RowError(row=1, column=column.russian, message=message)
