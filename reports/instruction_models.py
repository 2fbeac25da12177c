"""Instructions (распоряжения) of a municipal or regional administrator to schools, and each school's state.

The regulation (admin 2.1) has the school administrator follow the municipal administrator's instructions: an
issuer addresses some or all schools of their scope; each addressed school reads the instruction and marks it
done with a comment (and optionally a file). Done is final; an issuer may remind the schools not done yet.
Imported by reports/models.py, so the models belong to the reports app.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.models.fields import optional_link

TITLE_MAX = 200
TEXT_MAX = 5000
COMMENT_MAX = 2000


class Instruction(models.Model):
    """An instruction issued in one scope: a municipality (its municipal administrator) or a region (its regional
    administrator); exactly one of the two is set. `reminded_on` is the last day (the project's time zone) a
    reminder went out: at most one a day."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("municipality"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="instructions", verbose_name=_("region")
    )
    issued_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("issued by"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    deadline = models.DateField(_("deadline"))
    file = models.FileField(_("file"), upload_to="instructions/%Y/%m/", blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=False, region__isnull=True)
                | Q(municipality__isnull=True, region__isnull=False),
                name="instruction_one_issuer_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InstructionTarget(models.Model):
    """One addressed school of an instruction and its state: not read, read (when and by whom), done (when, by
    whom, the comment and an optional file)."""

    class Status(models.TextChoices):
        NOT_READ = "not_read", pgettext_lazy("instruction state", "not read")
        READ = "read", pgettext_lazy("instruction state", "read")
        DONE = "done", pgettext_lazy("instruction state", "done")
        OVERDUE = "overdue", pgettext_lazy("instruction state", "overdue")

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, related_name="targets", verbose_name=_("instruction")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="instruction_targets", verbose_name=_("school")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("read by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("done by"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)
    file = models.FileField(_("file"), upload_to="instructions/replies/%Y/%m/", blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        ordering = ["instruction", "school__short_name", "pk"]
        verbose_name = _("addressed school")
        verbose_name_plural = _("addressed schools")
        constraints = [
            models.UniqueConstraint(fields=["instruction", "school"], name="instruction_target_once"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(comment=""), name="instruction_target_done_has_comment"
            ),
        ]
        indexes = [models.Index(fields=["school", "done_at"], name="instruction_target_open")]

    def __str__(self) -> str:
        return f"{self.instruction_id} → {self.school_id}"

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def local_done_on(self) -> date | None:
        """Return the day (the school's time zone) it was marked done."""
        return self.done_at.astimezone(self.school.tz).date() if self.done_at else None

    def done_late(self) -> bool:
        """Return True when it was marked done after the deadline (in the school's time zone)."""
        done_on = self.local_done_on()
        return done_on is not None and done_on > self.instruction.deadline

    def status_on(self, today: date) -> str:
        """Return the state on the school's `today`: done (late or not), overdue (not done after the deadline),
        read or not read."""
        if self.done:
            return self.Status.DONE
        if today > self.instruction.deadline:
            return self.Status.OVERDUE
        return self.Status.READ if self.read_at else self.Status.NOT_READ
