"""Invite links of a class: the Sferum link a teacher pastes, its expiry, our key and its QR code.

Sferum creates invite links; this dashboard cannot. A class teacher (or the school administrator)
pastes the link Sferum gave them for the class's students or parents, with an expiry (Sferum's links
expire too; DEFAULT_VALID_DAYS unless they choose another day). Each link gets a key of ours
(`InviteLink.key`, 192 bits from `secrets`) for the short URL `i/<key>/`, which redirects to the
Sferum link while it is current and otherwise says why it no longer works
(`invite_link_from_key`, after Zulip's `confirmation.models.get_object_from_key`).
A class has at most one current link per audience: creating one expires the one before.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from classes import clock
from classes.models import SchoolClass
from classes.models import User
from classes.services import audit_record

from .models import InviteLink

DEFAULT_VALID_DAYS = 7
MAX_VALID_DAYS = 90
CLASS_AUDIENCES = (InviteLink.Audience.STUDENTS, InviteLink.Audience.PARENTS)
# token_urlsafe(n) gives ceil(4n/3) characters; accept keys of at least 120 bits up to the column's length.
_KEY_FORMAT = re.compile(r"[A-Za-z0-9_-]{20,64}")


class InviteKeyError(Exception):
    """The key of a short URL leads to no current invite link; `error_type` says why."""

    class ErrorType(StrEnum):
        MALFORMED = "malformed"
        UNKNOWN = "unknown"
        EXPIRED = "expired"
        REVOKED = "revoked"

    def __init__(self, error_type: InviteKeyError.ErrorType, link: InviteLink | None = None) -> None:
        super().__init__(error_type.value)
        self.error_type = error_type
        self.link = link


# Audit actions: a class's invite link set (replacing the current one), a link expired by hand.
INVITE_SET = "invite.set"
INVITE_EXPIRE = "invite.expire"


def invite_link_from_key(*, key: str, now: datetime | None = None) -> InviteLink:
    """Return the current invite link of the key, with its class and school; raise InviteKeyError otherwise."""
    if not _KEY_FORMAT.fullmatch(key or ""):
        raise InviteKeyError(InviteKeyError.ErrorType.MALFORMED)
    link = (
        InviteLink.objects.select_related("school_class__school", "school_class__class_teacher").filter(key=key).first()
    )
    if link is None:
        raise InviteKeyError(InviteKeyError.ErrorType.UNKNOWN)
    if link.expired_at is not None:
        raise InviteKeyError(InviteKeyError.ErrorType.REVOKED, link)
    if not link.is_current(now or clock.now()):
        raise InviteKeyError(InviteKeyError.ErrorType.EXPIRED, link)
    return link


def invite_link_can_manage(*, user: User, school_class: SchoolClass) -> bool:
    """Return True when the login may create and expire the class's links: its class teacher or school admin."""
    if user.role == User.Role.TEACHER:
        return bool(user.staff_id) and school_class.class_teacher_id == user.staff_id
    if user.role == User.Role.SCHOOL_ADMIN:
        return school_class.school_id == user.school_id
    return False


def invite_url_host_allowed(url: str) -> bool:
    """Return True when the URL is https, names no login and leads to a platform host (INVITE_LINK_HOSTS).

    A host is allowed when it is one of the settings' hosts or a subdomain of one (web.vk.me under vk.me),
    never a name that merely ends like one (evilsferum.ru) or contains one (sferum.ru.evil.example).
    """
    if "\\" in url or any(ord(character) < 33 for character in url):
        return False  # browsers read a backslash as a slash: the host they see may not be the one parsed here
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme != "https" or parts.username or parts.password or not host:
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in settings.INVITE_LINK_HOSTS)


