"""The school's roster: municipalities, schools, academic years, classes, people, logins."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .class_names import CLASS_LETTERS, class_name_format

DEFAULT_TIMEZONE = "Europe/Moscow"


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


class Municipality(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    activity_threshold = models.PositiveSmallIntegerField(_("messages a week for an active teacher"), default=3)
    staff_target = models.DecimalField(
        _("staff activation target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("1.0"),
        validators=target_validators(),
    )
    students_target = models.DecimalField(
        _("students activation target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.9"),
        validators=target_validators(),
    )
    parents_target = models.DecimalField(
        _("parents activation target"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.9"),
        validators=target_validators(),
    )
    roster_change_overdue_days = models.PositiveSmallIntegerField(
        _("school days to process an arrival or departure"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A reported arrival or departure not processed within this many school days is overdue."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_target__gte=0, staff_target__lte=1)
                & Q(students_target__gte=0, students_target__lte=1)
                & Q(parents_target__gte=0, parents_target__lte=1),
                name="municipality_targets_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
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
    # Thresholds: empty means "inherit from the municipality".
    activity_threshold = models.PositiveSmallIntegerField(
        _("messages a week for an active teacher"), null=True, blank=True
    )
    staff_target = models.DecimalField(
        _("staff activation target"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=target_validators(),
    )
    students_target = models.DecimalField(
        _("students activation target"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=target_validators(),
    )
    parents_target = models.DecimalField(
        _("parents activation target"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=target_validators(),
    )
    roster_change_overdue_days = models.PositiveSmallIntegerField(
        _("school days to process an arrival or departure"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the municipality's setting."),
    )

    class Meta:
        ordering = ["short_name", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff_target__isnull=True) | Q(staff_target__gte=0, staff_target__lte=1))
                & (Q(students_target__isnull=True) | Q(students_target__gte=0, students_target__lte=1))
                & (Q(parents_target__isnull=True) | Q(parents_target__gte=0, parents_target__lte=1)),
                name="school_targets_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def _inherited(self, field: str):
        own = getattr(self, field)
        return own if own is not None else getattr(self.municipality, field)

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
    def effective_roster_change_overdue_days(self) -> int:
        return self._inherited("roster_change_overdue_days")


class AcademicYear(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="academic_years", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=16, help_text=_("Like 2026/2027."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

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
        return self.starts_on <= day <= self.ends_on


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
        return f"{self.year.name}-Q{self.number}"


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


class Person(models.Model):
    """Fields every roster person has."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, verbose_name=_("school"))
    person_id = models.CharField(_("roster id"), max_length=64)
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        abstract = True
        ordering = ["last_name", "first_name", "patronymic", "person_id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)


class Staff(Person):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff", verbose_name=_("school"))
    position = models.CharField(_("position"), max_length=255, blank=True)
    teaches = models.BooleanField(_("teaches"), default=True)
    employed_from = models.DateField(_("employed from"))
    employed_to = models.DateField(_("employed to"), null=True, blank=True)

    class Meta(Person.Meta):
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["school", "person_id"], name="staff_unique_person_id"),
            models.CheckConstraint(
                condition=Q(employed_to__isnull=True) | Q(employed_to__gte=F("employed_from")),
                name="staff_employed_to_after_from",
            ),
        ]

    def is_employed_on(self, day: date) -> bool:
        return self.employed_from <= day and (self.employed_to is None or self.employed_to >= day)


def staff_employed_filter(day: date) -> Q:
    """Return the filter of staff employed on the day (the rule of `Staff.is_employed_on`)."""
    return Q(employed_from__lte=day) & (Q(employed_to__isnull=True) | Q(employed_to__gte=day))


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="classes", verbose_name=_("academic year")
    )
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(11)])
    letter = models.CharField(_("letter"), max_length=1)
    class_teacher = models.ForeignKey(
        Staff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
        verbose_name=_("class teacher"),
    )

    class Meta:
        ordering = ["school", "year", "grade", "letter"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "grade", "letter"], name="class_unique_per_school_year"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="class_grade_1_to_11"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return class_name_format(self.grade, self.letter)

    def clean(self) -> None:
        if self.letter and self.letter not in CLASS_LETTERS:
            raise ValidationError({"letter": _("A class letter is one Cyrillic capital letter, like А.")})
        if self.year_id and self.school_id and self.year.school_id != self.school_id:
            raise ValidationError({"year": _("The academic year belongs to another school.")})
        if self.class_teacher_id and self.class_teacher.school_id != self.school_id:
            raise ValidationError({"class_teacher": _("The class teacher works at another school.")})


