"""The progress of a sync on the sync page: queued at once, running with its counts, finished with its result."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from chats.models import Integration
from chats.models import SyncRun
from chats.services import school_sync_run
from chats.sync_runs import runs_release
from chats.tests.fakes import backend_three_chats
from chats.tests.scenario import school_build
from chats.tests.scenario import school_with_integration
from chats.tests.scenario import sync_runs_add
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import school_admin

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

POLLING = 'hx-trigger="every 2s"'


def progress_url(run: SyncRun) -> str:
    return reverse("sync-progress", kwargs={"run_id": run.pk})


def run_add(school, status: str, **fields) -> SyncRun:
    return SyncRun.objects.create(school=school, backend="simulator", status=status, started_at=NOW, **fields)


def test_sync_now_shows_the_queued_run_at_once_polling_itself(client):
    # given
    data = school_build()
    Integration.objects.create(school=data.school, backend="simulator")
    client.force_login(school_admin(data.school))
    # when
    with mock.patch("chats.sync_start.sync_school.delay_on_commit") as delay:
        response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}), follow=True)
    # then: the worker is handed this very run
    run = SyncRun.objects.get(school=data.school)
    delay.assert_called_once_with(data.school.pk, run.pk)
    html = response.content.decode()
    assert 'id="sync-progress"' in html and POLLING in html
    assert f'hx-get="{progress_url(run)}"' in html
    assert "waits for the background worker" in html


def test_a_second_sync_now_while_one_is_queued_queues_nothing_more(client):
    # given
    data = school_build()
    Integration.objects.create(school=data.school, backend="simulator")
    queued = run_add(data.school, SyncRun.Status.QUEUED)
    client.force_login(school_admin(data.school))
    # when
    with mock.patch("chats.sync_start.sync_school.delay_on_commit") as delay:
        response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}), follow=True)
    # then
    delay.assert_not_called()
    assert SyncRun.objects.filter(school=data.school).count() == 1
    assert "already under way" in response.content.decode()
    assert f'hx-get="{progress_url(queued)}"' in response.content.decode()


def test_the_progress_partial_shows_a_running_run_with_its_counts_and_keeps_polling(client):
    # given
    data = school_build()
    run = run_add(data.school, SyncRun.Status.RUNNING, chats_total=12, chats_done=5, messages_read=340)
    client.force_login(school_admin(data.school))
    # when
    html = client.get(progress_url(run)).content.decode()
    # then
    assert POLLING in html
    assert "Chats read: 5 of 12." in html and "340 messages read so far." in html
    assert '<progress max="12" value="5"' in html


@pytest.mark.parametrize(
    ("status", "fields", "shown"),
    [
        (
            SyncRun.Status.OK,
            {"counts": {"messages": {"added": 7}, "members": {"added": 2, "removed": 1}}},
            "7 messages",
        ),
        (SyncRun.Status.FAILED, {"error": "The platform did not answer."}, "The platform did not answer."),
        (SyncRun.Status.HELD, {"held_reason": "40 of 60 memberships would end."}, "40 of 60 memberships"),
    ],
)
def test_the_progress_partial_of_an_ended_run_shows_its_result_and_stops_polling(client, status, fields, shown):
    # given
    data = school_build()
    run = run_add(data.school, status, **fields)
    client.force_login(school_admin(data.school))
    # when
    html = client.get(progress_url(run)).content.decode()
    # then
    assert shown in html
    assert POLLING not in html and "hx-get" not in html


def test_the_progress_partial_query_count_does_not_grow(client, django_assert_num_queries):
    # given
    data = school_build()
    run = run_add(data.school, SyncRun.Status.RUNNING, chats_total=3)
    client.force_login(school_admin(data.school))

    def grow():
        sync_runs_add(data.school, held=5)
        SyncRun.objects.filter(pk=run.pk).update(chats_total=300, chats_done=150, messages_read=90_000)

    # when / then
    assert_constant_queries(client, progress_url(run), grow, django_assert_num_queries)


def test_another_schools_run_is_not_found(client):
    # given
    data, other = school_build(), school_build()
    run = run_add(other.school, SyncRun.Status.RUNNING)
    client.force_login(school_admin(data.school))
    # when / then
    assert client.get(progress_url(run)).status_code == 404


def test_the_sync_takes_over_the_queued_run_and_records_its_progress():
    # given
    data = school_build()
    queued = run_add(data.school, SyncRun.Status.QUEUED)
    # when
    run, result = school_sync_run(school=data.school, backend=backend_three_chats(), queued_id=queued.pk)
    # then: the same row ran and ended, with its chats and messages counted as it went
    assert run.pk == queued.pk and result.status == "ok"
    run.refresh_from_db()
    assert run.status == SyncRun.Status.OK and SyncRun.objects.count() == 1
    assert run.chats_total == 3
    assert run.chats_done >= 2 and run.messages_read >= 2


def test_a_queued_run_the_worker_never_took_fails_after_the_lock_timeout(settings):
    # given
    data = school_build()
    stale = run_add(data.school, SyncRun.Status.QUEUED)
    SyncRun.objects.filter(pk=stale.pk).update(
        started_at=NOW - timedelta(minutes=settings.SYNC_LOCK_TIMEOUT_MINUTES + 1)
    )
    fresh_school = school_build()
    fresh = run_add(fresh_school.school, SyncRun.Status.QUEUED)
    # when
    runs_release(school=data.school)
    runs_release(school=fresh_school.school)
    # then
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == SyncRun.Status.FAILED and "did not take the queued sync" in stale.error
    assert fresh.status == SyncRun.Status.QUEUED


def test_sync_now_run_by_the_worker_ends_on_the_queued_run_with_its_result(client, django_capture_on_commit_callbacks):
    # given: a school without chats yet, the simulator connected; the worker's task runs eagerly on commit
    school = school_with_integration()
    client.force_login(school_admin(school))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sync-now", kwargs={"school_id": school.pk}))
    # then: one run, the queued one, ended ok with its progress counted
    run = SyncRun.objects.get(school=school)
    assert response["Location"].endswith(f"?run={run.pk}")
    assert run.status == SyncRun.Status.OK
    assert run.chats_total > 50 and run.chats_done >= run.chats_total - 1 and run.messages_read > 1000
    html = client.get(response["Location"]).content.decode()
    assert "Finished:" in html and POLLING not in html
