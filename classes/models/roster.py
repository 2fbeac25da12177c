"""The official roster's uploads and imports, and the arrivals and departures class teachers report."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import optional_link
from .people import SchoolClass
from .people import Student
from .school import School


class RosterImport(models.Model):
    """One upload of the official roster, whatever came of it: the import log."""

    class Status(models.TextChoices):
        OK = "ok", _("imported")
        HELD = "held", _("held for confirmation")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("school")
    )
    user = optional_link(settings.AUTH_USER_MODEL, related_name="roster_imports", verbose_name=_("user"))
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


class RosterMapping(models.Model):
    """The column mapping a school's roster files need: {header as in the file: roster column}."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="roster_mapping", verbose_name=_("school")
    )
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("updated by"))

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
    import_log = optional_link(RosterImport, related_name="+", verbose_name=_("last import"))

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
    student = optional_link(Student, related_name="roster_changes", verbose_name=_("student"))
    happened_on = models.DateField(_("on"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The arriving student as the teacher wrote them (a departure copies the student's name here too).
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REPORTED)
    reported_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported"))
    processed_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("processed by"))
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    changed_in_sferum = models.BooleanField(_("changed in Sferum"), default=False)
    changed_in_roster = models.BooleanField(_("changed in the roster"), default=False)
    processed_note = models.CharField(_("note"), max_length=500, blank=True)
    confirmed_by = optional_link(
        settings.AUTH_USER_MODEL,
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
