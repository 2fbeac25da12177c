"""No ISO week code (2026-W46) on the main pages: weeks read as people say them («9–15 ноября»)."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from chats.tests.scenario import school_build
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import QuarterFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from reports.services import weekly_activity_ensure
from reports.summaries import school_summaries_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


@pytest.fixture
def data():
    data = school_build(classes=2)
    weekly_activity_ensure(school=data.school, weeks=8)
    return data


def pages(data) -> dict:
    school = {"school_id": data.school.pk}
    admin, teacher = school_admin(data.school), teacher_user(data)
    return {
        "dashboard": (admin, reverse("school-dashboard", kwargs=school)),
        "classes table": (admin, reverse("class-list", kwargs=school)),
        "teacher activity": (admin, reverse("school-teacher-activity", kwargs=school)),
        "municipal overview": (municipal_admin(data.school.municipality), reverse("municipal-overview")),
        "teacher home": (teacher, reverse("teacher-home")),
        "teacher's weeks": (teacher, reverse("teacher-activity")),
    }


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_main_pages_carry_no_iso_week_code(client, settings, data, language):
    # given
    settings.LANGUAGE_CODE = language
    for name, (user, url) in pages(data).items():
        client.force_login(user)
        # when
        response = client.get(url)
        # then
        assert response.status_code == 200, name
        assert ISO_WEEK.findall(response.content.decode()) == [], name


def admin_page_in_russian(client, settings, data, name: str) -> str:
    settings.LANGUAGE_CODE = "ru"
    client.force_login(school_admin(data.school))
    return client.get(reverse(name, kwargs={"school_id": data.school.pk})).content.decode()


def test_the_dashboard_names_last_week_by_its_days(client, settings, data):
    # when: 19 November 2026, the last complete week is 9–15 November
    page = admin_page_in_russian(client, settings, data, "school-dashboard")
    # then
    assert "последняя полная неделя — 9–15 ноября" in page
    assert "Учителя ниже порога на неделе 9–15 ноября" in page


def test_the_teachers_activity_heads_its_columns_with_the_weeks(client, settings, data):
    # when
    page = admin_page_in_russian(client, settings, data, "school-teacher-activity")
    # then
    assert '<th scope="col" class="num">9–15 ноября</th>' in page
    assert '<th scope="col" class="num">19–25 октября</th>' in page
    assert ">9–15.11</text>" in page  # the chart's axis, short


def test_the_teacher_picks_a_week_by_its_monday(client, data):
    # given
    client.force_login(teacher_user(data))
    # when
    page = client.get(reverse("teacher-activity")).content.decode()
    chosen = client.get(reverse("teacher-activity"), {"week": "2026-11-12"})
    # then
    assert 'href="?week=2026-11-09#counted"' in page
    assert chosen.context["chosen"].week_start.isoformat() == "2026-11-09"


def test_the_admin_lists_weeks_and_quarters_as_people_say_them(client, data):
    # given
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    year = AcademicYearFactory(
        school=data.school, name="2030/2031", starts_on=date(2030, 9, 1), ends_on=date(2031, 5, 31)
    )
    quarter = QuarterFactory(year=year, number=2, starts_on=date(2030, 11, 5), ends_on=date(2030, 12, 28))
    # when
    weeks = client.get(reverse("admin:reports_weeklyactivity_changelist")).content.decode()
    # then
    assert "9–15 November" in weeks
    assert ISO_WEEK.findall(weeks) == []
    assert str(quarter) == "Quarter II 2030/31"


def test_the_other_pages_and_the_exports_carry_no_iso_week_code(client, data):
    # given
    school = {"school_id": data.school.pk}
    admin = school_admin(data.school)
    client.force_login(admin)
    school_class = data.classes[0]
    urls = [
        reverse(name, kwargs=school)
        for name in ("school-profile", "roster-changes", "chat-registry", "sync-list", "reconciliation", "staff-logins")
    ]
    urls.append(reverse("class-detail", kwargs={"class_id": school_class.pk}))
    urls += [
        reverse("school-classes-export", kwargs=school) + "?format=csv",
        reverse("teacher-activity-export", kwargs=school) + "?format=csv",
    ]
    for url in urls:
        # when
        response = client.get(url)
        # then
        assert response.status_code == 200, url
        assert ISO_WEEK.findall(response.content.decode("utf-8-sig")) == [], url
    # and the municipality's XLSX (of the figures the nightly job stored)
    school_summaries_build(schools=[data.school])
    client.force_login(municipal_admin(data.school.municipality))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("municipal-export") + "?format=xlsx").content))
    cells = [str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert cells and not any(ISO_WEEK.search(cell) for cell in cells)
    assert "9–15 November" in cells