class TeachingAssignment(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("teacher"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("class")
    )
    subject = models.CharField(_("subject"), max_length=150)

    class Meta:
        ordering = ["school_class", "subject", "staff"]
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(fields=["staff", "school_class", "subject"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.subject} · {self.staff}"


class Student(Person):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students", verbose_name=_("school"))

    class Meta(Person.Meta):
        verbose_name = _("student")
        verbose_name_plural = _("students")
        constraints = [
            models.UniqueConstraint(fields=["school", "person_id"], name="student_unique_person_id"),
        ]


class Enrollment(models.Model):
    """A student's stay in one class; a move ends one enrollment and starts the next."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("student")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("class")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["student", "starts_on"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            # One class at a time: at most one open enrollment per student.
            models.UniqueConstraint(
                fields=["student"], condition=Q(ends_on__isnull=True), name="enrollment_one_open_per_student"
            ),
            models.UniqueConstraint(fields=["student", "starts_on"], name="enrollment_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="enrollment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.school_class}"

    def clean(self) -> None:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An enrollment cannot end before it starts.")})
        if not self.student_id or not self.starts_on:
            return
        if self.school_class_id and self.school_class.school_id != self.student.school_id:
            raise ValidationError({"school_class": _("The class belongs to another school.")})
        overlapping = Enrollment.objects.filter(student_id=self.student_id).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
        if self.ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=self.ends_on)
        if overlapping.exists():
            raise ValidationError(_("The student is already in a class on these dates; end that enrollment first."))

    def is_current_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


def enrollment_current_filter(day: date) -> Q:
    """Return the filter of enrollments current on the day (the rule of `Enrollment.is_current_on`)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Parent(Person):
    """A parent or other legal representative."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="parents", verbose_name=_("school"))
    children = models.ManyToManyField(Student, related_name="parents", blank=True, verbose_name=_("children"))
    left_on = models.DateField(_("left the roster on"), null=True, blank=True)

    class Meta(Person.Meta):
        verbose_name = _("parent")
        verbose_name_plural = _("parents")
        constraints = [
            models.UniqueConstraint(fields=["school", "person_id"], name="parent_unique_person_id"),
        ]


class StaffAbsence(models.Model):
    class Kind(models.TextChoices):
        LEAVE = "leave", _("leave")
        SICK = "sick", _("sick leave")
        OTHER = "other", _("other")

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="absences", verbose_name=_("staff member"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LEAVE)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))

    class Meta:
        ordering = ["staff", "starts_on"]
        verbose_name = _("staff absence")
        verbose_name_plural = _("staff absences")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.get_kind_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class User(AbstractUser):
    """A login: a municipal administrator, a school administrator or a teacher."""

    class Role(models.TextChoices):
        MUNICIPAL_ADMIN = "municipal_admin", _("municipal administrator")
        SCHOOL_ADMIN = "school_admin", _("school administrator")
        TEACHER = "teacher", _("teacher")

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("municipality"),
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("school")
    )
    staff = models.OneToOneField(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="user", verbose_name=_("staff member")
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=Q(role="")
                | Q(role="municipal_admin", municipality__isnull=False, school__isnull=True, staff__isnull=True)
                | Q(role="school_admin", school__isnull=False, municipality__isnull=True, staff__isnull=True)
                | Q(role="teacher", staff__isnull=False, school__isnull=False, municipality__isnull=True),
                name="user_role_scope",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.MUNICIPAL_ADMIN and not self.municipality_id:
            raise ValidationError({"municipality": _("A municipal administrator needs a municipality.")})
        if self.role == self.Role.SCHOOL_ADMIN and not self.school_id:
            raise ValidationError({"school": _("A school administrator needs a school.")})
        if self.role == self.Role.TEACHER:
            if not self.staff_id:
                raise ValidationError({"staff": _("A teacher's login needs a staff member.")})
            if self.school_id != self.staff.school_id:
                raise ValidationError({"school": _("A teacher's school is the school of their staff row.")})


class RosterImport(models.Model):
    """One upload of the official roster, whatever came of it: the import log."""

    class Status(models.TextChoices):
        OK = "ok", _("imported")
        HELD = "held", _("held for confirmation")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("school")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roster_imports",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("file SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.school} · {self.file_name} · {self.get_status_display()}"


class AuditEntry(models.Model):
    """An export (or other disclosure) of personal data, or a change of a login's access: who, when, what."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True, help_text=_("Kept if the login is deleted."))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=64, help_text=_("Like export.classes.xlsx."))
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("school")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("municipality")
    )
    description = models.CharField(_("what"), max_length=500)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    login = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("login concerned"),
        help_text=_("The login a deactivation or reactivation concerns."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class RosterMapping(models.Model):
    """The column mapping a school's roster files need: {header as in the file: roster column}."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="roster_mapping", verbose_name=_("school")
    )
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        ordering = ["school"]
        verbose_name = _("roster column mapping")
        verbose_name_plural = _("roster column mappings")

    def __str__(self) -> str:
        return f"{self.school} · {len(self.mapping)}"


class RosterUpload(models.Model):
    """A roster file uploaded in the page and waiting for its preview to be confirmed; deleted once imported.

    A large file is read by the worker: `reading` (with the rows read so far) until it is `ready` or `failed`;
    the worker keeps its headers and dry run in `headers` and `preview` (what the preview shows, nothing more),
    and its confirmed import is `importing` until the worker is done: `imported`, or `ready` again with the
    import's log when it was held or failed.
    """

    class State(models.TextChoices):
        READING = "reading", _("reading")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="roster_uploads", verbose_name=_("school")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("file SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.READY)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    read_error = models.TextField(_("read error"), blank=True)
    by_worker = models.BooleanField(_("read by the worker"), default=False)
    headers = models.JSONField(_("headers"), null=True, blank=True)
    preview = models.JSONField(_("preview"), null=True, blank=True)
    import_error = models.TextField(_("import error"), blank=True)
    import_log = models.ForeignKey(
        RosterImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last import"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")

    def __str__(self) -> str:
        return f"{self.school} · {self.file_name}"


class RosterChange(models.Model):
    """An arrival or a departure a class teacher reports, and how the administrators dealt with it.

    States: reported (by the class teacher) → processed (an administrator changed Sferum and/or the roster)
    → confirmed (a later roster import or Sferum sync agrees). Each state keeps who and when.
    """

    class Kind(models.TextChoices):
        DEPARTURE = "departure", _("left")
        ARRIVAL = "arrival", _("arrived")

    class State(models.TextChoices):
        REPORTED = "reported", _("reported")
        PROCESSED = "processed", _("processed")
        CONFIRMED = "confirmed", _("confirmed")

    class Source(models.TextChoices):
        ROSTER = "roster", _("roster import")
        SYNC = "sync", _("Sferum sync")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="roster_changes", verbose_name=_("school")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="roster_changes", verbose_name=_("class")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    student = models.ForeignKey(
        Student,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roster_changes",
        verbose_name=_("student"),
    )
    happened_on = models.DateField(_("on"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The arriving student as the teacher wrote them (a departure copies the student's name here too).
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REPORTED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported"))
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("processed by"),
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    changed_in_sferum = models.BooleanField(_("changed in Sferum"), default=False)
    changed_in_roster = models.BooleanField(_("changed in the roster"), default=False)
    processed_note = models.CharField(_("note"), max_length=500, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
        help_text=_("Who ran the roster import that confirmed it; empty for a scheduled sync."),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_source = models.CharField(_("confirmed by"), max_length=16, choices=Source.choices, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("arrival or departure")
        verbose_name_plural = _("arrivals and departures")
        indexes = [models.Index(fields=["school", "state", "reported_at"], name="roster_change_school_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="reported")
                | Q(state="processed", processed_at__isnull=False)
                | Q(state="confirmed", processed_at__isnull=False, confirmed_at__isnull=False),
                name="roster_change_state_has_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.get_kind_display()} · {self.full_name} · {self.happened_on:%d.%m.%Y}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    def clean(self) -> None:
        if self.school_class_id and self.school_id and self.school_class.school_id != self.school_id:
            raise ValidationError({"school_class": _("The class belongs to another school.")})
        if self.student_id and self.school_id and self.student.school_id != self.school_id:
            raise ValidationError({"student": _("The student belongs to another school.")})
        if self.kind == self.Kind.DEPARTURE and not self.student_id:
            raise ValidationError({"student": _("Choose the student who left.")})
        if self.kind == self.Kind.DEPARTURE and not self.reason.strip():
            raise ValidationError({"reason": _("Write why the student left, like «moved to another school».")})
