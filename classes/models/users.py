"""Logins and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .people import Staff
from .school import Municipality
from .school import Region
from .school import School


class User(AbstractUser):
    """A login: a regional or municipal administrator, a school administrator or a teacher."""

    class Role(models.TextChoices):
        REGIONAL_ADMIN = "regional_admin", _("regional administrator")
        MUNICIPAL_ADMIN = "municipal_admin", _("municipal administrator")
        SCHOOL_ADMIN = "school_admin", _("school administrator")
        TEACHER = "teacher", _("teacher")

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region")
    )
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
                | Q(
                    role="regional_admin",
                    region__isnull=False,
                    municipality__isnull=True,
                    school__isnull=True,
                    staff__isnull=True,
                )
                | Q(
                    role="municipal_admin",
                    municipality__isnull=False,
                    region__isnull=True,
                    school__isnull=True,
                    staff__isnull=True,
                )
                | Q(
                    role="school_admin",
                    school__isnull=False,
                    region__isnull=True,
                    municipality__isnull=True,
                    staff__isnull=True,
                )
                | Q(
                    role="teacher",
                    staff__isnull=False,
                    school__isnull=False,
                    region__isnull=True,
                    municipality__isnull=True,
                ),
                name="user_role_scope",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.role == self.Role.REGIONAL_ADMIN and not self.region_id:
            raise ValidationError({"region": _("A regional administrator needs a region.")})
        if self.role == self.Role.MUNICIPAL_ADMIN and not self.municipality_id:
            raise ValidationError({"municipality": _("A municipal administrator needs a municipality.")})
        if self.role == self.Role.SCHOOL_ADMIN and not self.school_id:
            raise ValidationError({"school": _("A school administrator needs a school.")})
        if self.role == self.Role.TEACHER:
            if not self.staff_id:
                raise ValidationError({"staff": _("A teacher's login needs a staff member.")})
            if self.school_id != self.staff.school_id:
                raise ValidationError({"school": _("A teacher's school is the school of their staff row.")})

    def display_name(self) -> str:
        """Return how pages, documents and messages name the person: the full name; the login only without one."""
        return self.get_full_name() or self.username
