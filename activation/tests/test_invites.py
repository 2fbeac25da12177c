"""Invite links: keys, expiry, replacing and expiring, who may, and the precise errors of a key."""

from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError

from activation.invites import InviteKeyError
from activation.invites import invite_link_create
from activation.invites import invite_link_expire
from activation.invites import invite_link_from_key
from activation.invites import invite_qr_svg
from activation.models import InviteLink
from activation.models import invite_key_new
from activation.tests.factories import InviteLinkFactory
from activation.tests.scenario import NOW
from classes.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

MOSCOW = ZoneInfo("Europe/Moscow")
URL = "https://sferum.ru/?invite=abc123"


def create(world, by=None, audience="students", url=URL, **kwargs) -> InviteLink:
    return invite_link_create(
        by=by or world.teacher, school_class=world.school_class, audience=audience, url=url, **kwargs
    )


def test_a_key_has_at_least_120_random_bits():
    keys = {invite_key_new() for _ in range(200)}
    assert len(keys) == 200
    assert all(len(key) == 32 for key in keys)  # 24 bytes = 192 bits, URL-safe base64


def test_the_class_teacher_creates_a_link_that_works_for_seven_days_by_default(world):
    # when
    link = create(world)
    # then
    assert link.created_by == world.teacher
    assert link.expires_at == datetime(2026, 11, 26, 0, 0, tzinfo=MOSCOW)  # the end of 25 November
    assert invite_link_from_key(key=link.key) == link


def test_a_chosen_day_expires_at_its_end_in_the_school_time_zone(world):
    # given
    world.school.timezone = "Asia/Yekaterinburg"
    world.school.save(update_fields=["timezone"])
    # when
    link = create(world, expires_on=date(2026, 11, 20))
    # then
    assert link.expires_at == datetime(2026, 11, 21, 0, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))


def test_a_new_link_replaces_the_current_one_of_the_audience_only(world):
    # given
    first = create(world)
    parents = create(world, audience="parents", url="https://sferum.ru/?invite=parents")
    # when
    second = create(world, url="https://sferum.ru/?invite=second")
    # then
    first.refresh_from_db()
    assert first.expired_at is not None
    with pytest.raises(InviteKeyError) as error:
        invite_link_from_key(key=first.key)
    assert error.value.error_type == InviteKeyError.ErrorType.REVOKED
    assert invite_link_from_key(key=second.key) == second
    assert invite_link_from_key(key=parents.key) == parents


def test_the_school_administrator_may_create_and_expire_a_link(world):
    # when
    link = create(world, by=world.school_admin)
    invite_link_expire(by=world.school_admin, link=link)
    # then
    link.refresh_from_db()
    assert link.expired_at is not None


@pytest.mark.parametrize(
    "actor", ["subject_teacher", "other_teacher", "foreign_teacher", "foreign_admin", "municipal_admin"]
)
def test_only_the_class_teacher_or_school_administrator_may_create_or_expire(world, actor):
    # given
    link = create(world)
    # when / then
    with pytest.raises(PermissionDenied):
        create(world, by=getattr(world, actor))
    with pytest.raises(PermissionDenied):
        invite_link_expire(by=getattr(world, actor), link=link)
    link.refresh_from_db()
    assert link.expired_at is None
    assert InviteLink.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://sferum.ru/?invite=abc",
        "javascript:alert(1)",
        "sferum.ru/?invite=abc",
        "https://user:secret@sferum.ru/?invite=abc",
        "",
    ],
)
def test_only_an_https_link_is_accepted(world, url):
    with pytest.raises(ValidationError) as error:
        create(world, url=url)
    assert "url" in error.value.message_dict
    assert not InviteLink.objects.exists()


@pytest.mark.parametrize("expires_on", [date(2026, 11, 17), date(2027, 2, 17)])
def test_the_expiry_is_today_or_later_and_within_90_days(world, expires_on):
    with pytest.raises(ValidationError) as error:
        create(world, expires_on=expires_on)
    assert "expires_on" in error.value.message_dict


