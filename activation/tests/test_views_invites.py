"""Invite links in the pages: pasting, replacing, expiring, and the public short URL `i/<key>/`."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from activation.invites import invite_link_create
from activation.models import InviteLink
from activation.tests.scenario import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

MOSCOW = ZoneInfo("Europe/Moscow")


def paste(client, world, user=None, **data):
    client.force_login(user or world.teacher)
    payload = {"audience": "students", "url": "https://sferum.ru/?invite=abc", "expires_on": "2026-11-25", **data}
    return client.post(reverse("invite-create", kwargs={"class_id": world.school_class.pk}), payload)


def test_the_class_teacher_pastes_a_link_and_gets_a_short_url_to_copy(client, world):
    # when
    response = paste(client, world)
    # then
    assert response.status_code == 302
    link = InviteLink.objects.get()
    assert link.expires_at == datetime(2026, 11, 26, tzinfo=MOSCOW)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f"http://testserver/i/{link.key}/" in html
    assert "data-copy=" in html  # the copy button (shown by the inline script)
    assert 'readonly value="http://testserver/i/' in html  # the selectable fallback
    assert reverse("invite-expire", kwargs={"class_id": world.school_class.pk, "link_id": link.pk}) in html


def test_a_link_that_is_not_https_is_refused_with_a_sentence(client, world):
    # when
    response = paste(client, world, url="http://sferum.ru/?invite=abc")
    # then
    assert response.status_code == 400
    assert "starts with https://" in response.content.decode()
    assert not InviteLink.objects.exists()


def test_a_day_in_the_past_is_refused(client, world):
    response = paste(client, world, expires_on="2026-11-01")
    assert response.status_code == 400
    assert "cannot expire in the past" in response.content.decode()


def test_an_unknown_audience_is_not_found(client, world):
    response = paste(client, world, audience="staff")
    assert response.status_code == 404
    assert not InviteLink.objects.exists()


def test_expiring_a_link_makes_its_short_url_say_so(client, world):
    # given
    paste(client, world)
    link = InviteLink.objects.get()
    # when
    response = client.post(reverse("invite-expire", kwargs={"class_id": world.school_class.pk, "link_id": link.pk}))
    # then
    assert response.status_code == 302
    client.logout()
    dead = client.get(reverse("invite-open", kwargs={"key": link.key}))
    assert dead.status_code == 410
    assert "has expired" in dead.content.decode()
    assert "5А" in dead.content.decode()


def test_the_short_url_sends_anyone_to_the_sferum_link_while_it_is_current(client, world):
    # given
    link = invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="parents", url="https://sferum.ru/?invite=p"
    )
    # when
    response = client.get(reverse("invite-open", kwargs={"key": link.key}))
    # then
    assert response.status_code == 302
    assert response["Location"] == "https://sferum.ru/?invite=p"
    assert "no-store" in response["Cache-Control"]


def test_the_short_url_of_a_link_past_its_day_has_expired(client, world, clock):
    # given
    link = invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="parents", url="https://sferum.ru/?invite=p"
    )
    clock.move_to(datetime(2026, 12, 1, tzinfo=MOSCOW))
    # when
    response = client.get(reverse("invite-open", kwargs={"key": link.key}))
    # then
    assert response.status_code == 410
    assert "sferum.ru/?invite" not in response.content.decode()


@pytest.mark.parametrize("key", ["a" * 32, "too-short"])
def test_an_unknown_short_url_is_not_found(client, world, key):
    response = client.get(reverse("invite-open", kwargs={"key": key}))
    assert response.status_code == 404
    assert "Unknown invite link" in response.content.decode()


def test_the_short_url_page_query_count_is_one(client, world, django_assert_num_queries):
    link = invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="parents", url="https://sferum.ru/?invite=p"
    )
    with django_assert_num_queries(1):
        client.get(reverse("invite-open", kwargs={"key": link.key}))


@pytest.mark.parametrize(
    "url",
    [
        "https://vk.me/join/abc",
        "https://web.vk.me/join/abc",
        "https://vk.com/join/abc",
        "https://sferum.ru/?invite=abc",
        "https://web.sferum.ru/?invite=abc",
        "https://max.ru/join/abc",
    ],
)
def test_the_short_url_sends_to_the_platforms_hosts(client, world, url):
    # given
    link = invite_link_create(by=world.teacher, school_class=world.school_class, audience="parents", url=url)
    # when
    response = client.get(reverse("invite-open", kwargs={"key": link.key}))
    # then
    assert (response.status_code, response["Location"]) == (302, url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/?invite=abc",
        "https://sferum.ru.evil.example/join",
        "https://evilsferum.ru/join",
        "https://evil.example\\@sferum.ru/join",
        "https://evil.example\\.sferum.ru/join",  # urlsplit's host ends in .sferum.ru; a browser goes to evil.example
    ],
)
def test_a_stored_link_to_another_host_is_not_followed(client, world, url):
    # given: a link stored before hosts were checked
    link = invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="parents", url="https://sferum.ru/?invite=p"
    )
    InviteLink.objects.filter(pk=link.pk).update(url=url)
    # when
    response = client.get(reverse("invite-open", kwargs={"key": link.key}))
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "Location" not in response
    assert "does not lead to Sferum or MAX" in body
    assert "evil" not in body


def test_pasting_a_link_to_another_host_is_refused_with_a_sentence(client, world):
    # when
    response = paste(client, world, url="https://evil.example/?invite=abc")
    # then
    assert response.status_code == 400
    assert "is not a Sferum or MAX address" in response.content.decode()
    assert not InviteLink.objects.exists()


def test_the_refusal_names_the_allowed_hosts_in_russian(client, world, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    settings.INVITE_LINK_HOSTS = ["sferum.ru", "max.ru"]
    # when
    response = paste(client, world, url="https://evil.example/?invite=abc")
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "не адрес Сферума или MAX" in body
    assert "Принимаются ссылки этих сайтов: sferum.ru, max.ru." in body
    assert not InviteLink.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://sferum.ru/?invite=abc",
        "https://web.sferum.ru/?invite=abc",
        "https://vk.me/join/abc",
        "https://web.vk.me/join/abc",
        "https://vk.com/join/abc",
        "https://vk.ru/join/abc",
        "https://max.ru/join/abc",
    ],
)
def test_pasting_a_link_of_each_platform_host_is_accepted(client, world, url):
    # when
    response = paste(client, world, url=url)
    # then
    assert response.status_code == 302
    assert InviteLink.objects.get().url == url


@pytest.mark.parametrize("url", ["http://sferum.ru/?invite=abc", "https://max.ru.evil.example/join/abc"])
def test_pasting_a_look_alike_of_a_platform_link_is_refused(client, world, url):
    # when
    response = paste(client, world, url=url)
    # then
    assert response.status_code == 400
    assert not InviteLink.objects.exists()
