"""The Russian catalogue: complete, compiled, and used."""

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_every_message_of_the_russian_catalogue_is_translated_and_none_is_fuzzy():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # the first entry is the header
    untranslated = [entry for entry in entries if re.search(r'^msgstr(\[\d\])? ""\n(?!")', entry + "\n", flags=re.M)]
    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    assert (untranslated, fuzzy) == ([], [])


def test_russian_is_what_the_pages_say():
    with translation.override("ru"):
        assert translation.gettext("Log in") == "Войти"
        assert translation.gettext("Dashboard") != "Dashboard"
