"""The audit log: logins, disclosures of personal data and every change an administrator makes (who, when,
what, from where), each entry in the scope of a school, a municipality or a region."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import optional_link
from .school import Municipality
from .school import Region
from .school import School


class AuditEntry(models.Model):
    """A login, an export (or other disclosure) of personal data, or a change: who, when, what, from where.

    The scope (school, municipality, region) says which administrators see the entry on the audit page: a
    school's administrator the school's, a municipal administrator the municipality's and its schools', a
    regional administrator the region's and everything below it.
    """

    user = optional_link(settings.AUTH_USER_MODEL, related_name="audit_entries", verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=150, blank=True, help_text=_("Kept if the login is deleted."))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=64, help_text=_("Like export.classes.xlsx."))
    school = optional_link(School, related_name="+", verbose_name=_("school"))
    municipality = optional_link(Municipality, related_name="+", verbose_name=_("municipality"))
    region = optional_link(Region, related_name="+", verbose_name=_("region"))
    address = models.GenericIPAddressField(
        _("from where"), null=True, blank=True, help_text=_("The client's address; empty for background jobs.")
    )
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
        indexes = [
            models.Index(fields=["school", "-created_at"], name="audit_school_created"),
            models.Index(fields=["municipality", "-created_at"], name="audit_municipality_created"),
            models.Index(fields=["region", "-created_at"], name="audit_region_created"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"
