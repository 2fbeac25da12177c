"""Integration tokens, encrypted at rest with SFERUM_TOKEN_KEY (Fernet). Never logged or printed."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


class TokenKeyError(ImproperlyConfigured):
    """The token key is missing or cannot decrypt a stored token."""


def _fernet() -> Fernet:
    key = settings.SFERUM_TOKEN_KEY
    if not key:
        if not getattr(settings, "SFERUM_TOKEN_KEY_DEV_FALLBACK", False):
            raise TokenKeyError(
                _("SFERUM_TOKEN_KEY is not set; set it to a Fernet key before storing a token (see README).")
            )
        # Development only: a key derived from the secret key, so the demo needs no setup.
        key = base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest()).decode()
    try:
        return Fernet(key)
    except ValueError:
        raise TokenKeyError(_("SFERUM_TOKEN_KEY is not a valid Fernet key; make one as the README says.")) from None


def token_encrypt(token: str) -> str:
    """Return the token encrypted for storage."""
    return _fernet().encrypt(token.encode()).decode()


def token_decrypt(ciphertext: str) -> str:
    """Return the stored token in clear, for the one request that needs it."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise TokenKeyError(
            _("The stored token cannot be decrypted with SFERUM_TOKEN_KEY; connect the school again.")
        ) from None
