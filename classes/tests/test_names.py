"""Name normalisation and matching shared with account linking; probable matches for reconciliation only."""

from datetime import date

import pytest

from classes.names import PersonName
from classes.names import candidates_narrow
from classes.names import name_key
from classes.names import normalize_name_part
from classes.names import one_letter_apart
from classes.names import probable_index_keys
from classes.names import probable_lookup_keys
from classes.names import probable_match_note


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Фёдоров", "федоров"),  # ё → е
        ("ФЁДОРОВ", "федоров"),  # case
        ("Cмирнов", "смирнов"),  # a Latin C typed on an English keyboard
        ("Aлексеева", "алексеева"),  # Latin A
        ("Kopoтков", "коротков"),  # Latin K, o, p
        ("Yрбанович", "урбанович"),  # Latin Y looks like У
        ("Петрова-Водкина", "петрова водкина"),  # a double surname with a hyphen
        ("Петрова – Водкина", "петрова водкина"),  # with an en dash and spaces
        ("  Петрова   Водкина ", "петрова водкина"),  # with spaces
    ],
)
def test_a_name_part_is_normalised_for_comparison(written, expected):
    # when
    normalised = normalize_name_part(written)
    # then
    assert normalised == expected


def test_the_key_ignores_the_patronymic_and_joins_spellings_of_one_name():
    # given
    roster = ("Фёдорова-Шульц", "Алёна")
    seen = ("Федорова Шульц", "Aлена")
    # when / then
    assert name_key(*roster) == name_key(*seen) == ("федорова шульц", "алена")


@pytest.mark.parametrize(
    ("first", "second", "apart"),
    [
        ("смирнов", "смернов", True),  # one letter changed
        ("смирнов", "смирнова", True),  # one letter added
        ("смирнов", "смирно", True),  # one letter dropped
        ("тарасов", "таарсов", True),  # two neighbours swapped
        ("смирнов", "смирнов", False),  # equal is a match, not a probable one
        ("смирнов", "семенов", False),  # two letters
        ("ян", "ан", False),  # too short to tell
        ("тарасов", "тасаров", False),  # swapped letters that are not neighbours
    ],
)
def test_one_letter_apart(first, second, apart):
    assert one_letter_apart(first, second) is apart


def test_a_typo_in_the_last_name_is_a_probable_match_showing_the_difference():
    # given
    roster = PersonName("Смирнов", "Пётр", "Алексеевич")
    seen = PersonName("Смернов", "Петр")
    # when
    note = probable_match_note(roster, seen)
    # then
    assert note == "Смирнов ≠ Смернов"


def test_a_typo_in_the_first_name_is_a_probable_match():
    assert probable_match_note(PersonName("Орлова", "Дарья"), PersonName("Орлова", "Дария")) == "Дарья ≠ Дария"


def test_part_of_a_double_surname_is_a_probable_match():
    # given: the roster has the double surname, the platform only one part of it
    roster = PersonName("Римская-Корсакова", "Анна")
    # when / then
    assert probable_match_note(roster, PersonName("Корсакова", "Анна")) == "Римская-Корсакова ≠ Корсакова"
    assert (
        probable_match_note(roster, PersonName("Корсакова Римская", "Анна")) == "Римская-Корсакова ≠ Корсакова Римская"
    )


def test_last_and_first_name_swapped_is_a_probable_match():
    assert probable_match_note(PersonName("Смирнов", "Пётр"), PersonName("Пётр", "Смирнов")) == (
        "Смирнов Пётр ≠ Пётр Смирнов"
    )


@pytest.mark.parametrize(
    ("roster", "seen"),
    [
        (PersonName("Смирнов", "Пётр"), PersonName("Смирнов", "Петр")),  # equal after ё → е: a match
        (PersonName("Смирнов", "Пётр"), PersonName("Семёнов", "Пётр")),  # two letters off
        (PersonName("Смирнов", "Пётр"), PersonName("Смернов", "Павел")),  # both parts differ
        (PersonName("Иванова", "Аня"), PersonName("Иванова", "Яна")),  # different names
    ],
)
def test_names_that_are_not_probably_one_person(roster, seen):
    assert probable_match_note(roster, seen) is None


def test_the_lookup_keys_find_every_probable_match_filed_under_the_index_keys():
    # given
    roster = PersonName("Смирнов", "Пётр")
    candidates = [PersonName("Смернов", "Петр"), PersonName("Смирнов", "Пeтp"), PersonName("Пётр", "Смирнов")]
    # when
    index = {key for candidate in candidates for key in probable_index_keys(candidate.last_name, candidate.first_name)}
    # then
    assert set(probable_lookup_keys(roster.last_name, roster.first_name)) & index


def test_birth_dates_break_a_tie_between_namesakes_where_both_sides_know_them():
    # given: two Кузнецов Илья, born on different days
    first = PersonName("Кузнецов", "Илья", birth_date=date(2015, 3, 12))
    second = PersonName("Кузнецов", "Илья", birth_date=date(2015, 9, 1))
    seen = PersonName("Кузнецов", "Илья", birth_date=date(2015, 9, 1))
    # when
    narrowed = candidates_narrow(seen, [first, second])
    # then
    assert narrowed == [second]


def test_an_unknown_birth_date_never_decides():
    # given
    first = PersonName("Кузнецов", "Илья", birth_date=date(2015, 3, 12))
    second = PersonName("Кузнецов", "Илья")
    seen = PersonName("Кузнецов", "Илья", birth_date=date(2015, 9, 1))
    # when / then
    assert candidates_narrow(seen, [first, second]) == [second]
    assert candidates_narrow(PersonName("Кузнецов", "Илья"), [first, second]) == [first, second]


def test_twins_share_a_birth_date_so_only_the_patronymic_could_tell_them_apart_and_it_does_not():
    # given: twins, same birth date, same patronymic
    born = date(2015, 3, 12)
    twins = [PersonName("Волков", "Илья", "Петрович", born), PersonName("Волков", "Илья", "Петрович", born)]
    # when / then
    assert candidates_narrow(PersonName("Волков", "Илья", birth_date=born), twins) == twins


def test_a_patronymic_breaks_a_tie_only_where_both_sides_have_one():
    # given
    people = [PersonName("Смирнов", "Пётр", "Алексеевич"), PersonName("Смирнов", "Пётр", "Игоревич")]
    # when / then
    assert candidates_narrow(PersonName("Смирнов", "Петр", "Игоревич"), people) == [people[1]]
    assert candidates_narrow(PersonName("Смирнов", "Петр"), people) == people  # a missing patronymic: no tie-break
