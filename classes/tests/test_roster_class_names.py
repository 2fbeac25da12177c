import pytest

from classes import models
from classes.class_names import CLASS_LETTERS
from classes.class_names import class_name_format
from classes.class_names import parse_class_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5А", (5, "А")),
        ("5 а", (5, "А")),
        ("5-А", (5, "А")),
        ("5 – А", (5, "А")),
        ("5 «А»", (5, "А")),
        ('5"А"', (5, "А")),
        ("5 'б'", (5, "Б")),
        ("5а класс", (5, "А")),
        ("5 А кл.", (5, "А")),
        ("  11Б  ", (11, "Б")),
        ("1в", (1, "В")),
        ("05Г", (5, "Г")),
        ("5A", (5, "А")),  # Latin A
        ("7c", (7, "С")),  # Latin c
        ("10 E", (10, "Е")),  # Latin E
        ("9/Д", (9, "Д")),
    ],
)
def test_class_names_are_normalised(text, expected):
    # when
    parsed = parse_class_name(text)
    # then
    assert parsed == expected


@pytest.mark.parametrize(
    "text",
    ["12Я", "0А", "5", "А", "5АБ", "5Ё", "5Й", "5Ы", "5Ъ", "пятый А", "5 Q", "", "   ", "5А 6Б", "-5А"],
)
def test_other_texts_are_not_class_names(text):
    assert parse_class_name(text) is None


def test_a_parsed_name_formats_back():
    assert class_name_format(*parse_class_name("11 «в» класс")) == "11В"


def test_class_letters_agree_with_the_model():
    assert CLASS_LETTERS == models.CLASS_LETTERS
