"""Regions, municipalities and schools, and the thresholds each inherits from the level above it."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classes.calendar import week_threshold

DEFAULT_TIMEZONE = "Europe/Moscow"
TARGETS = ("staff_target", "students_target", "parents_target")


def validate_timezone(value: str) -> None:
    """Raise ValidationError unless value is an IANA time zone name."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("«%(value)s» is not a time zone; use a name like Europe/Moscow."),
            params={"value": value},
        ) from exc


def target_validators() -> list:
    return [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


def thresholds_model(*, inherited: bool) -> type[models.Model]:
    """Return the abstract model of the activity threshold, the activation targets, the roster-change and
    help-request delays.

    A region sets every threshold (`inherited=False`: a default each); a municipality may leave any of them empty
    to inherit its region's, and a school its municipality's (`inherited=True`: nullable, no default).
    """

    def field_options(default) -> dict:
        return {"null": True, "blank": True} if inherited else {"default": default}

    def target(label: str, default: str) -> models.DecimalField:
        return models.DecimalField(
            label, max_digits=5, decimal_places=4, validators=target_validators(), **field_options(Decimal(default))
        )

    delay_help = (
        _("Empty: the setting of the level above.")
        if inherited
        else _("A reported arrival or departure not processed within this many school days is overdue.")
    )
    help_delay_help = (
        _("Empty: the setting of the level above.")
        if inherited
        else _("A teacher's help request not closed within this many school days is overdue.")
    )
    fields = {
        "activity_threshold": models.PositiveSmallIntegerField(
            _("messages a week for an active teacher"), **field_options(3)
        ),
        "staff_target": target(_("staff activation target"), "1.0"),
        "students_target": target(_("students activation target"), "0.9"),
        "parents_target": target(_("parents activation target"), "0.9"),
        "roster_change_overdue_days": models.PositiveSmallIntegerField(
            _("school days to process an arrival or departure"),
            validators=[MinValueValidator(1)],
            help_text=delay_help,
            **field_options(3),
        ),
        "help_request_overdue_days": models.PositiveSmallIntegerField(
            _("school days to close a teacher's help request"),
            validators=[MinValueValidator(1)],
            help_text=help_delay_help,
            **field_options(3),
        ),
        "short_week_scaling": models.BooleanField(
            _("scale the weekly threshold in a short week"),
            help_text=_("A week with fewer school days asks for ceil(threshold × school days ÷ 5) messages."),
            **field_options(True),
        ),
    }
    meta = type("Meta", (), {"abstract": True})
    name = "InheritedThresholds" if inherited else "Thresholds"
    return type(name, (models.Model,), {"__module__": __name__, "__qualname__": name, "Meta": meta, **fields})


def targets_between_0_and_1(*, name: str, nullable: bool) -> models.CheckConstraint:
    """Return the constraint that keeps each activation target between 0 and 1 (or empty when `nullable`)."""
    condition = Q()
    for target in TARGETS:
        bounded = Q(**{f"{target}__gte": 0, f"{target}__lte": 1})
        condition &= (Q(**{f"{target}__isnull": True}) | bounded) if nullable else bounded
    return models.CheckConstraint(condition=condition, name=name)


Thresholds = thresholds_model(inherited=False)
InheritedThresholds = thresholds_model(inherited=True)
THRESHOLD_FIELDS = tuple(field.name for field in Thresholds._meta.local_fields)


# The built-in value of each threshold: what a municipality outside any region inherits.
THRESHOLD_DEFAULTS = {field.name: field.default for field in Thresholds._meta.local_fields}


class Region(Thresholds):
    """A region (субъект): its municipalities inherit the thresholds they leave empty."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            targets_between_0_and_1(name="region_targets_between_0_and_1", nullable=False),
        ]

    def __str__(self) -> str:
        return self.name


class Municipality(InheritedThresholds):
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("region"),
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            targets_between_0_and_1(name="municipality_targets_between_0_and_1", nullable=True),
        ]

    def __str__(self) -> str:
        return self.name

    def effective(self, field: str):
        """Return the municipality's own setting, else its region's, else the built-in value (no region)."""
        own = getattr(self, field)
        if own is not None:
            return own
        if self.region_id is not None:
            return getattr(self.region, field)
        return THRESHOLD_DEFAULTS[field]

    @property
    def effective_activity_threshold(self) -> int:
        return self.effective("activity_threshold")

    @property
    def effective_staff_target(self) -> Decimal:
        return self.effective("staff_target")

    @property
    def effective_students_target(self) -> Decimal:
        return self.effective("students_target")

    @property
    def effective_parents_target(self) -> Decimal:
        return self.effective("parents_target")

    @property
    def effective_short_week_scaling(self) -> bool:
        return self.effective("short_week_scaling")


class School(InheritedThresholds):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name=_("municipality")
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    full_name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=255)
    address = models.CharField(_("address"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    contacts = models.TextField(_("contacts"), blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE, validators=[validate_timezone])

    class Meta:
        ordering = ["short_name", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            targets_between_0_and_1(name="school_targets_between_0_and_1", nullable=True),
        ]

    def __str__(self) -> str:
        return self.short_name

    @classmethod
    def from_db(cls, db, field_names, values):
        """Load the school and remember its stored time zone (a change moves its weeks: chats.zone_change)."""
        school = super().from_db(db, field_names, values)
        if "timezone" in school.__dict__:
            school.stored_timezone = school.timezone
        return school

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def _inherited(self, field: str):
        own = getattr(self, field)
        return own if own is not None else self.municipality.effective(field)

    @property
    def effective_activity_threshold(self) -> int:
        return self._inherited("activity_threshold")

    @property
    def effective_staff_target(self) -> Decimal:
        return self._inherited("staff_target")

    @property
    def effective_students_target(self) -> Decimal:
        return self._inherited("students_target")

    @property
    def effective_parents_target(self) -> Decimal:
        return self._inherited("parents_target")

    @property
    def effective_short_week_scaling(self) -> bool:
        return self._inherited("short_week_scaling")

    def activity_threshold_for(self, school_days: int) -> int:
        """Return the week's threshold for a week of `school_days` school days (classes.calendar.week_threshold)."""
        return week_threshold(
            threshold=self.effective_activity_threshold,
            school_days=school_days,
            scaled=self.effective_short_week_scaling,
        )

    @property
    def effective_roster_change_overdue_days(self) -> int:
        return self._inherited("roster_change_overdue_days")

    @property
    def effective_help_request_overdue_days(self) -> int:
        return self._inherited("help_request_overdue_days")
