from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import Municipality
from classes.models import Quarter
from classes.models import School
from classes.services import academic_year_create_default
from classes.services import academic_year_current
from classes.services import school_create
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolFactory

# A school day in October, in English.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.clock("2026-10-05T09:00:00+03:00"),
    pytest.mark.usefixtures("english"),
]

NAME = "Муниципальное автономное общеобразовательное учреждение «Средняя общеобразовательная школа № 17»"


def test_a_new_school_gets_the_default_municipality_and_the_current_academic_year():
    # when
    school, created = school_create(code="SCH-017", name=NAME)
    # then
    assert created is True
    assert (school.full_name, school.short_name, school.timezone) == (NAME, NAME, "Europe/Moscow")
    assert (school.municipality.code, school.municipality.name) == ("default", "Муниципалитет")
    year = AcademicYear.objects.get(school=school)
    assert (year.name, year.starts_on, year.ends_on) == ("2026/2027", date(2026, 9, 1), date(2027, 8, 31))
    assert list(year.quarters.values_list("number", "starts_on", "ends_on")) == [
        (1, date(2026, 9, 1), date(2026, 10, 24)),
        (2, date(2026, 11, 5), date(2026, 12, 28)),
        (3, date(2027, 1, 12), date(2027, 3, 20)),
        (4, date(2027, 3, 30), date(2027, 5, 26)),
    ]
    assert list(year.holidays.values_list("name", "starts_on", "ends_on")) == [
        ("осенние каникулы", date(2026, 10, 25), date(2026, 11, 3)),
        ("зимние каникулы", date(2026, 12, 29), date(2027, 1, 11)),
        ("весенние каникулы", date(2027, 3, 21), date(2027, 3, 29)),
        ("летние каникулы", date(2027, 5, 27), date(2027, 8, 31)),
    ]


def test_school_create_is_idempotent():
    # given
    school_create(code="SCH-017", name=NAME, municipality="Город Энск", timezone="Asia/Omsk")
    before = [
        list(model.objects.order_by("pk").values()) for model in (Municipality, School, AcademicYear, Quarter, Holiday)
    ]
    # when
    _school, created = school_create(code="SCH-017", name=NAME, municipality="Город Энск", timezone="Asia/Omsk")
    # then
    assert created is False
    after = [
        list(model.objects.order_by("pk").values()) for model in (Municipality, School, AcademicYear, Quarter, Holiday)
    ]
    assert after == before


def test_school_create_updates_name_municipality_and_time_zone():
    # given
    old, _created = school_create(code="SCH-017", name="СОШ № 17")
    region = MunicipalityFactory(code="ensk", name="Город Энск")
    # when: the municipality by its code; then by its name
    school, created = school_create(code="SCH-017", name=NAME, municipality="ensk", timezone="Asia/Yekaterinburg")
    again, _created = school_create(code="SCH-017", name=NAME, municipality="Город Энск")
    # then
    assert created is False
    assert school.pk == old.pk == again.pk
    school.refresh_from_db()
    assert (school.full_name, school.short_name, school.municipality, school.timezone) == (
        NAME,
        NAME,
        region,
        "Asia/Yekaterinburg",
    )
    assert Municipality.objects.count() == 2  # the default one of the first call, and «Город Энск»


def test_a_short_name_set_by_an_administrator_is_kept():
    school, _created = school_create(code="SCH-017", name="СОШ № 17")
    School.objects.filter(pk=school.pk).update(short_name="Школа 17")
    school_create(code="SCH-017", name=NAME)
    school.refresh_from_db()
    assert (school.full_name, school.short_name) == (NAME, "Школа 17")


def test_a_missing_municipality_is_created_from_its_name():
    school, _created = school_create(code="SCH-017", name=NAME, municipality="Городской округ Энск")
    assert (school.municipality.name, school.municipality.code) == ("Городской округ Энск", "городской-округ-энск")


def test_a_bad_time_zone_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as error:
        school_create(code="SCH-017", name=NAME, timezone="Europe/Moskva")
    assert error.value.messages == ["«Europe/Moskva» is not a time zone; use a name like Europe/Moscow."]
    assert not School.objects.exists()
    assert not Municipality.objects.exists()


@pytest.mark.parametrize(
    ("on", "name"),
    [
        (date(2026, 9, 1), "2026/2027"),
        (date(2026, 12, 31), "2026/2027"),
        (date(2027, 1, 1), "2026/2027"),
        (date(2027, 6, 15), "2026/2027"),
        (date(2027, 8, 31), "2026/2027"),
        (date(2027, 9, 1), "2027/2028"),
    ],
)
def test_the_academic_year_runs_from_september_to_august(on, name):
    # given
    school = SchoolFactory()
    # when
    year = academic_year_create_default(school=school, on=on)
    # then
    assert year.name == name
    assert year.contains(on)
    assert (year.quarters.count(), year.holidays.count()) == (4, 4)


def test_academic_year_current_finds_an_edited_year_or_creates_the_default():
    # given: an administrator's year that starts on 2 September
    school = SchoolFactory()
    edited = AcademicYearFactory(school=school, name="2026/2027", starts_on=date(2026, 9, 2), ends_on=date(2027, 8, 31))
    # when
    current = academic_year_current(school=school, on=date(2026, 10, 5))
    next_year = academic_year_current(school=school, on=date(2027, 9, 1))
    # then
    assert current == edited
    assert next_year.name == "2027/2028"
    assert academic_year_current(school=school, on=date(2027, 10, 1)) == next_year
    assert AcademicYear.objects.filter(school=school).count() == 2


def test_the_command_creates_then_updates():
    # when
    first, second = StringIO(), StringIO()
    call_command("school_create", "--code", "SCH-017", "--name", "СОШ № 17", "--municipality", "ensk", stdout=first)
    call_command("school_create", "--code", "SCH-017", "--name", "СОШ № 17", stdout=second)
    # then
    assert first.getvalue() == "Created school SCH-017: СОШ № 17 (municipality: ensk).\n"
    assert second.getvalue() == "School SCH-017 is up to date: СОШ № 17 (municipality: ensk).\n"
    assert School.objects.get().municipality.code == "ensk"


def test_the_command_exits_1_on_a_bad_time_zone():
    with pytest.raises(CommandError) as error:
        call_command("school_create", "--code", "SCH-017", "--name", NAME, "--timezone", "Mars/Olympus")
    assert error.value.returncode == 1
    assert str(error.value) == "«Mars/Olympus» is not a time zone; use a name like Europe/Moscow."
