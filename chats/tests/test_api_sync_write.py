"""The sync's API (issue 14): a school administrator starts a sync or confirms a held one, each queued for the
worker after the transaction commits (202 with the run's address); the same checks as the sync page's buttons
(connected, one run at a time, only a held run confirmed); readers of the school 403, others 404."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client

from chats.models import Integration
from chats.models import SyncRun
from chats.tasks import sync_school
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW), pytest.mark.usefixtures("english")]
PROBLEM = "application/problem+json"


def start(client, school):
    return client.post(f"/api/v1/schools/{school.pk}/syncs/", HTTP_ACCEPT_LANGUAGE="en")


def confirm(client, run, **data):
    return client.post(
        f"/api/v1/sync-runs/{run.pk}/confirm/", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def data():
    data = school_build(municipality=MunicipalityFactory(region=RegionFactory()))
    Integration.objects.create(school=data.school, backend="simulator")
    return data


@pytest.fixture
def admin_client(client, data):
    client.force_login(school_admin(data.school))
    return client


def test_a_school_administrator_starts_a_sync_queued_after_the_commit(
    admin_client, data, django_capture_on_commit_callbacks
):
    # when
    with (
        mock.patch.object(sync_school, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = start(admin_client, data.school)
    # then
    run = SyncRun.objects.get(school=data.school)
    assert response.status_code == 202
    assert response["Location"] == f"/api/v1/sync-runs/{run.pk}/" == response.json()["url"]
    assert (run.status, response.json()["status"]) == ("queued", "queued")
    assert len(callbacks) == 1
    delay.assert_called_once_with(data.school.pk, run.pk)


def test_a_sync_already_under_way_is_a_conflict_naming_its_address(admin_client, data):
    # given
    first = start(admin_client, data.school)
    # when
    second = start(admin_client, data.school)
    # then
    assert (second.status_code, second["Content-Type"]) == (409, PROBLEM)
    assert first["Location"] in second.json()["detail"]
    assert SyncRun.objects.filter(school=data.school).count() == 1


def test_a_school_not_connected_to_sferum_is_a_conflict(admin_client, data):
    # given
    Integration.objects.filter(school=data.school).update(enabled=False)
    # when
    response = start(admin_client, data.school)
    # then
    assert response.status_code == 409
    assert response.json()["detail"] == "The school is not connected to Sferum; connect it first, then sync."
    assert not SyncRun.objects.exists()


def test_a_queue_that_refuses_the_task_ends_the_run_and_says_so(admin_client, data):
    # when
    with mock.patch.object(sync_school, "delay_on_commit", side_effect=FileNotFoundError("var/celery/queue")):
        response = start(admin_client, data.school)
    # then
    assert response.status_code == 503
    assert "The background queue cannot take the task (FileNotFoundError)" in response.json()["detail"]
    assert SyncRun.objects.get().status == "failed"


def test_confirming_a_held_sync_queues_a_new_run_with_its_removals_allowed(
    admin_client, data, django_capture_on_commit_callbacks
):
    # given: 40 removals held, more than half of the school's memberships
    held = sync_runs_add(data.school)[1]
    # when
    with (
        mock.patch("chats.sync_start.sync_held_confirm_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        untyped = confirm(admin_client, held)
        response = confirm(admin_client, held, removals_typed=40)
    # then
    queued = SyncRun.objects.get(status=SyncRun.Status.QUEUED)
    assert untyped.status_code == 400
    assert "type the number of memberships to end, 40" in untyped.json()["errors"]["removals_typed"][0]
    assert response.status_code == 202
    assert response["Location"] == f"/api/v1/sync-runs/{queued.pk}/"
    delay.assert_called_once_with(held.pk, response.wsgi_request.user.pk, queued.pk)


def test_confirming_a_run_that_is_not_held_is_a_conflict(admin_client, data):
    # given
    done = sync_runs_add(data.school, held=0)[0]
    # when
    response = confirm(admin_client, done)
    # then
    assert (response.status_code, response.json()["detail"]) == (409, "Only a held sync waits for confirmation.")
    assert SyncRun.objects.count() == 1


def test_readers_of_the_school_get_403_and_other_schools_404(client, data):
    # given
    other = school_build()
    Integration.objects.create(school=other.school, backend="simulator")
    held, other_held = sync_runs_add(data.school)[1], sync_runs_add(other.school)[1]
    municipality = data.school.municipality
    readers = [municipal_admin(municipality), regional_admin(municipality.region), teacher_user(data)]
    # when
    answers = []
    for reader in readers:
        client.force_login(reader)
        answers.append(
            (
                start(client, data.school).status_code,
                start(client, other.school).status_code,
                confirm(client, held, removals_typed=40).status_code,
                confirm(client, other_held, removals_typed=40).status_code,
            )
        )
    client.force_login(school_admin(data.school))
    foreign = (start(client, other.school).status_code, confirm(client, other_held, removals_typed=40).status_code)
    # then
    assert answers == [(403, 404, 403, 404)] * 3
    assert foreign == (404, 404)
    assert not SyncRun.objects.filter(status=SyncRun.Status.QUEUED).exists()


def test_a_session_post_without_the_csrf_token_is_refused(data):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin(data.school))
    # when
    response = start(client, data.school)
    # then
    assert response.status_code == 403
    assert not SyncRun.objects.exists()
