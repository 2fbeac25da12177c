"""Chat title → proposed kind and class ("Chats to classes" in sferum-api.md)."""

from datetime import date

import pytest

from chats.titles import class_token_find
from chats.titles import propose_mapping
from sferum_api.simulator import SimulatedSchool


@pytest.mark.parametrize(
    ("title", "is_channel", "expected"),
    [
        # students' chats: a class token alone or with «класс» / «ученики»
        ("5А", False, ("class", "5А")),
        ("5а", False, ("class", "5А")),
        ("5 а ученики", False, ("class", "5А")),
        ("5-А класс", False, ("class", "5А")),
        ("5 «А»", False, ("class", "5А")),
        ('5"А" класс', False, ("class", "5А")),
        ("Класс 11«В»", False, ("class", "11В")),
        ("10-в", False, ("class", "10В")),
        # Latin look-alike letters count as Cyrillic
        ("8B класс", False, ("class", "8В")),
        ("6A Родители", False, ("parents", "6А")),
        ("9 K", False, ("class", "9К")),
        # parents
        ("7Б Родители", False, ("parents", "7Б")),
        ("Родительский чат 5 «А»", False, ("parents", "5А")),
        ("Родители 2-В", False, ("parents", "2В")),
        ("Родительский комитет школы", False, ("parents", None)),
        # staff: no class token
        ("Педагоги СОШ", False, ("staff", None)),
        ("Педагоги СОШ № 15", False, ("staff", None)),
        ("Коллектив гимназии", False, ("staff", None)),
        ("Сотрудники", False, ("staff", None)),
        ("Учителя начальных классов", False, ("staff", None)),
        # channels
        ("МАОУ СОШ № 15 — новости", True, ("channel", None)),
        ("Новости 5А", True, ("channel", "5А")),
        # subjects: a class token with a subject
        ("7Б Математика", False, ("subject", "7Б")),
        ("9В Физика", False, ("subject", "9В")),
        ("Английский язык 10Б", False, ("subject", "10Б")),
        ("11 «А» История", False, ("subject", "11А")),
        ("Подготовка к ЕГЭ 11А", False, ("subject", "11А")),
        # school-wide and other
        ("Школьный спортивный клуб", False, ("school", None)),
        ("Администрация лицея", False, ("school", None)),
        ("Олимпиада 2026", False, ("other", None)),
        ("Совет старшеклассников", False, ("other", None)),
        ("1 сентября", False, ("other", None)),
        ("5А экскурсия в музей", False, ("other", "5А")),
        ("12А", False, ("other", None)),
        ("", False, ("other", None)),
    ],
)
def test_propose_mapping(title, is_channel, expected):
    assert propose_mapping(title, is_channel) == expected


@pytest.mark.parametrize(
    ("title", "token"),
    [("Чат 5-А", "5А"), ("в 2026 году", None), ("СОШ №15 а", None), ("3 «Г» класс", "3Г"), ("0А", None)],
)
def test_class_token_find(title, token):
    assert class_token_find(title) == token


def test_every_simulated_title_maps_to_what_the_simulator_meant():
    # given
    school = SimulatedSchool(seed=42, school_index=1, today=date(2026, 11, 30), hash_key=b"k")
    # when
    proposed = {chat.chat_id: propose_mapping(chat.title, chat.is_channel) for chat in school.chats}
    # then
    assert proposed == {chat.chat_id: (chat.kind, chat.class_name) for chat in school.chats}
