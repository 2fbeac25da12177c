"""Releasing a sync hold that ends more than half of the memberships needs their number typed (issue 12, item 13)."""

from unittest import mock

import pytest
from django.urls import reverse

from chats.models import SyncRun
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.tests.scenario import NOW
from classes.tests.scenario import school_admin

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def held(client):
    """A held run of a school with 2 current memberships; 40 removals held."""
    data = school_build()
    run = sync_runs_add(data.school)[1]
    client.force_login(school_admin(data.school))
    return run


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    """Post the confirmation of the run; return the page it leads to and the mocked queueing."""

    def post(run, **data):
        with (
            mock.patch("chats.sync_start.sync_held_confirm_task.delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(reverse("sync-confirm", kwargs={"run_id": run.pk}), data, follow=True)
        return response, delay

    return post


def test_the_sync_log_asks_for_the_number(client, held):
    html = client.get(reverse("sync-list", kwargs={"school_id": held.school_id})).content.decode()
    assert 'name="removals_typed"' in html


@pytest.mark.parametrize("typed", [None, "39", "abc"])
def test_a_wrong_number_queues_nothing(confirm, held, settings, typed):
    # given
    settings.LANGUAGE_CODE = "ru"
    # when
    response, delay = confirm(held, **({"removals_typed": typed} if typed else {}))
    # then
    delay.assert_not_called()
    held.refresh_from_db()
    assert held.status == SyncRun.Status.HELD and held.confirmed_at is None
    assert "Ничего не подтверждено" in response.content.decode() or typed == "abc"


def test_the_right_number_queues_the_release(confirm, held):
    response, delay = confirm(held, removals_typed="40")
    delay.assert_called_once()
    assert "The removals are confirmed" in response.content.decode()


def test_below_half_no_number_is_needed(client, confirm, held):
    # given: 1 of 2 memberships would end
    SyncRun.objects.filter(pk=held.pk).update(held_removals=1)
    # when
    page = client.get(reverse("sync-list", kwargs={"school_id": held.school_id})).content.decode()
    _response, delay = confirm(held)
    # then
    assert 'name="removals_typed"' not in page
    delay.assert_called_once()
