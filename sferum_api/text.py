"""Read a message text in memory only: its length, whether it is emoji-only, a keyed hash."""

from __future__ import annotations

import hmac
import re
import unicodedata

_WORD = re.compile(r"\w", re.UNICODE)
_SPACES = re.compile(r"\s+")


def is_emoji_only(text: str) -> bool:
    """Return True when the text has symbols (emoji) but no letters, digits or punctuation words."""
    stripped = "".join(text.split())
    if not stripped:
        return False
    for char in stripped:
        category = unicodedata.category(char)
        if category in ("So", "Sk", "Mn", "Me", "Cf") or char in "\u200d\ufe0f":
            continue
        return False
    return True


_CACHED_BELOW = 0x20000  # the Basic and Supplementary Multilingual Planes: every script and emoji in use


class _Punctuation(dict):
    """A `str.translate` table that drops punctuation: a code point's category is looked up once, then cached
    (below _CACHED_BELOW only, so that no text can grow the table past a bounded size)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)).startswith("P") else code
        if code < _CACHED_BELOW:
            self[code] = value
        return value


_NO_PUNCTUATION = _Punctuation()


def normalize_text(text: str) -> str:
    """Return the form two near-duplicate texts share: case-folded, ё → е, spaces collapsed, no punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _SPACES.sub(" ", text.translate(_NO_PUNCTUATION)).strip()


def text_digest(text: str, *, key: bytes) -> tuple[int, bool, str]:
    """Return (length, emoji_only, keyed hash) of a message text; the text goes no further."""
    text = text or ""
    if not text.strip():
        return len(text), False, ""
    digest = hmac.digest(key, normalize_text(text).encode("utf-8"), "sha256").hex()
    return len(text), is_emoji_only(text), digest
