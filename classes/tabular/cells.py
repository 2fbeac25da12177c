"""The cells of a tabular file's rows by column key, and the errors found in them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from classes.class_names import parse_class_name
from classes.tabular.columns import Column
from classes.tabular.errors import RowError
from classes.tabular.errors import nul_errors
from classes.tabular.reading import Cell
from classes.tabular.reading import Table
from classes.tabular.reading import cell_text


class RowReader:
    """Read a file's cells by column key; record each error against the column as the file names it.

    `indexes` and `headers` come from `columns_resolve`; `columns` are the file's known columns, in the order
    errors of one row are listed.
    """

    def __init__(self, *, indexes: dict[str, int], headers: dict[str, str], columns: tuple[Column, ...]) -> None:
        self.indexes = indexes
        self.headers = headers
        self.columns = {column.key: column for column in columns}
        self.errors: list[RowError] = []
        self._order = {column.key: position for position, column in enumerate(columns)}
        self._order.update({self.header(key): position for key, position in list(self._order.items())})

    def has(self, key: str) -> bool:
        """Return True when the file has the column."""
        return key in self.indexes

    def header(self, key: str) -> str:
        """Return the column's header as the file spells it (its Russian header when the file lacks it)."""
        return self.headers.get(key) or self.columns[key].russian

    def raw(self, cells: list[Cell], key: str) -> Cell:
        """Return the row's cell of the column as read (None when the file or the row lacks it)."""
        index = self.indexes.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def text(self, cells: list[Cell], key: str) -> str:
        """Return the row's cell of the column as text, stripped ("" when empty or absent)."""
        return cell_text(self.raw(cells, key))

    def error(self, row: int, key: str, message: str) -> None:
        """Record an error of the row in the column."""
        self.errors.append(RowError(row=row, column=self.header(key), message=message))

    def class_name(self, row: int, key: str, text: str) -> tuple[int, str] | None:
        """Return the (grade, letter) a cell's text names; None (and an error) when it is not a class name."""
        parsed = parse_class_name(text)
        if parsed is None:
            self.error(
                row,
                key,
                _("«%(value)s» is not a class name; use a grade 1–11 and a letter, like 5А.") % {"value": text},
            )
        return parsed

    def column_order(self, column: str) -> int:
        """Return where a column (as errors name it) comes among the known ones; unknown ones come last."""
        return self._order.get(column, len(self.columns))

    def table_errors(self, table: Table) -> list[RowError]:
        """Return the errors recorded and those of the table's NUL cells, by row and within a row by column."""
        errors = [*self.errors, *nul_errors(table)]
        return sorted(errors, key=lambda error: (error.row or 0, self.column_order(error.column)))
