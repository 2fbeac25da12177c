"""The regional overview's export: every municipality of a region side by side, with the region's totals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes.models import Region
from reports.exports.report import Column
from reports.exports.report import Report
from reports.exports.tables import overview_figure_columns
from reports.exports.tables import overview_rate_values


class RegionalOverviewReport(Report):
    """Every municipality of a region: activation, classes below target, active teachers, change in a week."""

    code = "region"
    title = gettext_lazy("Municipalities on Sferum: activation and activity")
    personal_data = False

    def __init__(self, *, region: Region, rows: Sequence, totals, day: date, tz=None) -> None:
        super().__init__(date_to=day, tz=tz)
        self.region = region
        self.overview_rows = list(rows)
        self.region_totals = totals

    def scope_label(self) -> str:
        return self.region.name

    def get_columns(self) -> list[Column]:
        return [
            Column("municipality", _("Municipality")),
            Column("code", _("Code")),
            Column("schools", _("Schools"), "int"),
            Column("schools_with_figures", _("Schools with figures"), "int"),
            *overview_figure_columns(),
        ]

    def get_rows(self) -> list[dict]:
        return [
            scope_values(name=row.municipality.name, code=row.municipality.code, totals=row.totals)
            for row in self.overview_rows
        ]

    def get_totals(self) -> dict | None:
        name = _("Total: %(name)s") % {"name": self.region.name}
        return scope_values(name=name, code="", totals=self.region_totals)


def scope_values(*, name: str, code: str, totals) -> dict:
    """Return the export values of a municipality's (or the region's) totals (reports.overview.ScopeTotals)."""
    values: dict = {
        "municipality": name,
        "code": code,
        "schools": totals.schools,
        "schools_with_figures": totals.with_figures,
    }
    values.update(
        overview_rate_values(
            rates=totals,
            change=totals.change,
            teachers=totals.active_teachers,
            below_target=totals.below_target,
            materials=totals.materials_last_week,
        )
    )
    return values
