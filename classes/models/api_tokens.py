"""Personal API tokens: an administrator's key to the REST API, shown once and kept as a hash.

A token acts for its owner, optionally narrowed to one municipality or one school inside the owner's scope;
it expires (at most a year after its creation) and can be revoked. The secret is `sfr_<prefix>_<random>`: the
prefix names the token in lists and finds it, the SHA-256 of the whole secret checks it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .school import Municipality
from .school import School
from .users import User

DEFAULT_DAYS = 90
MAX_DAYS = 365
PREFIX_LENGTH = 12


def default_expiry():
    return timezone.now() + timedelta(days=DEFAULT_DAYS)


class ApiToken(models.Model):
    """A personal API token: its owner, a name, a narrower scope if any, an expiry, its last use, its revocation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False, help_text=_("SHA-256 of the secret."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), default=default_expiry)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only the municipality"),
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("only the school")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=True) | models.Q(municipality__isnull=True),
                name="api_token_one_narrowing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    # -- state ---------------------------------------------------------------

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return gettext("revoked")
        if self.expires_at <= timezone.now():
            return gettext("expired")
        return gettext("active")

    # -- validation ----------------------------------------------------------

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        created = self.created_at or timezone.now()
        if self.expires_at is not None:
            if self.expires_at <= created:
                errors.setdefault("expires_at", []).append(gettext("The expiry must be in the future."))
            elif self.expires_at > created + timedelta(days=MAX_DAYS, minutes=1):
                errors.setdefault("expires_at", []).append(
                    gettext("A token lasts at most %(days)d days; choose an earlier expiry.") % {"days": MAX_DAYS}
                )
        if self.school_id and self.municipality_id:
            errors.setdefault("school", []).append(gettext("Narrow a token to a school or a municipality, not both."))
        elif self.user_id and not self._narrowing_within_owner():
            errors.setdefault("school" if self.school_id else "municipality", []).append(
                gettext("A token cannot reach beyond its owner's scope; choose a school or municipality of yours.")
            )
        if errors:
            raise ValidationError(errors)

    def _narrowing_within_owner(self) -> bool:
        """Return True when the narrowing (if any) lies inside the owner's scope.

        The same rule as classes.access.schools_for_user / municipalities_for_user (which the page's choices
        come from); restated here because classes.access imports the models.
        """
        user = self.user
        Role = User.Role
        if self.school_id:
            if user.role == Role.REGIONAL_ADMIN:
                return School.objects.filter(pk=self.school_id, municipality__region_id=user.region_id).exists()
            if user.role == Role.MUNICIPAL_ADMIN:
                return School.objects.filter(pk=self.school_id, municipality_id=user.municipality_id).exists()
            return False  # a school's login: its own scope only, no narrowing
        if self.municipality_id:
            if user.role == Role.REGIONAL_ADMIN:
                return Municipality.objects.filter(pk=self.municipality_id, region_id=user.region_id).exists()
            return False
        return True

    # -- narrowing (classes.api.scope) ----------------------------------------

    def schools_within(self, queryset: QuerySet) -> QuerySet:
        """Return the schools of `queryset` this token may read."""
        if self.school_id:
            return queryset.filter(pk=self.school_id)
        if self.municipality_id:
            return queryset.filter(municipality_id=self.municipality_id)
        return queryset

    def municipalities_within(self, queryset: QuerySet) -> QuerySet:
        """Return the municipalities of `queryset` this token may read (a school's token: that school's)."""
        if self.school_id:
            return queryset.filter(schools__pk=self.school_id)
        if self.municipality_id:
            return queryset.filter(pk=self.municipality_id)
        return queryset

    def regions_within(self, queryset: QuerySet) -> QuerySet:
        """Return the regions of `queryset` this token may read: none when it is narrowed below a region."""
        if self.school_id or self.municipality_id:
            return queryset.none()
        return queryset
