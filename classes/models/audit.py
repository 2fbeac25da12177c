"""The audit log: disclosures of personal data and changes of a login's access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import optional_link
from .school import Municipality
from .school import School


class AuditEntry(models.Model):
    """An export (or other disclosure) of personal data, or a change of a login's access: who, when, what."""

    user = optional_link(settings.AUTH_USER_MODEL, related_name="audit_entries", verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=150, blank=True, help_text=_("Kept if the login is deleted."))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=64, help_text=_("Like export.classes.xlsx."))
    school = optional_link(School, related_name="+", verbose_name=_("school"))
    municipality = optional_link(Municipality, related_name="+", verbose_name=_("municipality"))
    description = models.CharField(_("what"), max_length=500)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    login = optional_link(
        settings.AUTH_USER_MODEL,
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
