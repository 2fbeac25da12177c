"""Help requests: a teacher asks the school administrator for methodical or technical help (the regulation,
administrator 2.1), the administrator answers and closes the request."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import optional_link
from .school import School

HELP_TEXT_MAX_LENGTH = 2000


class HelpRequest(models.Model):
    """A teacher's request for help, in their school: open until an administrator closes it with an answer."""

    class Topic(models.TextChoices):
        ACTIVATION = "activation", _("activation in Sferum")
        INVITES = "invites", _("invite links")
        CHATS = "chats", _("chats")
        OTHER = "other", _("something else")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("help request", "open")
        CLOSED = "closed", pgettext_lazy("help request", "closed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="help_requests", verbose_name=_("school"))
    asked_by = optional_link(settings.AUTH_USER_MODEL, related_name="help_requests", verbose_name=_("asked by"))
    asked_at = models.DateTimeField(_("asked"))
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    text = models.TextField(
        _("question"), max_length=HELP_TEXT_MAX_LENGTH, validators=[MaxLengthValidator(HELP_TEXT_MAX_LENGTH)]
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    answer = models.TextField(
        _("answer"),
        max_length=HELP_TEXT_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(HELP_TEXT_MAX_LENGTH)],
    )
    answered_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_by = optional_link(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [models.Index(fields=["school", "state", "asked_at"], name="help_request_school_state")]
        constraints = [
            # A request is closed only with an answer, given when closing or before.
            models.CheckConstraint(
                condition=Q(state="open") | (Q(state="closed", closed_at__isnull=False) & ~Q(answer="")),
                name="help_request_closed_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_topic_display()} · {self.asked_at:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN
