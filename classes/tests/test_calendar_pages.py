"""The school calendar pages (issue 12, item 8): staff absences, holidays and quarters, listed and edited by the
school administrator; every denial; the Russian errors of wrong dates; constant query counts."""

from datetime import date

import pytest
from django.urls import reverse

from classes.models import Holiday
from classes.models import Quarter
from classes.models import StaffAbsence
from classes.tests.factories import StaffAbsenceFactory
from classes.tests.factories import StaffFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import assert_school_page_denials
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def data():
    return school_build()


def page(data) -> str:
    return reverse("school-calendar", kwargs={"school_id": data.school.pk})


def create_url(data, kind: str) -> str:
    return reverse("school-calendar-create", kwargs={"school_id": data.school.pk, "kind": kind})


def absence_data(staff, **fields) -> dict:
    return {"staff": staff.pk, "kind": "sick", "starts_on": "2026-11-16", "ends_on": "2026-11-20", **fields}


def test_the_administrator_records_an_absence_from_the_page(client, data):
    # given
    staff = data.teachers[0]
    client.force_login(school_admin(data.school))
    # when
    response = client.post(create_url(data, "absence"), absence_data(staff, kind="course"), follow=True)
    # then
    absence = StaffAbsence.objects.get()
    assert (absence.staff, absence.kind, absence.starts_on, absence.ends_on) == (
        staff,
        "course",
        date(2026, 11, 16),
        date(2026, 11, 20),
    )
    assert staff.full_name in response.content.decode()


def test_the_administrator_records_holidays_and_a_quarter(client, data):
    # given
    client.force_login(school_admin(data.school))
    # when
    client.post(
        create_url(data, "holiday"),
        {"year": data.year.pk, "name": "осенние", "starts_on": "2026-10-26", "ends_on": "2026-11-03"},
    )
    client.post(
        create_url(data, "quarter"),
        {"year": data.year.pk, "number": 1, "starts_on": "2026-09-01", "ends_on": "2026-10-25"},
    )
    # then
    assert Holiday.objects.get().name == "осенние"
    assert Quarter.objects.get().number == 1


def test_an_entry_is_changed_and_deleted(client, data):
    # given
    absence = StaffAbsenceFactory(staff=data.teachers[0])
    client.force_login(school_admin(data.school))
    kwargs = {"school_id": data.school.pk, "kind": "absence", "pk": absence.pk}
    # when
    client.post(reverse("school-calendar-update", kwargs=kwargs), absence_data(absence.staff, ends_on="2026-11-27"))
    absence.refresh_from_db()
    changed = absence.ends_on
    client.post(reverse("school-calendar-delete", kwargs=kwargs))
    # then
    assert changed == date(2026, 11, 27)
    assert not StaffAbsence.objects.exists()


@pytest.mark.parametrize("kind", ["", "absence", "holiday", "quarter"])
def test_the_page_and_forms_deny_every_other_login(client, data, kind):
    url = create_url(data, kind) if kind else page(data)
    assert_school_page_denials(client, url, data=data, other=school_build())


def test_the_municipal_administrator_reads_but_does_not_write(client, data):
    # given
    client.force_login(municipal_admin(data.school.municipality))
    # when
    html = client.get(page(data)).content.decode()
    response = client.post(create_url(data, "absence"), absence_data(data.teachers[0]))
    # then
    assert create_url(data, "absence") not in html
    assert response.status_code == 403
    assert not StaffAbsence.objects.exists()


def test_another_schools_entry_and_staff_are_out_of_reach(client, data):
    # given
    other = school_build()
    foreign = StaffAbsenceFactory(staff=other.teachers[0])
    client.force_login(school_admin(data.school))
    kwargs = {"school_id": data.school.pk, "kind": "absence", "pk": foreign.pk}
    # when
    update = client.get(reverse("school-calendar-update", kwargs=kwargs))
    delete = client.post(reverse("school-calendar-delete", kwargs=kwargs))
    create = client.post(create_url(data, "absence"), absence_data(other.teachers[1]))
    # then
    assert (update.status_code, delete.status_code, create.status_code) == (404, 404, 200)
    assert list(StaffAbsence.objects.all()) == [foreign]


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("absence", {"starts_on": "2026-11-20", "ends_on": "2026-11-16"}, "Последний день раньше первого"),
        ("holiday", {"starts_on": "2026-11-03", "ends_on": "2026-10-26"}, "Последний день раньше первого"),
        ("holiday", {"starts_on": "2027-08-25", "ends_on": "2027-09-05"}, "выходят за учебный год"),
        ("quarter", {"number": 2, "starts_on": "2026-10-20", "ends_on": "2026-12-28"}, "пересекаются с 1-й четвертью"),
        ("quarter", {"number": 1, "starts_on": "2026-11-05", "ends_on": "2026-12-28"}, "уже есть 1-я четверть"),
    ],
)
def test_wrong_dates_are_refused_with_a_russian_sentence(client, data, settings, kind, fields, message):
    # given
    settings.LANGUAGE_CODE = "ru"
    Quarter.objects.create(year=data.year, number=1, starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 24))
    client.force_login(school_admin(data.school))
    base = {
        "absence": absence_data(data.teachers[0]),
        "holiday": {"year": data.year.pk, "name": "каникулы"},
        "quarter": {"year": data.year.pk},
    }[kind]
    # when
    response = client.post(create_url(data, kind), {**base, **fields})
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffAbsence.objects.exists() and not Holiday.objects.exists()
    assert Quarter.objects.count() == 1


def test_an_overlapping_absence_of_the_same_person_is_refused(client, data, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    StaffAbsenceFactory(staff=data.teachers[0])
    client.force_login(school_admin(data.school))
    # when
    response = client.post(create_url(data, "absence"), absence_data(data.teachers[0], starts_on="2026-11-18"))
    # then
    assert "уже отсутствует" in response.content.decode()
    assert StaffAbsence.objects.count() == 1


def test_the_page_takes_the_same_queries_for_few_and_many_entries(client, data, django_assert_num_queries):
    # given
    client.force_login(school_admin(data.school))
    StaffAbsenceFactory(staff=data.teachers[0])

    def grow():
        for day in range(1, 20):
            StaffAbsenceFactory(
                staff=StaffFactory(school=data.school), starts_on=date(2026, 12, day), ends_on=date(2026, 12, day)
            )
            Holiday.objects.create(
                year=data.year, name=f"день {day}", starts_on=date(2027, 1, day), ends_on=date(2027, 1, day)
            )

    # when / then
    assert_constant_queries(client, page(data), grow, django_assert_num_queries)


def test_the_school_navigation_links_to_the_calendar(client, data):
    client.force_login(school_admin(data.school))
    html = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk})).content.decode()
    assert page(data) in html


@pytest.mark.parametrize(("value", "stored"), [("off", False), ("on", True), ("", None)])
def test_the_short_week_setting_is_edited_in_the_school_profile(client, data, value, stored):
    # given
    client.force_login(school_admin(data.school))
    url = reverse("school-profile", kwargs={"school_id": data.school.pk})
    form = {"full_name": "МАОУ СОШ № 7", "short_name": "СОШ № 7", "timezone": "Europe/Moscow"}
    # when
    page_html = client.get(url).content.decode()
    response = client.post(url, {**form, "short_week_scaling": value})
    # then
    assert 'name="short_week_scaling"' in page_html
    assert response.status_code == 302
    data.school.refresh_from_db()
    assert data.school.short_week_scaling is stored
    assert data.school.effective_short_week_scaling is (True if stored is None else stored)
