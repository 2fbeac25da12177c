"""The sync page's buttons: end a stuck run (audited), and "Sync now" when the broker's folder is missing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse

from chats.models import Integration
from chats.models import SyncRun
from chats.tasks import sync_school
from chats.tests.scenario import school_build
from classes.models import AuditEntry
from classes.tests.scenario import NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from sferum_admin.celery import app as celery_app

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def stuck_run(school) -> SyncRun:
    return SyncRun.objects.create(
        school=school,
        backend="simulator",
        started_at=NOW - timedelta(minutes=40),
        worker_host="worker-3.example",
        worker_pid=4242,
    )


def end_url(run: SyncRun) -> str:
    return reverse("sync-end", kwargs={"run_id": run.pk})


# ----- ending a stuck run (issue 9.10) -------------------------------------------------------------------


def test_the_sync_page_shows_a_running_runs_worker_and_an_end_button(client):
    # given
    data = school_build()
    run = stuck_run(data.school)
    client.force_login(school_admin(data.school))
    # when
    page = client.get(reverse("sync-list", kwargs={"school_id": data.school.pk})).content.decode()
    # then
    assert "worker worker-3.example, process 4242" in page
    assert f'action="{end_url(run)}"' in page


def test_a_school_administrator_ends_a_stuck_run_and_it_is_audited(client):
    # given
    data = school_build()
    run = stuck_run(data.school)
    admin = school_admin(data.school, username="director", first_name="Ольга", last_name="Завучева")
    client.force_login(admin)
    # when
    response = client.post(end_url(run), follow=True)
    # then: the run is failed, the school free, the ending in the audit log
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.finished_at == NOW
    assert "Ended by Ольга Завучева on the sync page" in run.error  # the person, not the login
    assert "The run is ended; the school can sync again." in response.content.decode()
    entry = AuditEntry.objects.get(action="sync.run.end")
    assert (entry.user, entry.school) == (admin, data.school)
    assert f"sync run {run.pk}" in entry.description and "worker-3.example" in entry.description


def test_ending_a_run_that_is_not_running_changes_nothing(client):
    # given
    data = school_build()
    run = stuck_run(data.school)
    SyncRun.objects.filter(pk=run.pk).update(status="ok", error="")
    client.force_login(school_admin(data.school))
    # when
    response = client.post(end_url(run), follow=True)
    # then
    run.refresh_from_db()
    assert run.status == "ok"
    assert "not running any more" in response.content.decode()
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_only_that_schools_administrator_may_end_its_run(client):
    # given
    data, other = school_build(), school_build()
    run = stuck_run(data.school)
    # when / then: another school's administrator 404; its municipal administrator and a teacher 403
    client.force_login(school_admin(other.school))
    assert client.post(end_url(run)).status_code == 404
    client.force_login(municipal_admin(data.school.municipality))
    assert client.post(end_url(run)).status_code == 403
    client.force_login(teacher_user(data))
    assert client.post(end_url(run)).status_code == 403
    assert client.get(end_url(run)).status_code in (403, 405)
    run.refresh_from_db()
    assert run.status == "running"
    assert not AuditEntry.objects.exclude(action="login").exists()


# ----- "Sync now" when the broker's folder is missing (issue 9.11) ------------------------------------


@pytest.fixture
def filesystem_broker(tmp_path):
    """Send tasks through kombu's filesystem transport into folders under tmp_path that do not exist yet."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")}
    queue = tmp_path / "celery" / "queue"
    conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(tmp_path / "celery" / "processed"),
            "control_folder": str(tmp_path / "celery" / "control"),
        },
        task_always_eager=False,
    )
    pools = celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool = celery_app.amqp._producer_pool = None  # connect anew, with the settings above
    yield queue
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool, celery_app.amqp._producer_pool = pools
    conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_sync_now_creates_the_missing_broker_folder_and_queues_the_task(client, filesystem_broker):
    # given: the broker's folder does not exist
    data = school_build()
    Integration.objects.create(school=data.school, backend="simulator")
    client.force_login(school_admin(data.school))
    assert not filesystem_broker.exists()
    # when
    response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}), follow=True)
    # then: no 500; the task waits in the queue folder
    assert response.status_code == 200
    assert "is queued" in response.content.decode()
    assert len(list(filesystem_broker.iterdir())) == 1


@pytest.mark.django_db(transaction=True)
def test_any_task_sent_with_the_broker_folder_missing_waits_in_the_queue(filesystem_broker):
    # given: the broker's folder does not exist (a fresh checkout: seed_demo queues the weekly history)
    assert not filesystem_broker.exists()
    # when
    celery_app.send_task("reports.weekly_history_build", args=[1])
    # then
    assert len(list(filesystem_broker.iterdir())) == 1


@pytest.mark.django_db(transaction=True)
def test_sync_now_says_clearly_when_the_queue_cannot_take_the_task(client, filesystem_broker):
    # given: the broker's folder cannot be made (a file stands where its parent should be)
    Path(filesystem_broker).parent.parent.mkdir(parents=True, exist_ok=True)
    Path(filesystem_broker).parent.write_text("not a folder")
    data = school_build()
    Integration.objects.create(school=data.school, backend="simulator")
    client.force_login(school_admin(data.school))
    # when
    response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}), follow=True)
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "The background queue cannot take the task" in page
    assert "is queued" not in page


def test_a_broker_error_on_sending_is_a_clear_message(client):
    # given
    data = school_build()
    Integration.objects.create(school=data.school, backend="simulator")
    client.force_login(school_admin(data.school))
    # when
    with mock.patch.object(sync_school, "delay_on_commit", side_effect=FileNotFoundError("var/celery/queue")):
        response = client.post(reverse("sync-now", kwargs={"school_id": data.school.pk}), follow=True)
    # then
    assert response.status_code == 200
    assert "The background queue cannot take the task (FileNotFoundError)" in response.content.decode()
