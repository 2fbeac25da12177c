"""rows_upsert: insert new rows, update the named fields of rows whose unique key is stored (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from classes.bulk_update import rows_upsert
from classes.models import Region
from classes.models import Staff
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

AWKWARD = 'Кавычка " и обратная черта \\ {скобки}, запятая, NULL'


def test_rows_upsert_inserts_new_rows_and_updates_only_the_named_fields_of_stored_ones():
    # given: one stored staff member; a second one is new
    school = SchoolFactory()
    stored = StaffFactory(school=school, person_id="S-1", last_name="Старая", first_name="Анна", teaches=True)
    fields = ["school", "person_id", "last_name", "first_name", "employed_from", "employed_to", "teaches"]
    fields += ["patronymic", "phone", "email", "position"]  # no Django default is applied: every column is named
    rows = [
        (school.pk, "S-1", AWKWARD, "Изменённое имя", date(2024, 9, 1), date(2026, 12, 31), False, "", "", "", ""),
        (school.pk, "S-2", "Новая", "Вера", date(2025, 1, 9), None, True, "", "", "", ""),
    ]
    # when
    updated = ["last_name", "employed_to", "teaches"]
    sent = rows_upsert(Staff, fields, rows, unique_fields=["school", "person_id"], update_fields=updated)
    # then: the stored row keeps the fields not named, takes the named ones; the new row is whole
    assert sent == 2
    stored.refresh_from_db()
    assert (stored.last_name, stored.first_name, stored.employed_to, stored.teaches) == (
        AWKWARD,
        "Анна",
        date(2026, 12, 31),
        False,
    )
    new = Staff.objects.get(school=school, person_id="S-2")
    assert (new.last_name, new.first_name, new.employed_from, new.employed_to, new.teaches) == (
        "Новая",
        "Вера",
        date(2025, 1, 9),
        None,
        True,
    )


def test_rows_upsert_writes_decimals_exactly_and_in_chunks(monkeypatch):
    # given: more regions than one chunk holds
    monkeypatch.setattr("classes.bulk_update.UPSERT_CHUNK", 2)
    others = [f for f in Region._meta.concrete_fields if f.name not in {"id", "code", "name", "students_target"}]
    fields = ["code", "name", "students_target", *(f.name for f in others)]
    defaults = tuple(f.get_default() for f in others)
    rows = [(f"R-{index}", f"Регион {index}", Decimal(f"0.87{index}5"), *defaults) for index in range(5)]
    # when
    rows_upsert(Region, fields, rows, unique_fields=["code"], update_fields=["name"])
    # then
    assert list(Region.objects.order_by("code").values_list("code", "students_target")) == [
        (row[0], row[2]) for row in rows
    ]


def test_rows_upsert_of_no_rows_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_upsert(Region, ["code"], [], unique_fields=["code"], update_fields=["code"]) == 0
