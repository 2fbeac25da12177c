"""Starting a school's sync and releasing a held one: what the sync page's buttons and the API both do.

Each queues a run (`chats.sync_runs.sync_run_queue`: one run of a school at a time) and its task for the worker
after the commit; when the queue refuses the task the run is ended as failed and the error is returned. The
callers only turn the outcome into their answer (a message and a redirect, or a status code).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from classes.models import School

from .models import Integration
from .models import SyncRun
from .sync_runs import sync_run_queue
from .sync_runs import sync_run_queue_failed
from .sync_runs import task_enqueue
from .tasks import sync_held_confirm_task
from .tasks import sync_school


class SyncNotConnected(Exception):
    """The school has no enabled integration; the message says what to do."""


@dataclass(frozen=True)
class SyncQueued:
    """A queued run (`started`), or the run already under way (not `started`); `error`: the queue refused it."""

    run: SyncRun
    started: bool
    error: str = ""


def _enqueued(run: SyncRun, task, *args) -> SyncQueued:
    error = task_enqueue(task, *args)
    if error:
        sync_run_queue_failed(run_id=run.pk, error=error)
    return SyncQueued(run=run, started=True, error=error)


def sync_start(*, school: School) -> SyncQueued:
    """Queue a sync of the school with its enabled integration; raise SyncNotConnected when it has none."""
    integration = Integration.objects.filter(school=school, enabled=True).first()
    if integration is None:
        raise SyncNotConnected(_("The school is not connected to Sferum; connect it first, then sync."))
    run, queued = sync_run_queue(school=school, backend_name=integration.backend)
    if not queued:
        return SyncQueued(run=run, started=False)
    return _enqueued(run, sync_school, school.pk, run.pk)


def sync_held_release(*, run: SyncRun, user) -> SyncQueued:
    """Queue a sync of the held run's school with the run's removals allowed (the caller checked the run is held
    and the number typed)."""
    queued, created = sync_run_queue(school=run.school, backend_name=run.backend)
    if not created:
        return SyncQueued(run=queued, started=False)
    return _enqueued(queued, sync_held_confirm_task, run.pk, user.pk, queued.pk)
