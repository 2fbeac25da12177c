"""The school calendar: academic years, quarters and holidays."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classes.dates import quarter_text

from .periods import period_covers
from .school import School


def dates_clean(*, starts_on: date | None, ends_on: date | None) -> None:
    """Raise ValidationError when the period ends before it starts (first and last day included)."""
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day comes before the first one; swap the dates.")})


def within_year_clean(*, year: AcademicYear | None, starts_on: date | None, ends_on: date | None) -> None:
    """Raise ValidationError when the period leaves the academic year."""
    if year is None or not starts_on or not ends_on:
        return
    if starts_on < year.starts_on or ends_on > year.ends_on:
        raise ValidationError(
            _("The dates leave the academic year %(year)s (%(first)s – %(last)s); choose days inside it.")
            % {"year": year.name, "first": f"{year.starts_on:%d.%m.%Y}", "last": f"{year.ends_on:%d.%m.%Y}"}
        )


def overlapping_first(rows: models.QuerySet, *, record: models.Model) -> models.Model | None:
    """Return the first of `rows`, other than `record`, whose days overlap the record's (both ends counted)."""
    return rows.filter(starts_on__lte=record.ends_on, ends_on__gte=record.starts_on).exclude(pk=record.pk).first()


def academic_year_current_filter(day: date, *, prefix: str = "") -> Q:
    """Return the filter of academic years that contain the day (the rule of `AcademicYear.contains`)."""
    return Q(**{f"{prefix}starts_on__lte": day, f"{prefix}ends_on__gte": day})


class AcademicYearQuerySet(models.QuerySet):
    def current_on(self, day: date) -> AcademicYearQuerySet:
        """Return the academic years that contain the day, first day and last day included."""
        return self.filter(academic_year_current_filter(day))


class AcademicYear(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="academic_years", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=16, help_text=_("Like 2026/2027."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    objects = AcademicYearQuerySet.as_manager()

    class Meta:
        ordering = ["school", "-starts_on"]
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique_name"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="academic_year_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.name}"

    def contains(self, day: date) -> bool:
        """Return True when the day is in the year (the rule of `AcademicYear.objects.current_on`)."""
        return period_covers(start=self.starts_on, end=self.ends_on, day=day)


class Quarter(models.Model):
    """An academic quarter (четверть); one signed-off reconciliation is due per quarter."""

    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="quarters", verbose_name=_("academic year")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["year", "number"]
        verbose_name = _("quarter")
        verbose_name_plural = _("quarters")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="quarter_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="quarter_number_1_to_4"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="quarter_ends_after_start"),
        ]

    def __str__(self) -> str:
        return quarter_text(year_name=self.year.name, number=self.number)

    def clean(self) -> None:
        """Check the dates: in order, inside the year, and overlapping no other quarter of the year."""
        dates_clean(starts_on=self.starts_on, ends_on=self.ends_on)
        if self.year_id is None or not self.starts_on or not self.ends_on:
            return
        within_year_clean(year=self.year, starts_on=self.starts_on, ends_on=self.ends_on)
        others = Quarter.objects.filter(year_id=self.year_id)
        if others.filter(number=self.number).exclude(pk=self.pk).exists():
            raise ValidationError({"number": _("The year already has quarter %(number)d.") % {"number": self.number}})
        overlapping = overlapping_first(others, record=self)
        if overlapping is not None:
            raise ValidationError(
                _("The dates overlap quarter %(number)d (%(first)s – %(last)s); quarters follow each other.")
                % {
                    "number": overlapping.number,
                    "first": f"{overlapping.starts_on:%d.%m.%Y}",
                    "last": f"{overlapping.ends_on:%d.%m.%Y}",
                }
            )


class Holiday(models.Model):
    """School holidays (каникулы): days without school inside an academic year."""

    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("academic year")
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["year", "starts_on"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="holiday_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y})"

    def clean(self) -> None:
        """Check the dates: in order, inside the year, and overlapping no other holidays of the year."""
        dates_clean(starts_on=self.starts_on, ends_on=self.ends_on)
        if self.year_id is None or not self.starts_on or not self.ends_on:
            return
        within_year_clean(year=self.year, starts_on=self.starts_on, ends_on=self.ends_on)
        overlapping = overlapping_first(Holiday.objects.filter(year_id=self.year_id), record=self)
        if overlapping is not None:
            raise ValidationError(
                _("The dates overlap the holidays «%(name)s»; change those instead.") % {"name": overlapping.name}
            )