def invite_url_clean(url: str) -> str:
    """Return the invite URL stripped; raise ValidationError unless it is an https URL of the platform's hosts."""
    url = (url or "").strip()
    message = _("Paste the invite link Sferum gave you; it starts with https://.")
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ValidationError({"url": message}) from None
    if urlsplit(url).username or urlsplit(url).password:
        raise ValidationError({"url": message})
    if not invite_url_host_allowed(url):
        raise ValidationError(
            {
                "url": _(
                    "%(host)s is not a Sferum or MAX address; paste the invite link exactly as Sferum or MAX gave it. "
                    "Links of these sites are accepted: %(hosts)s."
                )
                % {"host": urlsplit(url).hostname, "hosts": ", ".join(settings.INVITE_LINK_HOSTS)}
            }
        )
    return url


def invite_expiry(*, school_class: SchoolClass, expires_on: date | None) -> datetime:
    """Return the end of the day `expires_on` (default: DEFAULT_VALID_DAYS from today) in the school's time zone.

    Raise ValidationError for a day in the past or more than MAX_VALID_DAYS ahead.
    """
    tz = school_class.school.tz
    today = clock.today(tz)
    if expires_on is None:
        expires_on = today + timedelta(days=DEFAULT_VALID_DAYS)
    if expires_on < today:
        raise ValidationError({"expires_on": _("The link cannot expire in the past; choose today or a later day.")})
    if expires_on > today + timedelta(days=MAX_VALID_DAYS):
        raise ValidationError(
            {
                "expires_on": ngettext(
                    "Choose a day within %(days)d day; Sferum links do not live longer.",
                    "Choose a day within %(days)d days; Sferum links do not live longer.",
                    MAX_VALID_DAYS,
                )
                % {"days": MAX_VALID_DAYS}
            }
        )
    return datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=tz)


def invite_link_create(
    *, by: User, school_class: SchoolClass, audience: str, url: str, expires_on: date | None = None
) -> InviteLink:
    """Store the class's new invite link for the audience and expire the current one; return the new link.

    Only the class teacher or the school's administrator may; others get PermissionDenied. The class
    row is locked so two people replacing the link at once leave exactly one current link.
    """
    if not invite_link_can_manage(user=by, school_class=school_class):
        raise PermissionDenied
    if audience not in CLASS_AUDIENCES:
        raise ValidationError({"audience": _("Choose students or parents.")})
    url = invite_url_clean(url)
    expires_at = invite_expiry(school_class=school_class, expires_on=expires_on)
    with transaction.atomic():
        SchoolClass.objects.select_for_update().filter(pk=school_class.pk).values_list("pk", flat=True).first()
        now = clock.now()
        InviteLink.objects.current(now).filter(school_class=school_class, audience=audience).update(expired_at=now)
        link = InviteLink(school_class=school_class, audience=audience, url=url, expires_at=expires_at, created_by=by)
        link.full_clean()
        link.save()
        # The address opens the class's chat: the entry names the link, never its address.
        audit_record(
            user=by,
            action=INVITE_SET,
            description=f"Invite link {link.pk} for the {audience} of class {school_class.name} (id "
            f"{school_class.pk}) set, valid until {expires_at:%Y-%m-%d}; the previous one expired.",
            school=school_class.school,
        )
    return link


def invite_link_expire(*, by: User, link: InviteLink) -> InviteLink:
    """Expire the link now (idempotent: a link no longer current stays as it is); return it."""
    if not invite_link_can_manage(user=by, school_class=link.school_class):
        raise PermissionDenied
    with transaction.atomic():
        locked = InviteLink.objects.select_for_update().get(pk=link.pk)
        now = clock.now()
        if locked.is_current(now):
            locked.expired_at = now
            locked.save(update_fields=["expired_at"])
            audit_record(
                user=by,
                action=INVITE_EXPIRE,
                description=f"Invite link {locked.pk} for the {locked.audience} of class "
                f"{link.school_class.name} (id {link.school_class_id}) expired by hand.",
                school=link.school_class.school,
            )
    link.expired_at = locked.expired_at
    return link


def invite_qr_svg(*, url: str, title: str) -> str:
    """Return an inline SVG QR code of the URL (made here, no outside service), sized by CSS."""
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, title=title, svgclass="qr-code", lineclass=None
    )
