"""Sferum accounts, their links to roster people, and invite links."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classes.models import Parent
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from classes.models.fields import optional_link


class Backend(models.TextChoices):
    SIMULATOR = "simulator", _("simulator")
    VK = "vk", _("VK-style API")
    MAX = "max", _("MAX Bot API")
    FILES = "files", _("files")


class SferumAccount(models.Model):
    class Status(models.TextChoices):
        NOT_INVITED = "not_invited", _("not invited")
        INVITED = "invited", _("invited")
        PENDING = "pending", _("pending")
        ACTIVE = "active", _("active")
        BLOCKED = "blocked", _("blocked")

    class RoleCode(models.TextChoices):
        NONE = "", _("no role")
        ADMIN = "admin", _("administrator")
        EMPLOYEE = "employee", _("employee")
        TEACHER = "teacher", _("teacher")
        PARENT = "parent", _("parent")
        STUDENT = "student", _("student")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="sferum_accounts", verbose_name=_("school")
    )
    backend = models.CharField(_("backend"), max_length=16, choices=Backend.choices)
    platform_user_id = models.CharField(_("platform user id"), max_length=64)
    last_name = models.CharField(_("last name as seen"), max_length=150, blank=True)
    first_name = models.CharField(_("first name as seen"), max_length=150, blank=True)
    role_code = models.CharField(_("role"), max_length=16, choices=RoleCode.choices, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    staff = optional_link(Staff, related_name="sferum_accounts", verbose_name=_("staff member"))
    student = optional_link(Student, related_name="sferum_accounts", verbose_name=_("student"))
    parent = optional_link(Parent, related_name="sferum_accounts", verbose_name=_("parent"))
    link_manual = models.BooleanField(
        _("linked by hand"),
        default=False,
        help_text=_("A link or unlink made by an administrator; syncs keep it."),
    )
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["school", "last_name", "first_name", "platform_user_id"]
        verbose_name = _("Sferum account")
        verbose_name_plural = _("Sferum accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "backend", "platform_user_id"], name="account_unique_platform_user"
            ),
            models.CheckConstraint(
                condition=(
                    Q(staff__isnull=True, student__isnull=True, parent__isnull=True)
                    | Q(staff__isnull=False, student__isnull=True, parent__isnull=True)
                    | Q(staff__isnull=True, student__isnull=False, parent__isnull=True)
                    | Q(staff__isnull=True, student__isnull=True, parent__isnull=False)
                ),
                name="account_linked_to_one_person",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"], name="account_school_status")]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.last_name, self.first_name) if part) or self.platform_user_id
        return f"{name} ({self.get_backend_display()} {self.platform_user_id})"

    @property
    def person(self) -> Staff | Student | Parent | None:
        return self.staff or self.student or self.parent

    def clean(self) -> None:
        for field in ("staff", "student", "parent"):
            person = getattr(self, field)
            if person is not None and person.school_id != self.school_id:
                raise ValidationError({field: _("The person belongs to another school.")})


INVITE_KEY_BYTES = 24  # 192 bits from `secrets`; 32 URL-safe characters


def invite_key_new() -> str:
    """Return a new invite key: INVITE_KEY_BYTES random bytes from `secrets`, URL-safe."""
    return secrets.token_urlsafe(INVITE_KEY_BYTES)


class InviteLinkQuerySet(models.QuerySet):
    def current(self, now: datetime) -> InviteLinkQuerySet:
        """Return the links still current at `now`: not expired by hand, expiry ahead or none (`is_current`'s rule)."""
        return self.filter(Q(expired_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)))


class InviteLink(models.Model):
    """A Sferum invite link a teacher pasted for a class and audience, behind our short URL `i/<key>/`.

    Sferum creates the invite links; we keep the link, its expiry, and a key of our own so the
    printed QR code can say "this link has expired" instead of leading nowhere.
    """

    class Audience(models.TextChoices):
        STUDENTS = "students", _("students")
        PARENTS = "parents", _("parents")
        STAFF = "staff", _("staff")

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="invite_links", verbose_name=_("class")
    )
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    url = models.URLField(_("link"), max_length=500)
    key = models.CharField(_("key"), max_length=64, unique=True, default=invite_key_new, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    expired_at = models.DateTimeField(
        _("expired by hand"), null=True, blank=True, help_text=_("When a teacher or administrator expired the link.")
    )
    created_by = optional_link(settings.AUTH_USER_MODEL, related_name="invite_links", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = InviteLinkQuerySet.as_manager()

    class Meta:
        ordering = ["school_class", "audience", "-created_at"]
        verbose_name = _("invite link")
        verbose_name_plural = _("invite links")
        indexes = [models.Index(fields=["school_class", "audience"], name="invite_class_audience")]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.get_audience_display()}"

    def is_current(self, now: datetime) -> bool:
        """Return True while the link was not expired by hand and its expiry is still ahead (`current`'s rule)."""
        return self.expired_at is None and (self.expires_at is None or self.expires_at > now)
