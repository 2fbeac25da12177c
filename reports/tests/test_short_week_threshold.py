"""A short week (holidays) asks for fewer messages: ceil(threshold × school days ÷ 5), a school setting on by
default (issue 12, item 8), shown with its reason."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from activation.tests.scenario import NOW
from activation.tests.scenario import page_get
from activation.tests.scenario import world_build
from classes.calendar import week_threshold
from classes.models import Holiday
from classes.tests.factories import AcademicYearFactory
from reports.models import WeeklyActivity
from reports.tests.test_weekly_activity import TUESDAY_9_UTC
from reports.tests.test_weekly_activity import build
from reports.tests.test_weekly_activity import entry
from reports.tests.test_weekly_activity import send
from reports.tests.test_weekly_activity import teacher_in_one_chat
from reports.week_status import threshold_note

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("threshold", "days", "scaled", "expected"),
    [(3, 5, True, 3), (3, 3, True, 2), (3, 3, False, 3), (3, 1, True, 1), (5, 4, True, 4), (3, 0, True, 3)],
)
def test_the_weeks_threshold(threshold, days, scaled, expected):
    assert week_threshold(threshold=threshold, school_days=days, scaled=scaled) == expected


def school_with_holiday_days(holiday_days: int, **school_fields):
    """A school whose week W47 (16–20 November 2026) has `holiday_days` holidays from Monday on."""
    school, chat, teacher = teacher_in_one_chat(**school_fields)
    year = AcademicYearFactory(school=school)
    if holiday_days:
        Holiday.objects.create(
            year=year, name="каникулы", starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 15 + holiday_days)
        )
    return school, chat, teacher


@pytest.mark.parametrize(
    ("holiday_days", "threshold", "status", "note"),
    [
        (0, 3, "inactive", ""),  # a full week asks for three
        (2, 2, "active", "порог 2 вместо 3: 3 учебных дня"),  # Monday and Tuesday are holidays: two
    ],
)
def test_a_week_asks_for_its_school_days_share_of_the_threshold(holiday_days, threshold, status, note):
    # given: two messages on Thursday
    school, chat, (staff, account) = school_with_holiday_days(holiday_days)
    send(chat, account, TUESDAY_9_UTC.replace(day=19), count=2)
    # when
    week = build(school)
    # then
    assert week.threshold == threshold
    assert entry(week, staff).status == status
    with translation.override("ru"):
        assert week.threshold_note == note


def test_with_the_setting_off_a_short_week_asks_for_the_full_threshold():
    # given
    school, chat, (staff, account) = school_with_holiday_days(2)
    school.municipality.short_week_scaling = False
    school.municipality.save(update_fields=["short_week_scaling"])
    send(chat, account, TUESDAY_9_UTC.replace(day=19), count=2)
    # when
    week = build(school)
    # then
    assert week.threshold == 3
    assert entry(week, staff).status == "inactive"


def test_the_school_overrides_the_municipalitys_setting():
    # given
    school, _chat, _teacher = school_with_holiday_days(2, short_week_scaling=False)
    # when
    week = build(school)
    # then
    assert week.threshold == 3


def test_the_note_speaks_russian_with_agreement():
    with translation.override("ru"):
        assert threshold_note(threshold=1, full=3, school_days=1) == "порог 1 вместо 3: 1 учебный день"
        assert threshold_note(threshold=2, full=3, school_days=3) == "порог 2 вместо 3: 3 учебных дня"
        assert threshold_note(threshold=3, full=3, school_days=5) == ""


@pytest.mark.clock(NOW)
def test_the_activity_pages_show_the_lower_threshold_with_its_reason(client, settings):
    # given: holidays on Monday and Tuesday of 2026-W46 (the last complete week) and of 2026-W47 (this week)
    settings.LANGUAGE_CODE = "ru"
    world = world_build()
    year = world.school_class.year
    for first, last in ((date(2026, 11, 9), date(2026, 11, 10)), (date(2026, 11, 16), date(2026, 11, 17))):
        Holiday.objects.create(year=year, name=f"каникулы {first:%d.%m}", starts_on=first, ends_on=last)
    # when
    own = page_get(client, world.teacher, "teacher-activity")
    school = page_get(client, world.school_admin, "school-teacher-activity", school_id=world.school.pk)
    # then
    assert own.context["rows"][0].threshold == 2
    assert "порог 2 вместо 3: 3 учебных дня" in own.content.decode()
    assert "порог 2 вместо 3: 3 учебных дня" in school.content.decode()


@pytest.mark.clock(NOW)
def test_an_absence_recorded_after_the_week_was_stored_excuses_the_teacher_there(
    client, django_capture_on_commit_callbacks
):
    # given: 2026-W46 is stored with the class teacher inactive (no messages)
    world = world_build()
    staff = world.teacher.staff
    build(world.school, week=date(2026, 11, 9))
    before = WeeklyActivity.objects.get(staff=staff, week_start=date(2026, 11, 9)).status
    client.force_login(world.school_admin)
    url = reverse("school-calendar-create", kwargs={"school_id": world.school.pk, "kind": "absence"})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"staff": staff.pk, "kind": "sick", "starts_on": "2026-11-09", "ends_on": "2026-11-13"})
    # then
    assert before == "inactive"
    assert WeeklyActivity.objects.get(staff=staff, week_start=date(2026, 11, 9)).status == "excused"
