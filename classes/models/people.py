"""The roster's people and classes: staff, students and parents, classes, enrollments, assignments, absences.

"Current on a day" rules live here, once each, as QuerySet methods (`Staff.objects.employed_on(day)`,
`Enrollment.objects.current_on(day)`, `Parent.objects.on_roster_on(day)`) beside the instance methods that
answer the same question for one row; a filter across a relation takes the `*_filter(day, prefix=...)` form.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..class_names import CLASS_LETTERS
from ..class_names import class_name_format
from .calendar import AcademicYear
from .calendar import academic_year_current_filter
from .calendar import dates_clean
from .calendar import overlapping_first
from .fields import optional_link
from .periods import period_covers
from .periods import period_covers_filter
from .periods import period_ended_before
from .periods import period_ended_before_filter
from .school import School


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


def staff_employed_filter(day: date, *, prefix: str = "") -> Q:
    """Return the filter of staff employed on the day (the rule of `Staff.is_employed_on`)."""
    return period_covers_filter(start="employed_from", end="employed_to", day=day, prefix=prefix)


def staff_employed_on_any_filter(days: Iterable[date], *, prefix: str = "") -> Q:
    """Return the filter of staff employed on at least one of the days (none for no day)."""
    condition = Q(pk__in=[])
    for day in days:
        condition |= staff_employed_filter(day, prefix=prefix)
    return condition


class StaffQuerySet(models.QuerySet):
    def employed_on(self, day: date) -> StaffQuerySet:
        """Return the staff employed on the day: started on or before it, not left before it."""
        return self.filter(staff_employed_filter(day))

    def employed_on_any(self, days: Iterable[date]) -> StaffQuerySet:
        """Return the staff employed on at least one of the days."""
        return self.filter(staff_employed_on_any_filter(days))

    def left_before(self, day: date) -> StaffQuerySet:
        """Return the staff whose employment ended before the day."""
        return self.filter(period_ended_before_filter(end="employed_to", day=day))


class Staff(Person):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff", verbose_name=_("school"))
    position = models.CharField(_("position"), max_length=255, blank=True)
    teaches = models.BooleanField(_("teaches"), default=True)
    employed_from = models.DateField(_("employed from"))
    employed_to = models.DateField(_("employed to"), null=True, blank=True)

    objects = StaffQuerySet.as_manager()

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
        """Return True when employed on the day (the rule of `Staff.objects.employed_on`)."""
        return period_covers(start=self.employed_from, end=self.employed_to, day=day)

    def has_left_before(self, day: date) -> bool:
        """Return True when the employment ended before the day (the rule of `Staff.objects.left_before`)."""
        return period_ended_before(end=self.employed_to, day=day)


class SchoolClassQuerySet(models.QuerySet):
    def current_on(self, day: date) -> SchoolClassQuerySet:
        """Return the classes of the academic years that contain the day."""
        return self.filter(academic_year_current_filter(day, prefix="year__"))


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes", verbose_name=_("school"))
    year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="classes", verbose_name=_("academic year")
    )
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(11)])
    letter = models.CharField(_("letter"), max_length=1)
    class_teacher = optional_link(Staff, related_name="led_classes", verbose_name=_("class teacher"))

    objects = SchoolClassQuerySet.as_manager()

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


def enrollment_current_filter(day: date, *, prefix: str = "") -> Q:
    """Return the filter of enrollments current on the day (the rule of `Enrollment.is_current_on`)."""
    return period_covers_filter(start="starts_on", end="ends_on", day=day, prefix=prefix)


class EnrollmentQuerySet(models.QuerySet):
    def current_on(self, day: date) -> EnrollmentQuerySet:
        """Return the enrollments current on the day: started on or before it, not ended before it."""
        return self.filter(enrollment_current_filter(day))


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
    # The student's activation, kept by database triggers on every write of accounts, parent links and parents
    # (activation.student_flags): the activation snapshots count them without joining accounts. Never set here.
    account_active = models.BooleanField(_("student activated"), default=False, editable=False)
    parent_active = models.BooleanField(_("a parent without an end date activated"), default=False, editable=False)
    parent_active_until = models.DateField(
        _("an activated parent on the roster until"), null=True, blank=True, editable=False
    )

    objects = EnrollmentQuerySet.as_manager()

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
        # Enrollments with an end, by their end: those still current on a day are few (the activation snapshots
        # look among them for a student's overlapping enrollments in one class).
        indexes = [models.Index(fields=["ends_on"], condition=Q(ends_on__isnull=False), name="enrollment_ended_on")]

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
        """Return True when current on the day (the rule of `Enrollment.objects.current_on`)."""
        return period_covers(start=self.starts_on, end=self.ends_on, day=day)


def parent_on_roster_filter(day: date, *, prefix: str = "") -> Q:
    """Return the filter of parents on the roster on the day: not left, or leaving after it (`left_on` excluded)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})


class ParentQuerySet(models.QuerySet):
    def on_roster_on(self, day: date) -> ParentQuerySet:
        """Return the parents on the roster on the day (the rule of `Parent.is_on_roster_on`)."""
        return self.filter(parent_on_roster_filter(day))


class Parent(Person):
    """A parent or other legal representative."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="parents", verbose_name=_("school"))
    children = models.ManyToManyField(Student, related_name="parents", blank=True, verbose_name=_("children"))
    left_on = models.DateField(_("left the roster on"), null=True, blank=True)

    objects = ParentQuerySet.as_manager()

    class Meta(Person.Meta):
        verbose_name = _("parent")
        verbose_name_plural = _("parents")
        constraints = [
            models.UniqueConstraint(fields=["school", "person_id"], name="parent_unique_person_id"),
        ]

    def is_on_roster_on(self, day: date) -> bool:
        """Return True when on the roster on the day (the rule of `Parent.objects.on_roster_on`)."""
        return self.left_on is None or self.left_on > day


class StaffAbsence(models.Model):
    class Kind(models.TextChoices):
        LEAVE = "leave", _("leave")
        SICK = "sick", _("sick leave")
        COURSE = "course", _("training course")
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

    def clean(self) -> None:
        """Check the dates: in order, and overlapping no other absence of the staff member."""
        dates_clean(starts_on=self.starts_on, ends_on=self.ends_on)
        if self.staff_id is None or not self.starts_on or not self.ends_on:
            return
        overlapping = overlapping_first(StaffAbsence.objects.filter(staff_id=self.staff_id), record=self)
        if overlapping is not None:
            raise ValidationError(
                _("%(name)s is already absent from %(first)s to %(last)s; change that absence instead.")
                % {
                    "name": self.staff.full_name,
                    "first": f"{overlapping.starts_on:%d.%m.%Y}",
                    "last": f"{overlapping.ends_on:%d.%m.%Y}",
                }
            )
