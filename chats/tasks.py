"""Celery tasks of the chats layer: sync a school, a municipality, every school."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils.translation import gettext as _

from classes.fan_out import fan_out
from classes.models import School

from .integrations import IntegrationError
from .partitions import message_partitions_drop_expired
from .partitions import message_partitions_ensure
from .services import SyncAlreadyRunning
from .services import school_sync_run
from .services import sync_held_confirm
from .sync_runs import sync_run_queue_failed

logger = logging.getLogger(__name__)

# A sync task's time limits (its hard one below the sync lock's timeout); every other task takes the
# project's defaults (CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT). Late acknowledgement with
# CELERY_TASK_REJECT_ON_WORKER_LOST puts the task of a worker that died back in the queue.
SYNC_LIMITS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.SYNC_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.SYNC_TASK_TIME_LIMIT,
}
ALREADY_RUNNING = "already_running"


@shared_task(name="chats.sync_school", **SYNC_LIMITS)
def sync_school(school_id: int, queued_id: int | None = None) -> str | None:
    """Run one sync of the school; quietly do nothing when the school or its integration is gone or off.

    `queued_id` is the queued run the sync page shows (chats.sync_runs.sync_run_queue): this run takes it over.

    Idempotent: a second run over unchanged data adds nothing. One run at a time per school: when another
    run holds the school, this one writes nothing and returns "already_running" (the next beat tick tries
    again).
    """
    school = School.objects.filter(pk=school_id, integration__enabled=True).first()
    if school is None:
        sync_run_queue_failed(run_id=queued_id, error=_("The school is not connected to Sferum any more."))
        return None
    try:
        run, _result = school_sync_run(school=school, queued_id=queued_id)
    except SyncAlreadyRunning:
        logger.info("Sync of school %s not started: another run of it is already running.", school.code)
        return ALREADY_RUNNING
    return run.status


@shared_task(name="chats.sync_municipality", acks_late=True)
def sync_municipality(municipality_id: int) -> int:
    """Fan out: one sync task per connected school of the municipality (one group, on the `sync` queue)."""
    school_ids = School.objects.filter(municipality_id=municipality_id, integration__enabled=True).order_by("pk")
    return fan_out(sync_school, [(school_id,) for school_id in school_ids.values_list("pk", flat=True)])


@shared_task(name="chats.sync_all_schools", acks_late=True)
def sync_all_schools() -> int:
    """Fan out: one sync task per connected school of every municipality (the hourly beat entry).

    One group of school tasks, not one task per municipality: the workers of the `sync` queue take the
    schools as they come, whichever municipality they belong to.
    """
    school_ids = School.objects.filter(integration__enabled=True).order_by("municipality_id", "pk")
    return fan_out(sync_school, [(school_id,) for school_id in school_ids.values_list("pk", flat=True)])


@shared_task(name="chats.sync_held_confirm", **SYNC_LIMITS)
def sync_held_confirm_task(run_id: int, user_id: int | None, queued_id: int | None = None) -> str | None:
    """Sync the school of a held run again with its removals allowed; quietly stop when the run is gone,
    no longer held, or another sync holds the school (the administrator sees the outcome in the sync log).

    `queued_id` is the queued run the sync page shows (chats.sync_runs.sync_run_queue): this run takes it over.
    """
    from classes.models import User

    from .models import SyncRun

    run = SyncRun.objects.select_related("school").filter(pk=run_id, status=SyncRun.Status.HELD).first()
    if run is None or run.confirmed_at is not None:
        sync_run_queue_failed(run_id=queued_id, error=_("Only a held sync waits for confirmation."))
        return None
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        confirmed, _result = sync_held_confirm(run=run, user=user, queued_id=queued_id)
    except SyncAlreadyRunning:
        logger.info("Confirmed sync of school %s not started: another run of it is already running.", run.school.code)
        return ALREADY_RUNNING
    except IntegrationError as exc:
        logger.info("Confirmed sync of school %s not run: %s", run.school.code, type(exc).__name__)
        sync_run_queue_failed(run_id=queued_id, error=str(exc))
        return "skipped"
    return confirmed.status


@shared_task(name="chats.message_partitions_maintain")
def message_partitions_maintain() -> dict[str, list[str]]:
    """Create the coming months' message partitions, then drop the expired ones (daily beat entry; PostgreSQL).

    Idempotent: a second run the same day creates and drops nothing. Does nothing on SQLite.
    """
    created = message_partitions_ensure()
    dropped = message_partitions_drop_expired()
    return {"created": created, "dropped": dropped}
