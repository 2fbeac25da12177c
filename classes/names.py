"""Name normalisation shared by roster matching and account linking (sferum-api.md)."""

from __future__ import annotations

import re
import unicodedata

# Latin letters that look like Cyrillic ones, as people type them by mistake.
LATIN_LOOKALIKES = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "н",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
    }
)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")


def normalize_name_part(value: str) -> str:
    """Return a name part normalised for comparison.

    Case-fold, ё → е, Latin look-alikes → Cyrillic, spaces and hyphens collapsed
    (a double surname «Петрова-Водкина» equals «Петрова Водкина»).
    """
    value = unicodedata.normalize("NFC", value or "").casefold()
    value = value.replace("ё", "е").translate(LATIN_LOOKALIKES)
    return _SEPARATORS.sub(" ", value).strip()


def name_key(last_name: str, first_name: str) -> tuple[str, str]:
    """Return the key two people share when their names agree (the patronymic is ignored)."""
    return normalize_name_part(last_name), normalize_name_part(first_name)
