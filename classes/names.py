"""Name normalisation and matching shared by roster matching and account linking (sferum-api.md).

Exact matching (account linking, reconciliation): two people agree when `name_key` agrees: last and first
name after normalisation (case-fold, ё → е, Latin look-alikes → Cyrillic, spaces and hyphens collapsed),
the patronymic ignored. Where a name fits several people, `candidates_narrow` breaks the tie with birth
dates and patronymics, each only where both sides have one.

Probable matching (reconciliation only, never linked automatically): `probable_match_note` says how two
names that are not equal probably are one person, like «Смирнов ≠ Смернов».
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from typing import TypeVar

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
        "y": "у",
    }
)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")
# A one-letter difference is only telling in a name part at least this long («Ян» and «Ан» are two names).
PROBABLE_MIN_LENGTH = 3


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


class Named(Protocol):
    """What the matching functions read of a person: the name parts and, if known, the birth date."""

    last_name: str
    first_name: str
    patronymic: str
    birth_date: date | None


@dataclass(frozen=True)
class PersonName:
    """A name as one side knows it; the platform side has no patronymic and usually no birth date."""

    last_name: str
    first_name: str
    patronymic: str = ""
    birth_date: date | None = None

    @property
    def key(self) -> tuple[str, str]:
        return name_key(self.last_name, self.first_name)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)


def birth_dates_agree(a: Named, b: Named) -> bool | None:
    """Return whether the birth dates are equal, or None when one side does not know its date."""
    if a.birth_date is None or b.birth_date is None:
        return None
    return a.birth_date == b.birth_date


def patronymics_agree(a: Named, b: Named) -> bool | None:
    """Return whether the patronymics are equal after normalisation, or None when one side has none."""
    first, second = normalize_name_part(a.patronymic), normalize_name_part(b.patronymic)
    if not first or not second:
        return None
    return first == second


T = TypeVar("T", bound=Named)


def candidates_narrow(person: Named, candidates: Sequence[T]) -> list[T]:
    """Return the candidates (people with the person's name key) that birth dates and patronymics leave.

    A candidate drops out only when both sides know the birth date (or the patronymic) and it differs: an
    unknown value never decides. Twins share a birth date, so only their first names tell them apart.
    """
    left = [candidate for candidate in candidates if birth_dates_agree(person, candidate) is not False]
    if len(left) > 1:
        left = [candidate for candidate in left if patronymics_agree(person, candidate) is not False]
    return left


def one_letter_apart(a: str, b: str) -> bool:
    """Return True when b is a with one letter changed, added or dropped, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < PROBABLE_MIN_LENGTH:
        return False
    if len(a) == len(b):
        diffs = [index for index, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return len(diffs) == 2 and second == first + 1 and a[first] == b[second] and a[second] == b[first]
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    for index, char in enumerate(shorter):
        if char != longer[index]:
            return shorter[index:] == longer[index + 1 :]
    return True  # the longer one has one more letter at the end


def _double_surname_parts(value: str) -> list[str]:
    return [part for part in normalize_name_part(value).split(" ") if part]


def probable_match_note(roster: Named, seen: Named) -> str | None:
    """Return how two different names are probably one person, like «Смирнов ≠ Смернов»; None if they are not.

    Probable: the first names agree and the last names are one letter apart or one is a part of the other's
    double surname («Петрова-Водкина ≠ Петрова»); or the last names agree and the first names are one letter
    apart; or last and first name are swapped. Names that agree exactly are a match, not a probable one.
    """
    roster_last, roster_first = name_key(roster.last_name, roster.first_name)
    seen_last, seen_first = name_key(seen.last_name, seen.first_name)
    if not (roster_last and roster_first and seen_last and seen_first):
        return None
    if (roster_last, roster_first) == (seen_last, seen_first):
        return None
    if roster_first == seen_first:
        if one_letter_apart(roster_last, seen_last):
            return f"{roster.last_name} ≠ {seen.last_name}"
        roster_parts = set(_double_surname_parts(roster.last_name))
        seen_parts = set(_double_surname_parts(seen.last_name))
        double = max(len(roster_parts), len(seen_parts)) > 1
        if double and (roster_parts <= seen_parts or seen_parts <= roster_parts):
            return f"{roster.last_name} ≠ {seen.last_name}"
        return None
    if roster_last == seen_last and one_letter_apart(roster_first, seen_first):
        return f"{roster.first_name} ≠ {seen.first_name}"
    if (roster_last, roster_first) == (seen_first, seen_last):
        return f"{roster.last_name} {roster.first_name} ≠ {seen.last_name} {seen.first_name}"
    return None


def probable_index_keys(last_name: str, first_name: str) -> tuple[tuple[str, str], ...]:
    """Return the keys to file a name under for probable matching: its last name and its first name."""
    last, first = name_key(last_name, first_name)
    return (("last", last), ("first", first))


def probable_lookup_keys(last_name: str, first_name: str) -> tuple[tuple[str, str], ...]:
    """Return the keys to look a name up by among names filed with `probable_index_keys`.

    Every probable match shares the last or the first name, or (swapped) has one in the other's place, so
    the lookup finds every candidate without comparing everyone with everyone.
    """
    last, first = name_key(last_name, first_name)
    return (("last", last), ("first", first), ("last", first), ("first", last))
