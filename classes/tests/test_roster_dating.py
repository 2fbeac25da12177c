"""Since when people count (DESIGN.md): the first roster from the year's start or the file's days, later imports
from the import day or --as-of; the saved column mapping on the command line; the upload page's as-of field."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from classes.models import Enrollment
from classes.models import RosterImport
from classes.models import RosterMapping
from classes.models import RosterUpload
from classes.models import Staff
from classes.models import Student
from classes.models import User
from classes.roster.dating import RosterDateError
from classes.roster.dating import roster_as_of_check
from classes.roster.importer import roster_import
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from classes.tests.roster_files import roster_import_command

NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)  # Thursday, 12:00 in Moscow
TODAY = date(2026, 11, 19)
YEAR_START = date(2026, 9, 1)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW), pytest.mark.usefixtures("english")]

FIRST = """Роль;Идентификатор;ФИО;Класс;Классный руководитель
учитель;T-1;Иванова Мария Петровна;;5А
учитель;T-2;Петров Иван Сергеевич;;
ученик;S-1;Смирнов Пётр Алексеевич;5А;
ученик;S-2;Орлова Анна Дмитриевна;5А;
"""


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def later(text: str, *rows: str) -> bytes:
    return csv(text + "".join(row + "\n" for row in rows))


# ----- the first roster -------------------------------------------------------------------------------------


def test_people_on_the_first_roster_count_from_the_start_of_the_academic_year():
    # given
    school = SchoolFactory()
    # when: the school's first roster is imported mid-year, on a Thursday
    result = roster_import(school=school, content=csv(FIRST), filename="r.csv")
    # then
    assert result.status == "ok"
    assert set(Staff.objects.values_list("employed_from", flat=True)) == {YEAR_START}
    assert set(Enrollment.objects.values_list("starts_on", flat=True)) == {YEAR_START}


def test_a_first_roster_may_give_the_days_in_employed_from_and_enrolled_from():
    # given: Russian headers, both date formats, an enrollment day before the year and an empty day
    content = csv(
        "Роль;Идентификатор;ФИО;Класс;Работает с;Зачислен с\n"
        "учитель;T-1;Иванова Мария Петровна;;2015-09-01;\n"
        "учитель;T-2;Петров Иван Сергеевич;;02.10.2026;\n"
        "ученик;S-1;Смирнов Пётр Алексеевич;5А;;14.10.2026\n"
        "ученик;S-2;Орлова Анна Дмитриевна;5А;;2019-09-01\n"
        "ученик;S-3;Волков Дмитрий Игоревич;5А;;\n"
    )
    school = SchoolFactory()
    # when
    result = roster_import(school=school, content=content, filename="r.csv")
    # then: employment keeps the file's day; an enrollment in this year's class starts no earlier than the year
    assert result.status == "ok", result.errors
    assert dict(Staff.objects.values_list("person_id", "employed_from")) == {
        "T-1": date(2015, 9, 1),
        "T-2": date(2026, 10, 2),
    }
    assert dict(Enrollment.objects.values_list("student__person_id", "starts_on")) == {
        "S-1": date(2026, 10, 14),
        "S-2": YEAR_START,
        "S-3": YEAR_START,
    }


def test_english_headers_for_the_days_work_too():
    content = csv(
        "role,person_id,full_name,class,employed_from,enrolled_from\n"
        "staff,T-1,Иванова Мария Петровна,,2026-09-15,\n"
        "student,S-1,Смирнов Пётр Алексеевич,5А,,2026-10-01\n"
    )
    roster_import(school=SchoolFactory(), content=content, filename="r.csv")
    assert Staff.objects.get().employed_from == date(2026, 9, 15)
    assert Enrollment.objects.get().starts_on == date(2026, 10, 1)


def test_a_day_after_the_import_or_not_a_date_is_a_row_error_and_nothing_is_written():
    # given
    content = csv(
        "Роль;Идентификатор;ФИО;Класс;Работает с;Зачислен с\n"
        "учитель;T-1;Иванова Мария Петровна;;2026-12-01;\n"
        "ученик;S-1;Смирнов Пётр Алексеевич;5А;;вчера\n"
    )
    # when
    result = roster_import(school=SchoolFactory(), content=content, filename="r.csv")
    # then
    assert result.status == "failed"
    assert [(e.row, e.column) for e in result.errors] == [(3, "Зачислен с")]  # a bad date first, then the rest
    content = content.replace("вчера".encode(), b"2026-10-01")
    result = roster_import(school=SchoolFactory(), content=content, filename="r.csv")
    assert result.status == "failed"
    assert [(e.row, e.column) for e in result.errors] == [(2, "Работает с")]
    assert "2026-12-01 is after the day of this import (2026-11-19)" in result.errors[0].message
    assert not Staff.objects.exists() and not Student.objects.exists()


# ----- later imports ----------------------------------------------------------------------------------------


def test_later_arrivals_and_departures_count_from_the_import_day_or_the_as_of_day():
    # given
    school = SchoolFactory()
    roster_import(school=school, content=csv(FIRST), filename="r.csv")
    # when: a student arrives and a teacher leaves, in a file that shows the school on 16 November
    content = later(FIRST.replace("учитель;T-2;Петров Иван Сергеевич;;\n", ""), "ученик;S-3;Волков Дмитрий;5А;")
    result = roster_import(
        school=school, content=content, filename="r.csv", on=date(2026, 11, 16), confirm_removals=True
    )
    # then
    assert result.status == "ok"
    assert Enrollment.objects.get(student__person_id="S-3").starts_on == date(2026, 11, 16)
    assert Staff.objects.get(person_id="T-2").employed_to == date(2026, 11, 15)
    assert Staff.objects.get(person_id="T-1").employed_from == YEAR_START


def test_a_later_import_without_as_of_dates_arrivals_from_today():
    school = SchoolFactory()
    roster_import(school=school, content=csv(FIRST), filename="r.csv")
    roster_import(school=school, content=later(FIRST, "ученик;S-3;Волков Дмитрий;5А;"), filename="r.csv")
    assert Enrollment.objects.get(student__person_id="S-3").starts_on == TODAY


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 11, 20), "The day 2026-11-20 is in the future; give the day the file shows, 2026-11-19 at"),
        (date(2026, 8, 31), "The day 2026-08-31 is before the current academic year, which began on 2026-09-01"),
    ],
)
def test_an_as_of_day_in_the_future_or_before_the_year_is_refused(day, words):
    with pytest.raises(RosterDateError) as error:
        roster_as_of_check(school=SchoolFactory(), as_of=day)
    assert words in str(error.value)
    assert str(error.value).endswith(".")


def test_the_first_and_last_allowed_as_of_days():
    school = SchoolFactory()
    assert roster_as_of_check(school=school, as_of=YEAR_START) == YEAR_START
    assert roster_as_of_check(school=school, as_of=TODAY) == TODAY


# ----- the command ------------------------------------------------------------------------------------------


def test_the_command_dates_arrivals_from_as_of(tmp_path):
    # given
    school = SchoolFactory(code="SCH-1")
    roster_import(school=school, content=csv(FIRST), filename="r.csv")
    path = tmp_path / "r.csv"
    path.write_bytes(later(FIRST, "ученик;S-3;Волков Дмитрий;5А;"))
    # when
    code, stdout, _stderr = roster_import_command("--school", "SCH-1", str(path), "--as-of", "2026-11-10", "--json")
    # then
    assert code == 0
    assert json.loads(stdout)["students"]["added"] == 1
    assert Enrollment.objects.get(student__person_id="S-3").starts_on == date(2026, 11, 10)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2026-11-20", "is in the future"),
        ("2025-11-10", "is before the current academic year"),
        ("10.11.2026", "«10.11.2026» is not a day; write it as YYYY-MM-DD"),
    ],
)
def test_the_command_refuses_a_bad_as_of_with_exit_1_and_a_failed_json(tmp_path, value, words):
    # given
    SchoolFactory(code="SCH-1")
    path = tmp_path / "r.csv"
    path.write_bytes(csv(FIRST))
    # when
    code, stdout, stderr = roster_import_command("--school", "SCH-1", str(path), "--as-of", value, "--json")
    # then
    assert code == 1
    assert words in stderr
    data = json.loads(stdout)
    assert data["status"] == "failed" and words in data["errors"][0]["message"]
    assert not RosterImport.objects.exists() and not Staff.objects.exists()


def test_the_command_uses_the_saved_mapping_when_no_map_is_given(tmp_path):
    # given: the upload page saved «Ф.И.О. ученика» as full_name for the school
    school = SchoolFactory(code="SCH-1")
    RosterMapping.objects.create(school=school, mapping={"Ф.И.О. ученика": "full_name"})
    path = tmp_path / "r.csv"
    path.write_bytes(csv(FIRST.replace("ФИО", "Ф.И.О. ученика")))
    # when
    code, stdout, _stderr = roster_import_command("--school", "SCH-1", str(path), "--json")
    # then
    assert code == 0, stdout
    assert Student.objects.get(person_id="S-1").full_name == "Смирнов Пётр Алексеевич"


def test_a_map_on_the_command_line_replaces_the_saved_mapping(tmp_path):
    school = SchoolFactory(code="SCH-1")
    RosterMapping.objects.create(school=school, mapping={"Ф.И.О. ученика": "last_name"})
    path = tmp_path / "r.csv"
    path.write_bytes(csv(FIRST.replace("ФИО", "Ф.И.О. ученика")))
    code, _stdout, _stderr = roster_import_command("--school", "SCH-1", str(path), "--map", "Ф.И.О. ученика=full_name")
    assert code == 0
    assert Student.objects.get(person_id="S-1").first_name == "Пётр"


def test_without_a_saved_mapping_an_unknown_header_still_needs_one(tmp_path):
    SchoolFactory(code="SCH-1")
    path = tmp_path / "r.csv"
    path.write_bytes(csv(FIRST.replace("ФИО", "Ф.И.О. ученика")))
    code, _stdout, _stderr = roster_import_command("--school", "SCH-1", str(path))
    assert code == 1
    assert not Student.objects.exists()


# ----- the upload page --------------------------------------------------------------------------------------


def page_import(client, school, content: bytes, **data):
    admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=school)
    client.force_login(admin)
    client.post(
        reverse("roster-upload", kwargs={"school_id": school.pk}),
        {"file": SimpleUploadedFile("r.csv", content, content_type="text/csv")},
    )
    uploaded = RosterUpload.objects.latest("pk")
    url = reverse("roster-upload-import", kwargs={"school_id": school.pk, "upload_id": uploaded.pk})
    return client.post(url, data)


def test_the_upload_page_offers_the_as_of_day_and_dates_arrivals_from_it(client):
    # given
    school = SchoolFactory()
    roster_import(school=school, content=csv(FIRST), filename="r.csv")
    # when
    response = page_import(client, school, later(FIRST, "ученик;S-3;Волков Дмитрий;5А;"), as_of="2026-11-09")
    # then
    assert response.status_code == 302
    assert Enrollment.objects.get(student__person_id="S-3").starts_on == date(2026, 11, 9)
    preview = RosterUpload.objects.count()
    assert preview == 0


def test_the_preview_has_the_as_of_field(client):
    school = SchoolFactory()
    admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=school)
    client.force_login(admin)
    client.post(
        reverse("roster-upload", kwargs={"school_id": school.pk}),
        {"file": SimpleUploadedFile("r.csv", csv(FIRST), content_type="text/csv")},
    )
    uploaded = RosterUpload.objects.latest("pk")
    page = client.get(reverse("roster-upload-preview", kwargs={"school_id": school.pk, "upload_id": uploaded.pk}))
    assert 'name="as_of"' in page.content.decode()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2026-11-25", "is in the future"),
        ("2026-08-20", "is before the current academic year"),
        ("25 ноября", "write the day as YYYY-MM-DD"),
    ],
)
def test_the_upload_page_refuses_a_future_or_too_early_as_of_day_and_writes_nothing(client, value, words):
    # given
    school = SchoolFactory()
    roster_import(school=school, content=csv(FIRST), filename="r.csv")
    before = RosterImport.objects.count()
    # when
    response = page_import(client, school, later(FIRST, "ученик;S-3;Волков Дмитрий;5А;"), as_of=value)
    # then
    assert response.status_code == 302
    assert "preview" in response.url or "upload" in response.url
    sent = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(words in message for message in sent), sent
    assert not Student.objects.filter(person_id="S-3").exists()
    assert RosterImport.objects.count() == before
