"""Errors of a tabular file for people: each with its row (1 is the header) and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from classes.tabular.reading import Table


@dataclass(frozen=True)
class RowError:
    """A broken rule: the row of the file (1 is the header; None for the whole file), its column, and why."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def file_errors(message: str) -> list[RowError]:
    """Return the error of a file that cannot be read at all (no row, no column)."""
    return [RowError(row=None, column="", message=message)]


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
