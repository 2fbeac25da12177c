"""Propose a chat's kind and class from its title ("Chats to classes" in sferum-api.md). Pure functions."""

from __future__ import annotations

import re
import unicodedata

from classes.class_names import class_name_format
from classes.class_names import parse_class_name

# A class token: a grade 1–11, then a letter (Cyrillic or a Latin look-alike), in forms like 5А, 5 а, 5-А,
# 5 «А», 5"А", 5а класс. No digit before the grade, no letter or digit right after the letter.
_TOKEN = re.compile(
    r"""(?<![\w])
    (?P<token>(?:1[01]|[1-9])
    \s*[-‐‑‒–—]?\s*
    [«"'“”„‘’]?\s*
    [А-ЯЁа-яёABCEHKMOPTXYabcehkmoptxy]
    \s*[»"'“”‘’]?)
    (?![\w])""",
    re.VERBOSE,
)
_PARENTS = re.compile(r"родител", re.IGNORECASE)
_STAFF = re.compile(r"учител|педагог|коллектив|сотрудник", re.IGNORECASE)
_SCHOOL = re.compile(
    r"школ|\bсош\b|\bоош\b|\bноош\b|гимнази|лице[йяю]|\bоо\b|администрац|\bдиректор|новости|объявлени",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"математ|алгебр|геометр|русск|литератур|физик|хими|биолог|истори|обществ|географ|информат|"
    r"английск|немецк|французск|китайск|иностран|музык|\bизо\b|искусств|технолог|физкульт|физическ|"
    r"\bобж\b|\bобзр\b|окружающ|чтени|астроном|эконом|\bправо\b|\bмхк\b|черчени|родн[оы][йг]|"
    r"\bегэ\b|\bогэ\b|\bвпр\b",
    re.IGNORECASE,
)
# Words a students' chat title may carry besides its class token.
_CLASS_WORDS = re.compile(
    r"\b(?:класс[а-я]*|кл|ученик[а-я]*|учащи[а-я]*|школьник[а-я]*|дет[иейям]*|ребят[а-я]*|чат|группа|беседа|"
    r"наш|наша|официальн[а-я]*|общий|общая|учебн[а-я]*|год[а]?|уч)\b",
    re.IGNORECASE,
)
_LEFTOVER = re.compile(r"[\W\d_]+", re.UNICODE)


def class_token_find(title: str) -> str | None:
    """Return the canonical name («5А») of the first class token in a title, or None."""
    text = unicodedata.normalize("NFKC", title or "")
    for match in _TOKEN.finditer(text):
        parsed = parse_class_name(match["token"])
        if parsed is not None:
            return class_name_format(*parsed)
    return None


def _only_class_words(title: str) -> bool:
    """Return True when nothing but a class token, "класс", "ученики" and the like is in the title."""
    text = _TOKEN.sub(" ", unicodedata.normalize("NFKC", title or ""))
    text = _CLASS_WORDS.sub(" ", text)
    return not _LEFTOVER.sub("", text)


def propose_mapping(title: str, is_channel: bool) -> tuple[str, str | None]:
    """Return the proposed (kind, class name or None) of a chat from its title.

    Kinds as chats.models.Chat.Kind: parents, staff, channel, subject, class, school, other.
    """
    class_name = class_token_find(title)
    if _PARENTS.search(title or ""):
        return "parents", class_name
    if _STAFF.search(title or "") and class_name is None:
        return "staff", None
    if is_channel:
        return "channel", class_name
    if class_name is not None:
        if _SUBJECT.search(title):
            return "subject", class_name
        if _only_class_words(title):
            return "class", class_name
        return "other", class_name
    if _SCHOOL.search(title or ""):
        return "school", None
    return "other", None
