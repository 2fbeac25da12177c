"""Stored metrics: weekly teacher activity and daily activation snapshots (DESIGN.md, "Definitions")."""

from __future__ import annotations

from fractions import Fraction

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classes.calendar import week_label
from classes.models import Municipality, School, SchoolClass, Staff, target_validators


class WeeklyActivity(models.Model):
    """One teacher's messages in one ISO week of their school, and what that makes them.

    Rows exist for evaluated weeks only: a week with no school day (every Monday to Friday inside
    holidays) stores nothing, and recomputing it removes rows an earlier computation left; callers
    show such a week as not evaluated (`metrics_compute` prints `"evaluated": false` and the status
    `not_evaluated`). A teacher is staff employed on at least one school day of the week who teaches
    or leads a class; `excused` means absent on every school day they were employed.

    `messages` counts the teacher's user messages (no service events, no bot messages) in any chat
    of the school sent inside the week; the three suspicious counts explain the flag and never
    change `messages`: emoji-only messages, near-duplicates (messages whose keyed text hash another
    counted message of the teacher that week shares, every copy counted) and messages in a burst
    (three or more of the teacher's messages within two minutes). `suspicious` is set when at least
    half of the counted messages fall in one of these kinds.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        EXCUSED = "excused", _("excused")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="weekly_activity", verbose_name=_("school")
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="weekly_activity", verbose_name=_("teacher")
    )
    week_start = models.DateField(_("week (Monday)"))
    messages = models.PositiveIntegerField(_("messages"), default=0)
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    has_account = models.BooleanField(_("has a Sferum account"), default=False)
    emoji_only_messages = models.PositiveIntegerField(_("emoji-only messages"), default=0)
    duplicate_messages = models.PositiveIntegerField(_("near-duplicate messages"), default=0)
    burst_messages = models.PositiveIntegerField(_("messages in bursts"), default=0)
    suspicious = models.BooleanField(_("suspicious activity"), default=False)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["school", "-week_start", "staff"]
        verbose_name = _("weekly teacher activity")
        verbose_name_plural = _("weekly teacher activity")
        constraints = [
            models.UniqueConstraint(fields=["staff", "week_start"], name="weekly_activity_unique_staff_week"),
        ]
        indexes = [models.Index(fields=["school", "week_start"], name="weekly_activity_school_week")]

    def __str__(self) -> str:
        return f"{self.staff} · {self.week} · {self.messages}"

    @property
    def week(self) -> str:
        return week_label(self.week_start)


class ActivationSnapshot(models.Model):
    """One activation rate (numerator over denominator) of one scope and group on one day.

    Scopes: a class (students, parents), a school and a municipality (staff, students, parents);
    `scope_id` is the id of the class, school or municipality and makes the natural key
    (day, scope, scope_id, group) that daily runs upsert. `passes` is decided exactly
    (numerator ≥ target × denominator) and is empty with the rate when the denominator is 0.
    """

    class Scope(models.TextChoices):
        CLASS = "class", _("class")
        SCHOOL = "school", _("school")
        MUNICIPALITY = "municipality", _("municipality")

    class Group(models.TextChoices):
        STAFF = "staff", _("staff")
        STUDENTS = "students", _("students")
        PARENTS = "parents", _("parents")

    day = models.DateField(_("day"))
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    scope_id = models.PositiveBigIntegerField(_("scope id"))
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="activation_snapshots", verbose_name=_("municipality")
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activation_snapshots",
        verbose_name=_("school"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activation_snapshots",
        verbose_name=_("class"),
    )
    numerator = models.PositiveIntegerField(_("activated"))
    denominator = models.PositiveIntegerField(_("on the roster"))
    target = models.DecimalField(_("target"), max_digits=5, decimal_places=4, validators=target_validators())
    passes = models.BooleanField(_("passes"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["-day", "scope", "scope_id", "group"]
        verbose_name = _("activation snapshot")
        verbose_name_plural = _("activation snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "scope", "scope_id", "group"], name="activation_snapshot_unique_scope_day"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="class", school__isnull=False, school_class__isnull=False)
                    | Q(scope="school", school__isnull=False, school_class__isnull=True)
                    | Q(scope="municipality", school__isnull=True, school_class__isnull=True)
                ),
                name="activation_snapshot_scope_links",
            ),
            models.CheckConstraint(
                condition=Q(numerator__lte=models.F("denominator")), name="activation_snapshot_numerator_le_denominator"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "group", "day"], name="activation_snapshot_school"),
            models.Index(fields=["municipality", "scope", "group", "day"], name="activation_snapshot_muni"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.scope} {self.scope_id} {self.group}: {self.numerator}/{self.denominator}"

    @property
    def rate(self) -> Fraction | None:
        """Return the exact rate, or None when the denominator is 0."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None
