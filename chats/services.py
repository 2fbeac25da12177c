"""Writes of the chats layer: running a school's sync with a log and a lock (connecting it: `chats.integrations`)."""

from __future__ import annotations

import logging
import time
from datetime import date

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from classes import clock
from classes.models import School
from classes.services import audit_record
from sferum_api import Backend

from .horizon import history_first_sync_notify
from .integrations import IntegrationError
from .integrations import backend_build
from .message_insert import commits_without_waiting
from .models import Integration
from .models import SyncRun
from .sync import SyncResult
from .sync import school_sync
from .sync_runs import GuardedBackend
from .sync_runs import SyncAlreadyRunning
from .sync_runs import guarded_failure
from .sync_runs import run_save
from .sync_runs import run_start
from .tokens import TokenKeyError

logger = logging.getLogger(__name__)

SYNC_HOLD_RELEASE = "sync.hold.release"


__all__ = [
    "SyncAlreadyRunning",
    "school_sync_run",
    "sync_held_confirm",
]


def _run_finish(*, run: SyncRun, result: SyncResult, started: float) -> None:
    data = result.to_json(run.school.code, run.backend)
    run.status = result.status
    run.finished_at = clock.now()
    run.duration_seconds = round(time.perf_counter() - started, 3)
    run.counts = {key: data[key] for key in ("chats", "members", "accounts", "messages", "skipped_items")}
    run.requests = result.requests
    run.retries = result.retries
    run.skipped_chats = list(result.chats_skipped)
    run.error = result.error or ""
    run.held_removals = result.held_removals
    run.held_reason = result.held_reason
    run_save(
        run=run,
        fields=[
            "status",
            "finished_at",
            "duration_seconds",
            "counts",
            "requests",
            "retries",
            "skipped_chats",
            "error",
            "held_removals",
            "held_reason",
        ],
    )


def _stop_message(exc: Exception) -> str:
    """Return the run's error for an exception the sync did not handle (never its text: it may hold a token)."""
    if isinstance(exc, IntegrationError | TokenKeyError):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        return _("The sync ran past its task's time limit and was stopped; the chats finished so far are kept.")
    return _("The sync stopped on an unexpected error (%(error)s); see the server log.") % {"error": type(exc).__name__}


def school_sync_run(
    *,
    school: School,
    backend: Backend | None = None,
    since: date | None = None,
    confirm_removals: bool = False,
    user=None,
    queued_id: int | None = None,
) -> tuple[SyncRun, SyncResult]:
    """Run one logged sync of the school, one at a time per school; return the log row and the result.

    Without a backend, the school's integration builds one. Raise SyncAlreadyRunning when another run holds
    the school; every other failure ends in a `failed` run with a clear error (and never a token).
    """
    integration = Integration.objects.filter(school=school).first()
    if backend is None and integration is None:
        raise IntegrationError(
            _("%(school)s is not connected to Sferum; connect it with sferum_connect first.") % {"school": school.code}
        )
    backend_name = backend.name if backend is not None else integration.backend
    run = run_start(
        school=school, backend_name=backend_name, since=since, confirm_removals=confirm_removals, queued_id=queued_id
    )
    started = time.perf_counter()
    result = SyncResult()
    try:
        if backend is None:
            backend = backend_build(integration=integration)
        guard = GuardedBackend(backend, run=run, seconds=settings.SYNC_DEADLINE_SECONDS)
        with commits_without_waiting():  # one small transaction per chat; the run's end below is durable
            result = school_sync(school=school, backend=guard, since=since, confirm_removals=confirm_removals)
        if result.status == SyncRun.Status.FAILED:
            result.error = guarded_failure(guard=guard) or result.error
        for chat_id, reason in sorted(getattr(backend, "skipped_chats", {}).items()):
            if not any(item["chat"] == chat_id for item in result.chats_skipped):
                result.chats_skipped.append({"chat": chat_id, "reason": reason})
    except Exception as exc:
        # Whatever stopped the run is logged as its error: by type only, so no token can leak through.
        logger.exception("Sync of school %s stopped: %s", school.code, type(exc).__name__)
        result.status = SyncRun.Status.FAILED
        result.error = _stop_message(exc)
    finally:
        close = getattr(backend, "close", None)
        if callable(close):
            close()
        _run_finish(run=run, result=result, started=started)
        if run.status != result.status:  # ended by an administrator meanwhile: the log row says how
            result.status, result.error = run.status, run.error
    history_first_sync_notify(school=school, run=run)  # the weekly history is built on the first success
    if confirm_removals and user is not None and result.status == SyncRun.Status.OK:
        _holds_release(school=school, run=run, user=user)
    return run, result


def _holds_release(*, school: School, run: SyncRun, user) -> int:
    """Mark the school's held runs confirmed by the user's run that applied their removals; audit it once."""
    with transaction.atomic():
        held = list(
            SyncRun.objects.select_for_update()
            .filter(school=school, status=SyncRun.Status.HELD, confirmed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "held_removals")
        )
        if not held:
            return 0
        released = [pk for pk, _removals in held]
        SyncRun.objects.filter(pk__in=released).update(confirmed_by=user, confirmed_at=clock.now())
        audit_record(
            user=user,
            action=SYNC_HOLD_RELEASE,
            description=f"Released the held sync {', '.join(map(str, released))} of the school "
            f"{school.code}: the run {run.pk} applied the removals held ({max(r for _pk, r in held)}).",
            school=school,
        )
    return len(held)


def sync_held_confirm(*, run: SyncRun, user, queued_id: int | None = None) -> tuple[SyncRun, SyncResult]:
    """Confirm a held run's removals: sync the school again with removals allowed (on the queued run `queued_id`)."""
    if run.status != SyncRun.Status.HELD:
        raise IntegrationError(_("Only a held sync waits for confirmation."))
    return school_sync_run(school=run.school, since=run.since, confirm_removals=True, user=user, queued_id=queued_id)
