"""Russian done right: plural agreement, people's names instead of logins, no brackets inside brackets."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from activation.forms import InviteLinkForm
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.tests.factories import UserFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import school_admin
from reports.services import weekly_activity_ensure

PO = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RU_PLURALS = (
    '"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "\n'
    '"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"'
)


def test_the_russian_catalogue_declares_the_three_russian_plural_forms():
    assert RU_PLURALS in PO.read_text(encoding="utf-8").split("\n\n")[0]


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 класс"), (2, "2 класса"), (5, "5 классов"), (11, "11 классов"), (21, "21 класс"), (22, "22 класса")],
)
def test_classes_agree_with_their_number(count, expected):
    with translation.override("ru"):
        assert ngettext("%(n)s class", "%(n)s classes", count) % {"n": count} == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, "последний 1 день"), (3, "последние 3 дня"), (56, "последние 56 дней"), (21, "последний 21 день")],
)
def test_the_trend_chart_title_agrees_with_the_number_of_days(days, expected):
    with translation.override("ru"):
        title = ngettext(
            "Activation of %(school)s, the last %(days)d day", "Activation of %(school)s, the last %(days)d days", days
        ) % {"school": "СОШ № 1", "days": days}
    assert title == f"Активация: СОШ № 1, {expected}"


@pytest.mark.parametrize(("weeks", "expected"), [(1, "1 неделя"), (2, "2 недели"), (8, "8 недель")])
def test_the_computed_weeks_agree_with_their_number(weeks, expected):
    with translation.override("ru"):
        text = ngettext(
            "%(count)d week of teacher activity was computed.",
            "%(count)d weeks of teacher activity were computed.",
            weeks,
        ) % {"count": weeks}
    assert expected in text and "недель активности: " not in text


@pytest.mark.django_db
@pytest.mark.clock(NOW)
def test_the_dashboard_chart_title_is_not_abbreviated(client, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    page = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk})).content.decode()
    # then
    assert f"Активация: {data.school.short_name}, последние 56 дней" in page
    assert "дн.</title>" not in page


@pytest.mark.django_db
@pytest.mark.clock(NOW)
def test_the_sync_page_names_the_person_who_confirmed_a_run_not_their_login(client, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    data = school_build()
    admin = school_admin(data.school, username="zavuch42", first_name="Ольга", last_name="Завучева")
    run = sync_runs_add(data.school, held=1)[-1]
    run.confirmed_by, run.confirmed_at = admin, NOW - timedelta(hours=1)
    run.save(update_fields=["confirmed_by", "confirmed_at"])
    client.force_login(admin)
    # when
    page = client.get(reverse("sync-list", kwargs={"school_id": data.school.pk})).content.decode()
    # then
    assert "Ольга Завучева" in page
    assert "zavuch42" not in page


def test_a_person_is_named_by_their_full_name_and_by_the_login_only_without_one():
    assert UserFactory.build(username="zavuch42", first_name="Ольга", last_name="Завучева").display_name() == (
        "Ольга Завучева"
    )
    assert UserFactory.build(username="zavuch42").display_name() == "zavuch42"


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _nested_brackets(text: str) -> list[str]:
    found, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
            if depth == 2:
                found.append(text[start : index + 40])
        elif char == ")" and depth:
            depth -= 1
    return found


@pytest.mark.django_db
@pytest.mark.clock(NOW)
def test_the_main_pages_put_no_brackets_inside_brackets(client, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    data = school_build(classes=2)
    weekly_activity_ensure(school=data.school, weeks=8)
    client.force_login(school_admin(data.school))
    school = {"school_id": data.school.pk}
    for name in ("school-dashboard", "class-list", "school-teacher-activity", "reconciliation", "roster-changes"):
        # when
        page = client.get(reverse(name, kwargs=school)).content.decode()
        # then
        assert _nested_brackets(_visible_text(page)) == [], name


def test_the_invite_link_help_agrees_with_its_days():
    # when
    with translation.override("ru"):
        help_text = str(InviteLinkForm(audience="parents", tz="Europe/Moscow").fields["expires_on"].help_text)
    # then
    assert help_text == (
        "Срок действия ссылок Сферума ограничен; по умолчанию эта ссылка действует 7 дней. Самое большее — 90 дней."
    )
