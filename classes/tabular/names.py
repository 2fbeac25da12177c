"""People's names in a tabular file: the last and first name columns, or a full name in one column."""

from __future__ import annotations

from django.utils.translation import gettext as _

from classes.tabular.cells import RowReader
from classes.tabular.columns import Column
from classes.tabular.columns import column_missing
from classes.tabular.errors import RowError
from classes.tabular.reading import Cell

FULL_NAME_EXAMPLE = "Иванова Мария Петровна"


def name_columns_missing(*, indexes: dict[str, int], columns: tuple[Column, ...], roster: bool) -> list[RowError]:
    """Return the errors of row 1 when the file has neither a full name column nor both name columns.

    `roster`: word the errors for the roster (full names in a column) rather than for the files backend.
    """
    if "full_name" in indexes:
        return []
    full_name = next(column for column in columns if column.key == "full_name")
    errors = []
    for column in columns:
        if column.key not in ("last_name", "first_name") or column.key in indexes:
            continue
        if not roster:
            errors.append(column_missing(column, instead=full_name))
            continue
        message = _(
            "Column %(column)s is missing in row 1; add it, map one of your columns to %(key)s, "
            "or give full names in a column %(full)s."
        ) % {"column": column.label, "key": column.key, "full": full_name.label}
        errors.append(RowError(row=1, column=column.russian, message=message))
    return errors


def full_name_read(
    reader: RowReader, row: int, cells: list[Cell], *, patronymic: bool, required: bool = True
) -> list[str] | None:
    """Return the words of the row's full name (last name, first name, then the patronymic's), or None.

    An empty full name is an error when `required`; one word is always an error. `patronymic`: the errors ask
    for the patronymic too (the roster keeps it; the files backend compares last and first names only).
    """
    full = reader.text(cells, "full_name")
    if not full:
        if required:
            if patronymic:
                message = _(
                    "The full name is empty; write the last name, first name and patronymic, like «%(example)s»."
                )
            else:
                message = _("The full name is empty; write the last name and first name, like «%(example)s».")
            reader.error(row, "full_name", message % {"example": FULL_NAME_EXAMPLE})
        return None
    parts = full.split()
    if len(parts) < 2:
        if patronymic:
            message = _(
                "«%(value)s» is not a full name; write the last name, first name and patronymic, like «%(example)s»."
            )
        else:
            message = _("«%(value)s» is not a full name; write the last name and first name, like «%(example)s».")
        reader.error(row, "full_name", message % {"value": full, "example": FULL_NAME_EXAMPLE})
        return None
    return parts


def name_parts_read(reader: RowReader, row: int, cells: list[Cell]) -> tuple[str, str]:
    """Return the row's (last name, first name); record an error for each that is empty."""
    last, first = reader.text(cells, "last_name"), reader.text(cells, "first_name")
    if not last:
        reader.error(row, "last_name", _("The last name is empty; write the person's last name."))
    if not first:
        reader.error(row, "first_name", _("The first name is empty; write the person's first name."))
    return last, first


def last_first_read(reader: RowReader, row: int, cells: list[Cell], *, required: bool = True) -> tuple[str, str] | None:
    """Return (last name, first name) from the name columns, or from the full name when both are empty.

    A patronymic, if any, is not kept. None (and an error) when the names are absent; a row without any name
    is no error when not `required`.
    """
    last, first = reader.text(cells, "last_name"), reader.text(cells, "first_name")
    if reader.has("full_name") and not (last or first):
        parts = full_name_read(reader, row, cells, patronymic=False, required=required)
        return (parts[0], parts[1]) if parts else None
    if not last and not first and not required:
        return None
    last, first = name_parts_read(reader, row, cells)
    return (last, first) if last and first else None
