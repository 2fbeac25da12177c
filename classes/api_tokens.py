"""Personal API tokens: create (the secret is returned once), revoke, authenticate a secret.

Only the SHA-256 of a secret is kept. Creation, revocation and the first use of each day are audited (the
token's prefix and name, never its secret); a use writes the last-used time at most once a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from classes import clock
from classes.audit_context import user_scope
from classes.models import ApiToken
from classes.models import Municipality
from classes.models import School
from classes.models import User
from classes.services import audit_record

Role = User.Role
# The roles that may hold API tokens (a teacher may not).
TOKEN_ROLES = (Role.SCHOOL_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN)
MARK = "sfr_"  # every secret starts so (secret scanners can tell it)
SECRET_RANDOM_BYTES = 32  # 43 url-safe characters
LAST_USED_EVERY = timedelta(minutes=1)

AUDIT_CREATE = "token.create"
AUDIT_REVOKE = "token.revoke"
AUDIT_USE = "token.use"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(6)  # 12 characters: [0-9a-f], no "_" to split on
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def _audit_scope(token: ApiToken) -> dict:
    """The audit entry's scope: the token's narrowing, else its owner's."""
    if token.school_id:
        return {"school": token.school}
    if token.municipality_id:
        return {"municipality": token.municipality}
    return user_scope(token.user)


def _describe(token: ApiToken) -> str:
    return f"API token {token.prefix} «{token.name}»"


def api_token_create(
    *, user: User, name: str, days: int, school: School | None = None, municipality: Municipality | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user` valid `days` days, narrowed to `school` or `municipality` if given; return it
    with its secret (shown once: only its hash is kept). Raises PermissionDenied for a role without tokens and
    ValidationError for a narrowing outside the owner's scope or an expiry beyond a year."""
    if user.role not in TOKEN_ROLES or not user.is_active:
        raise PermissionDenied
    prefix = _new_prefix()
    secret = f"{MARK}{prefix}_{secrets.token_urlsafe(SECRET_RANDOM_BYTES)}"
    now = clock.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=secret_hash(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
        school=school,
        municipality=municipality,
    )
    token.full_clean()
    token.save()
    audit_record(
        user=user,
        action=AUDIT_CREATE,
        description=f"Created {_describe(token)}, expires {token.expires_at:%Y-%m-%d}.",
        **_audit_scope(token),
    )
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke the token (a second revocation changes nothing)."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(user=by, action=AUDIT_REVOKE, description=f"Revoked {_describe(token)}.", **_audit_scope(token))
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """Return the token of the secret when it is valid (not revoked, not expired, its owner active and still of a
    role that holds tokens), else None.

    Notes the use: the last-used time at most once a minute, an audit entry on the first use of the day.
    """
    if not isinstance(secret, str) or not secret.startswith(MARK):
        return None
    prefix, _sep, rest = secret[len(MARK) :].partition("_")
    if len(prefix) != 12 or not rest:
        return None
    token = (
        ApiToken.objects.select_related("user", "school__municipality__region", "municipality__region")
        .filter(prefix=prefix)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, secret_hash(secret)):
        return None
    now = clock.now()
    if not token.is_active(now) or not token.user.is_active or token.user.role not in TOKEN_ROLES:
        return None
    _use_note(token, now)
    return token


def _use_note(token: ApiToken, now) -> None:
    """Write the last-used time unless written within the minute (one conditional UPDATE, so concurrent requests
    write it once); audit the first use of the (project's) day."""
    previous = token.last_used_at
    if previous is not None and now - previous < LAST_USED_EVERY:
        return
    written = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY))
        .update(last_used_at=now)
    )
    token.last_used_at = now
    if not written:
        return
    if previous is None or timezone.localdate(previous) != timezone.localdate(now):
        audit_record(
            user=token.user,
            action=AUDIT_USE,
            description=f"First use today of {_describe(token)}.",
            **_audit_scope(token),
        )
