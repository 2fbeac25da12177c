"""Stored metrics (weekly teacher activity, daily activation snapshots, daily school summaries) and quarterly roster
reconciliations."""

from __future__ import annotations

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chats.models import SyncRun
from classes.calendar import week_label
from classes.dates import week_text
from classes.models import Municipality
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import target_validators
from classes.models.fields import optional_link


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
        return f"{self.staff} · {week_text(self.week_start)} · {self.messages}"

    @property
    def week(self) -> str:
        return week_label(self.week_start)


class ActivationSnapshot(models.Model):
    """One activation rate (numerator over denominator) of one scope and group on one day.

    Scopes: a class (students, parents), a school and a municipality (staff, students, parents);
    `scope_id` is the id of the class, school or municipality and makes the natural key
    (day, scope, scope_id, group) that daily runs upsert. `passes` is decided exactly
    (numerator ≥ target × denominator) and is empty with the rate when the denominator is 0.

    A region writes 100,000 rows each morning (reports.activation_store), so the table keeps only the indexes its
    readers use: the links to the municipality and the school are the first columns of the two composite indexes
    (no index of their own), and the database does not check the three links row by row at each commit (0.9 s at
    region scale): the rows are derived from the classes and schools they name, and deleting one deletes its rows
    through Django's cascade, as before.
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
        Municipality,
        on_delete=models.CASCADE,
        related_name="activation_snapshots",
        verbose_name=_("municipality"),
        db_index=False,
        db_constraint=False,
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activation_snapshots",
        verbose_name=_("school"),
        db_index=False,
        db_constraint=False,
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activation_snapshots",
        verbose_name=_("class"),
        db_constraint=False,
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


class SchoolSummary(models.Model):
    """A school's figures on one day as the nightly job stored them: what the municipal and regional overviews show.

    Activation numerators and denominators per group (never rates: totals add them), the classes below target that
    day, the active teachers of the last complete week (with its Monday, or why it is not evaluated), and the
    school's last sync when the row was computed. `municipality` is the school's, copied for the overviews' filter.
    """

    class WeekReason(models.TextChoices):
        EVALUATED = "", _("evaluated")
        NO_SCHOOL_DAY = "no_school_day", _("no school day")
        NO_HISTORY = "no_history", _("no message history")

    day = models.DateField(_("day"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("school"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="school_summaries", verbose_name=_("municipality")
    )
    staff_numerator = models.PositiveIntegerField(_("staff activated"))
    staff_denominator = models.PositiveIntegerField(_("staff employed"))
    students_numerator = models.PositiveIntegerField(_("students activated"))
    students_denominator = models.PositiveIntegerField(_("students enrolled"))
    parents_numerator = models.PositiveIntegerField(_("students with an activated parent"))
    parents_denominator = models.PositiveIntegerField(_("students enrolled (parents)"))
    below_target_any = models.PositiveIntegerField(_("classes below target"))
    below_target_students = models.PositiveIntegerField(_("classes below the students' target"))
    below_target_parents = models.PositiveIntegerField(_("classes below the parents' target"))
    week_start = models.DateField(_("week"))
    week_reason = models.CharField(
        _("week not evaluated because"), max_length=16, choices=WeekReason.choices, blank=True
    )
    teachers_active = models.PositiveIntegerField(_("active teachers"))
    teachers_evaluated = models.PositiveIntegerField(_("teachers evaluated"))
    materials_last_week = models.PositiveIntegerField(
        _("materials last week"),
        default=0,
        help_text=_("Documents, videos, links and photos posted by people in the school's chats in the week."),
    )
    last_sync = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last sync"),
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["-day", "school"]
        verbose_name = _("school summary")
        verbose_name_plural = _("school summaries")
        constraints = [
            models.UniqueConstraint(fields=["school", "day"], name="school_summary_unique_school_day"),
            models.CheckConstraint(
                condition=Q(staff_numerator__lte=models.F("staff_denominator"))
                & Q(students_numerator__lte=models.F("students_denominator"))
                & Q(parents_numerator__lte=models.F("parents_denominator"))
                & Q(teachers_active__lte=models.F("teachers_evaluated")),
                name="school_summary_numerators_le_denominators",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "day"], name="school_summary_municipality")]

    def __str__(self) -> str:
        return f"{self.day} {self.school_id}"


class ReconciliationLocked(Exception):
    """The reconciliation is signed off; it and its items can no longer change."""


class Reconciliation(models.Model):
    """A school's quarterly reconciliation of the official roster with Sferum membership, and its sign-off.

    Open (opened, nobody has worked on it yet) → in progress (an administrator ran it or resolved an item)
    → signed off (immutable: the saved report, exportable as XLSX and PDF). The school name, quarter label
    and signer's name are copied in, so the report reads the same after renames.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        SIGNED_OFF = "signed_off", _("signed off")

    class State(models.TextChoices):
        """The current quarter's reconciliation as a school's pages and the dashboards show it (not stored)."""

        DUE = "due", _("due: not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done: signed off")
        OVERDUE = "overdue", _("overdue: the quarter ended without a sign-off")

    class Source(models.TextChoices):
        ROSTER = "roster", _("the school's roster")
        FILE = "file", _("a roster file")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="reconciliations", verbose_name=_("school")
    )
    quarter = models.ForeignKey(
        "classes.Quarter", on_delete=models.PROTECT, related_name="reconciliations", verbose_name=_("quarter")
    )
    quarter_label = models.CharField(_("quarter"), max_length=32)
    school_name = models.CharField(_("school name"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    notified_at = models.DateTimeField(_("administrators notified"), null=True, blank=True)
    computed_at = models.DateTimeField(_("compared"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ROSTER)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    signed_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("signed off by"))
    signed_by_name = models.CharField(_("signed off by (name)"), max_length=300, blank=True)
    signed_by_position = models.CharField(_("signed off by (position)"), max_length=255, blank=True)
    signed_at = models.DateTimeField(_("signed off"), null=True, blank=True)

    class Meta:
        ordering = ["school", "-quarter__starts_on"]
        verbose_name = _("roster reconciliation")
        verbose_name_plural = _("roster reconciliations")
        constraints = [
            models.UniqueConstraint(fields=["school", "quarter"], name="reconciliation_one_per_quarter"),
            models.CheckConstraint(
                condition=~Q(status="signed_off") | Q(signed_at__isnull=False),
                name="reconciliation_signed_off_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_name} · {self.quarter_label} · {self.get_status_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and Reconciliation.objects.filter(pk=self.pk, status=self.Status.SIGNED_OFF).exists():
            raise ReconciliationLocked(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and Reconciliation.objects.filter(pk=self.pk, status=self.Status.SIGNED_OFF).exists():
            raise ReconciliationLocked(self.pk)
        return super().delete(*args, **kwargs)

    @property
    def signed_off(self) -> bool:
        return self.status == self.Status.SIGNED_OFF


class ReconciliationItem(models.Model):
    """One person of a reconciliation who is not simply matched, and how an administrator resolved it."""

    class Category(models.TextChoices):
        """Where a person of the comparison stands; a matched person is counted, never stored as an item."""

        MATCHED = "matched", _("matched")
        MOVED = "moved", _("in another class's chat")
        MISSING_IN_SFERUM = "missing_in_sferum", _("missing in Sferum")
        NOT_ON_ROSTER = "not_on_roster", _("not on the roster")
        AMBIGUOUS = "ambiguous", _("ambiguous")

    class Role(models.TextChoices):
        STUDENT = "student", _("student")
        STAFF = "staff", _("staff")

    class Resolution(models.TextChoices):
        NONE = "", _("not resolved")
        INVITE_SENT = "invite_sent", _("invite sent")
        REMOVED_IN_SFERUM = "removed_in_sferum", _("removed in Sferum")
        ROSTER_CORRECTED = "roster_corrected", _("roster corrected")
        NOT_AN_ERROR = "not_an_error", _("not an error")

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="items", verbose_name=_("reconciliation")
    )
    key = models.CharField(_("key"), max_length=200, help_text=_("Who the item is about; keeps its resolution."))
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    person_id = models.CharField(_("roster id"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=500)
    roster_class = models.CharField(_("class on the roster"), max_length=16, blank=True)
    sferum_class = models.CharField(_("class in Sferum"), max_length=200, blank=True)
    sferum_user_id = models.CharField(_("Sferum user id"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    probable = models.BooleanField(_("probable match"), default=False)
    resolution = models.CharField(
        _("resolution"), max_length=32, choices=Resolution.choices, blank=True, default=Resolution.NONE
    )
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)
    resolved_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("resolved by"))
    resolved_by_name = models.CharField(_("resolved by (name)"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["reconciliation", "role", "roster_class", "category", "name", "key"]
        verbose_name = _("reconciliation item")
        verbose_name_plural = _("reconciliation items")
        constraints = [
            models.UniqueConstraint(fields=["reconciliation", "key"], name="reconciliation_item_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.name}"

    def save(self, *args, **kwargs) -> None:
        if Reconciliation.objects.filter(pk=self.reconciliation_id, status=Reconciliation.Status.SIGNED_OFF).exists():
            raise ReconciliationLocked(self.reconciliation_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Reconciliation.objects.filter(pk=self.reconciliation_id, status=Reconciliation.Status.SIGNED_OFF).exists():
            raise ReconciliationLocked(self.reconciliation_id)
        return super().delete(*args, **kwargs)

    @property
    def resolved(self) -> bool:
        return bool(self.resolution)


# Instructions of a municipal or regional administrator to schools (reports.instructions).
from reports.instruction_models import Instruction  # noqa: E402, F401
from reports.instruction_models import InstructionTarget  # noqa: E402, F401
