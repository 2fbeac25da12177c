"""Writes of the chats layer: connecting a school to Sferum and running its sync with a log and a lock."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activation.models import Backend as BackendName
from classes import clock
from classes.models import School
from sferum_api import Backend
from sferum_api.http import RetryPolicy
from sferum_api.max import MaxBackend
from sferum_api.simulator import SimulatedSchool
from sferum_api.vk import VkBackend

from .models import Integration, SyncRun
from .sync import SyncResult, message_hash_key, school_sync
from .tokens import TokenKeyError, token_decrypt, token_encrypt

logger = logging.getLogger(__name__)

DEFAULT_RPS = {BackendName.VK: 3.0, BackendName.MAX: 30.0}


class IntegrationError(Exception):
    """The school's integration is missing or incomplete; the message says what to do."""


class SyncAlreadyRunning(Exception):
    """Another sync of the same school is running; one run at a time per school."""


def integration_connect(
    *,
    school: School,
    backend: str,
    base_url: str = "",
    token: str | None = None,
    chat_ids: list[str] | None = None,
    rps: float | None = None,
    options: dict | None = None,
) -> Integration:
    """Create or update the school's integration; the token is stored encrypted and never returned."""
    if backend not in BackendName.values:
        raise IntegrationError(
            _("«%(backend)s» is not a backend; use one of: %(choices)s.")
            % {"backend": backend, "choices": ", ".join(BackendName.values)}
        )
    if rps is not None and rps < 0:
        raise IntegrationError(_("The request pace cannot be negative; use 0 for no pacing."))
    if backend in (BackendName.VK, BackendName.MAX) and not token:
        raise IntegrationError(
            _("The %(backend)s backend needs a token; pass the name of the environment variable holding it.")
            % {"backend": backend}
        )
    if backend == BackendName.MAX and not chat_ids:
        raise IntegrationError(_("The max backend needs the school's chat ids (--chat-ids); MAX no longer lists them."))
    with transaction.atomic():
        integration = Integration.objects.select_for_update().filter(school=school).first() or Integration(
            school=school
        )
        integration.backend = backend
        integration.base_url = base_url
        integration.token_encrypted = token_encrypt(token) if token else ""
        integration.chat_ids = [str(chat_id) for chat_id in (chat_ids or [])]
        integration.rps = rps
        integration.options = options or {}
        integration.enabled = True
        integration.full_clean()
        integration.save()
    return integration


def backend_build(*, integration: Integration) -> Backend:
    """Return a backend instance for the integration (the token decrypted only here, in memory)."""
    key = message_hash_key()
    rps = integration.rps if integration.rps is not None else DEFAULT_RPS.get(integration.backend, 0)
    if integration.backend == BackendName.SIMULATOR:
        return SimulatedSchool(
            seed=int(integration.options.get("seed", 42)),
            school_index=int(integration.options.get("school_index", 0)),
            today=clock.today(integration.school.tz),
            hash_key=key,
        )
    kwargs = {
        "retry": RetryPolicy(**settings.SFERUM_HTTP_RETRY),
        "timeout": settings.SFERUM_HTTP_TIMEOUT,
        **({"base_url": integration.base_url} if integration.base_url else {}),
    }
    if integration.backend == BackendName.VK:
        return VkBackend(token=token_decrypt(integration.token_encrypted), hash_key=key, rps=rps, **kwargs)
    if integration.backend == BackendName.MAX:
        return MaxBackend(
            token=token_decrypt(integration.token_encrypted),
            chat_ids=list(integration.chat_ids),
            hash_key=key,
            rps=rps,
            **kwargs,
        )
    if integration.backend == BackendName.FILES:
        from .files_import import files_backend_from_folder  # the files backend reads the school's folder

        return files_backend_from_folder(integration.base_url)
    raise IntegrationError(_("The integration's backend is unknown; connect the school again."))


def _stale_runs_release(*, school: School) -> None:
    """Mark runs that have been 'running' for too long as failed: their worker died, the lock is free."""
    limit = clock.now() - timedelta(minutes=settings.SYNC_LOCK_TIMEOUT_MINUTES)
    SyncRun.objects.filter(school=school, status=SyncRun.Status.RUNNING, started_at__lt=limit).update(
        status=SyncRun.Status.FAILED,
        finished_at=clock.now(),
        error=_("The run stopped without finishing (the worker died); the next run starts again."),
    )


def _run_start(*, school: School, backend_name: str, since: date | None, confirm_removals: bool) -> SyncRun:
    _stale_runs_release(school=school)
    try:
        with transaction.atomic():
            return SyncRun.objects.create(
                school=school,
                backend=backend_name,
                status=SyncRun.Status.RUNNING,
                started_at=clock.now(),
                since=since,
                confirm_removals=confirm_removals,
            )
    except IntegrityError:
        raise SyncAlreadyRunning(
            _("A sync of %(school)s is already running; wait for it to finish.") % {"school": school.code}
        ) from None


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
    run.save(
        update_fields=[
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
        ]
    )


def school_sync_run(
    *,
    school: School,
    backend: Backend | None = None,
    since: date | None = None,
    confirm_removals: bool = False,
    user=None,
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
    run = _run_start(school=school, backend_name=backend_name, since=since, confirm_removals=confirm_removals)
    started = time.perf_counter()
    result = SyncResult()
    try:
        if backend is None:
            backend = backend_build(integration=integration)
        result = school_sync(school=school, backend=backend, since=since, confirm_removals=confirm_removals)
        for chat_id, reason in sorted(getattr(backend, "skipped_chats", {}).items()):
            if not any(item["chat"] == chat_id for item in result.chats_skipped):
                result.chats_skipped.append({"chat": chat_id, "reason": reason})
    except Exception as exc:
        # Whatever stopped the run is logged as its error: by type only, so no token can leak through.
        logger.exception("Sync of school %s stopped: %s", school.code, type(exc).__name__)
        result.status = SyncRun.Status.FAILED
        result.error = (
            str(exc)
            if isinstance(exc, IntegrationError | TokenKeyError)
            else _("The sync stopped on an unexpected error (%(error)s); see the server log.")
            % {"error": type(exc).__name__}
        )
    finally:
        close = getattr(backend, "close", None)
        if callable(close):
            close()
        _run_finish(run=run, result=result, started=started)
    if confirm_removals and user is not None and result.status == SyncRun.Status.OK:
        SyncRun.objects.filter(school=school, status=SyncRun.Status.HELD, confirmed_at__isnull=True).update(
            confirmed_by=user, confirmed_at=clock.now()
        )
    return run, result


def sync_held_confirm(*, run: SyncRun, user) -> tuple[SyncRun, SyncResult]:
    """Confirm a held run's removals: sync the school again with removals allowed."""
    if run.status != SyncRun.Status.HELD:
        raise IntegrationError(_("Only a held sync waits for confirmation."))
    return school_sync_run(school=run.school, since=run.since, confirm_removals=True, user=user)