def test_an_expired_link_says_it_has_expired(world, clock):
    # given
    link = create(world, expires_on=date(2026, 11, 18))
    # when
    clock.move_to(datetime(2026, 11, 19, 0, 0, 1, tzinfo=MOSCOW))
    # then
    with pytest.raises(InviteKeyError) as error:
        invite_link_from_key(key=link.key)
    assert error.value.error_type == InviteKeyError.ErrorType.EXPIRED
    assert error.value.link == link


@pytest.mark.parametrize(
    ("key", "error_type"),
    [
        ("a" * 32, InviteKeyError.ErrorType.UNKNOWN),
        ("short", InviteKeyError.ErrorType.MALFORMED),
        ("a" * 31 + "/", InviteKeyError.ErrorType.MALFORMED),
        ("", InviteKeyError.ErrorType.MALFORMED),
    ],
)
def test_an_unknown_or_malformed_key_is_told_apart(world, key, error_type):
    create(world)
    with pytest.raises(InviteKeyError) as error:
        invite_link_from_key(key=key)
    assert error.value.error_type == error_type
    assert error.value.link is None


def test_expiring_twice_keeps_the_first_time(world, clock):
    # given
    link = create(world)
    invite_link_expire(by=world.teacher, link=link)
    first = InviteLink.objects.get(pk=link.pk).expired_at
    # when
    clock.shift(timedelta(hours=1))
    invite_link_expire(by=world.teacher, link=link)
    # then
    assert InviteLink.objects.get(pk=link.pk).expired_at == first


def test_the_qr_code_is_an_inline_svg_with_a_title():
    svg = invite_qr_svg(url="https://dashboard.example.org/i/" + "a" * 32 + "/", title="Класс 5А <родители>")
    assert svg.startswith("<svg")
    assert "<title>Класс 5А &lt;родители&gt;</title>" in svg
    assert "http" not in svg.split("</title>", 1)[1]  # nothing loaded from elsewhere


def test_a_link_is_current_until_its_expiry_or_until_expired_by_hand():
    # given: one expiring at NOW + 1 hour, one without expiry, one expired by hand, one expired an hour ago
    expiry = NOW + timedelta(hours=1)
    expiring = InviteLinkFactory(expires_at=expiry)
    open_ = InviteLinkFactory(school_class=expiring.school_class, expires_at=None)
    by_hand = InviteLinkFactory(school_class=expiring.school_class, expires_at=None, expired_at=NOW)
    expired = InviteLinkFactory(school_class=expiring.school_class, expires_at=NOW - timedelta(hours=1))
    moments = [NOW, expiry - timedelta(microseconds=1), expiry]
    # when
    current = {now: set(InviteLink.objects.current(now)) for now in moments}
    # then: current strictly before the expiry
    assert current == {
        NOW: {expiring, open_},
        expiry - timedelta(microseconds=1): {expiring, open_},
        expiry: {open_},
    }
    for link in (expiring, open_, by_hand, expired):
        assert {now for now in moments if link.is_current(now)} == {now for now in moments if link in current[now]}


def test_setting_and_expiring_a_link_are_audited_without_its_address(world):
    # given
    link = create(world)
    # when
    invite_link_expire(by=world.teacher, link=link)
    invite_link_expire(by=world.teacher, link=link)
    # then
    entries = list(AuditEntry.objects.filter(action__startswith="invite.").order_by("pk"))
    assert [(e.action, e.user, e.school) for e in entries] == [
        ("invite.set", world.teacher, world.school_class.school),
        ("invite.expire", world.teacher, world.school_class.school),
    ]
    assert all("sferum.ru" not in e.description and "abc123" not in e.description for e in entries)


def test_a_refused_link_writes_no_entry(world):
    # when
    with pytest.raises(ValidationError):
        create(world, url="http://sferum.ru/?invite=abc123")
    # then
    assert not AuditEntry.objects.filter(action__startswith="invite.").exists()
