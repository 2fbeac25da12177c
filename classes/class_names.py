"""Class names like «5А»: parse what people type (roster files, chat titles) into a grade and a letter.

Django-free, so the Sferum adapter and the chat-title matcher can use it too.
"""

from __future__ import annotations

import re
import unicodedata

# The letters a class may have (classes.models validates SchoolClass.letter with these).
CLASS_LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"
MIN_GRADE = 1
MAX_GRADE = 11

# Latin capitals that look like Cyrillic ones (5A typed on an English keyboard is 5А).
_LATIN_LOOKALIKES = str.maketrans(
    {
        "A": "А",
        "B": "В",
        "C": "С",
        "E": "Е",
        "H": "Н",
        "K": "К",
        "M": "М",
        "O": "О",
        "P": "Р",
        "T": "Т",
        "X": "Х",
        "Y": "У",
    }
)
_CLASS_WORD = re.compile(r"\s*(класс|кл\.?)\s*$", re.IGNORECASE)
_CLASS_NAME = re.compile(
    r"""^
    (?P<grade>\d{1,2})
    \s*[-‐‑‒–—/]?\s*
    [«"'“”„‘’]?\s*
    (?P<letter>[^\W\d_])
    \s*[»"'“”‘’]?
    $""",
    re.VERBOSE,
)


def parse_class_name(text: str) -> tuple[int, str] | None:
    """Return (grade, letter) of a class name like «5А», «5 а», «5-А», «5 "А"», «5а класс»; None if it is not one.

    The grade is 1–11; the letter is one Cyrillic capital from CLASS_LETTERS (a Latin look-alike such as
    the A of «5A» is read as Cyrillic).
    """
    value = unicodedata.normalize("NFKC", text or "").strip()
    value = _CLASS_WORD.sub("", value).strip()
    match = _CLASS_NAME.match(value)
    if match is None:
        return None
    grade = int(match["grade"])
    letter = match["letter"].upper().translate(_LATIN_LOOKALIKES)
    if not MIN_GRADE <= grade <= MAX_GRADE or letter not in CLASS_LETTERS:
        return None
    return grade, letter


def class_name_format(grade: int, letter: str) -> str:
    """Return the canonical name of a class, like «5А»."""
    return f"{grade}{letter}"
