"""What an exported table is: its columns, its rows, its title and period; nothing of file formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes import clock


class ExportFormatError(ValueError):
    """The asked format is not one of the renderers'."""


@dataclass(frozen=True)
class Column:
    """A column: its key in the rows, its heading, and what its values are.

    Kinds: text, int, percent (a Fraction or None), points (a change of a rate, a Fraction), bool,
    date, datetime.
    """

    key: str
    label: str
    kind: str = "text"
    width: int | None = None


class Report:
    """A table with a title, an optional date range, columns and rows; subclasses give rows()."""

    code: ClassVar[str] = "report"
    title: ClassVar[str] = gettext_lazy("Report")
    personal_data: ClassVar[bool] = True
    # Exports of personal data are always logged; a report without any may still ask to be.
    audited: ClassVar[bool] = True

    def __init__(self, *, date_from: date | None = None, date_to: date | None = None, tz=None) -> None:
        self.date_from = date_from
        self.date_to = date_to
        self.tz = tz
        self._rows: list[dict] | None = None

    def get_columns(self) -> list[Column]:
        raise NotImplementedError

    def get_rows(self) -> list[dict]:
        raise NotImplementedError

    def get_totals(self) -> dict | None:
        """Return a totals row, or None."""
        return None

    def scope_label(self) -> str:
        """Return what the table is about (a school, a municipality)."""
        return ""

    @property
    def rows(self) -> list[dict]:
        if self._rows is None:
            self._rows = self.get_rows()
        return self._rows

    def period_label(self) -> str:
        """Return the date range in words: «on 30.11.2026» or «from 05.10.2026 to 29.11.2026»."""
        if self.date_from and self.date_to and self.date_from != self.date_to:
            return _("from %(start)s to %(end)s") % {
                "start": date_format(self.date_from, "d.m.Y"),
                "end": date_format(self.date_to, "d.m.Y"),
            }
        if self.date_to:
            return _("on %(day)s") % {"day": date_format(self.date_to, "d.m.Y")}
        return ""

    def subtitle(self) -> str:
        return ", ".join(part for part in (self.scope_label(), self.period_label()) if part)

    def description(self) -> str:
        """Return the audit log's "what": the title, the scope and the period."""
        return f"{self.title}: {self.subtitle()}"

    def filename(self, extension: str) -> str:
        day = (self.date_to or clock.today()).isoformat()
        return f"{self.code}-{day}.{extension}"
