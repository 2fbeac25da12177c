"""The life of a sync run: its lock, who runs it, when the lock is free again, its deadline, ending it by hand.

A running `SyncRun` row is the school's lock (a partial unique constraint). The row records the worker
that runs it (host, process id and the process's start) and its hard time limit. The lock is free again:

- at once when the run's process is gone: the row names this host and no process with that id exists,
  or the id now belongs to a process started later;
- when both the run's hard time limit (`SYNC_TASK_TIME_LIMIT` from its start, after which Celery has
  killed it) and `SYNC_LOCK_TIMEOUT_MINUTES` have passed: a run on another host cannot be asked;
- when a school administrator ends the run from the sync page (audited). The run, if still alive, sees
  that before its next chat and stops; what it finished stays written.

A run also stops itself after `SYNC_DEADLINE_SECONDS` (`GuardedBackend`), before the task's time limits.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError
from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from classes import clock
from classes.models import School
from classes.services import audit_record
from sferum_api import Backend
from sferum_api import ChatInfo
from sferum_api import DeadlineError
from sferum_api import Member
from sferum_api import MessageInfo

from .models import SyncRun

logger = logging.getLogger(__name__)

PROC = Path("/proc")
monotonic = time.monotonic  # the deadline's clock (a test may replace it)


class SyncAlreadyRunning(Exception):
    """Another sync of the same school is running; one run at a time per school."""


# ----- who runs it -------------------------------------------------------------------------------------


def _process_start(pid: int) -> str:
    """Return what tells this process from a later one with the same id (boot and start time), or ""."""
    try:
        boot = (PROC / "sys/kernel/random/boot_id").read_text().strip()
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return f"{boot}:{fields[19]}"  # field 22 of stat, counted after the command: start time in clock ticks
    except (OSError, IndexError):
        return ""


def process_identity() -> tuple[str, int, str]:
    """Return this process's host name, id and start (empty where the system does not tell)."""
    pid = os.getpid()
    return socket.gethostname()[:255], pid, _process_start(pid)


def process_gone(*, host: str, pid: int | None, process: str) -> bool:
    """Return whether the process is certainly gone: on this host, and its id absent or another process's.

    On another host nothing can be told (False).
    """
    if not host or not pid or pid <= 0 or host != socket.gethostname()[:255]:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return False
    current = _process_start(pid)
    return bool(process and current and current != process)


# ----- the lock ----------------------------------------------------------------------------------------


def runs_release(*, school: School) -> int:
    """Mark the school's dead runs failed, which frees its lock; return how many were released."""
    now = clock.now()
    stale_before = now - timedelta(minutes=settings.SYNC_LOCK_TIMEOUT_MINUTES)
    released = 0
    for run in SyncRun.objects.filter(school=school, status=SyncRun.Status.RUNNING):
        if process_gone(host=run.worker_host, pid=run.worker_pid, process=run.worker_process):
            error = _(
                "The run stopped without finishing: its worker process (%(host)s, %(pid)s) is gone; "
                "the next run starts again."
            ) % {"host": run.worker_host, "pid": run.worker_pid}
        elif run.started_at < stale_before and (run.hard_limit_at is None or run.hard_limit_at <= now):
            error = _("The run stopped without finishing (the worker died); the next run starts again.")
        else:
            continue
        released += SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.FAILED, finished_at=now, error=error
        )
        logger.warning("Sync run %s of school %s released: its worker is gone.", run.pk, school.code)
    SyncRun.objects.filter(school=school, status=SyncRun.Status.QUEUED, started_at__lt=stale_before).update(
        status=SyncRun.Status.FAILED,
        finished_at=now,
        error=_("The background worker did not take the queued sync; check that the worker runs, then sync again."),
    )
    return released


def sync_run_queue(*, school: School, backend_name: str) -> tuple[SyncRun, bool]:
    """Record a new queued run of the school (the sync page shows it at once) and return it with True; when
    one is already queued or running, return that one with False.
    """
    runs_release(school=school)
    active = SyncRun.objects.filter(school=school, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING])
    if (run := active.first()) is not None:
        return run, False
    run = SyncRun.objects.create(
        school=school, backend=backend_name, status=SyncRun.Status.QUEUED, started_at=clock.now()
    )
    return run, True


def sync_run_queue_failed(*, run_id: int | None, error: str) -> None:
    """End a queued run that could not be handed to the worker or run, with the reason (no run: nothing to end)."""
    if run_id is None:
        return
    SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.FAILED, finished_at=clock.now(), error=error
    )


def run_start(
    *, school: School, backend_name: str, since: date | None, confirm_removals: bool, queued_id: int | None = None
) -> SyncRun:
    """Release the school's dead runs, then take its lock with the queued run `queued_id` (when it still waits)
    or a new running run; raise SyncAlreadyRunning (the queued run then fails saying so).
    """
    runs_release(school=school)
    host, pid, process = process_identity()
    now = clock.now()
    fields = {
        "backend": backend_name,
        "status": SyncRun.Status.RUNNING,
        "started_at": now,
        "since": since,
        "confirm_removals": confirm_removals,
        "worker_host": host,
        "worker_pid": pid,
        "worker_process": process,
        "hard_limit_at": now + timedelta(seconds=settings.SYNC_TASK_TIME_LIMIT),
    }
    try:
        with transaction.atomic():
            queued = SyncRun.objects.filter(pk=queued_id, school=school, status=SyncRun.Status.QUEUED)
            if queued_id is not None and queued.update(**fields):
                return SyncRun.objects.get(pk=queued_id)
            return SyncRun.objects.create(school=school, **fields)
    except IntegrityError:
        error = _("A sync of %(school)s is already running; wait for it to finish.") % {"school": school.code}
        sync_run_queue_failed(run_id=queued_id, error=error)
        raise SyncAlreadyRunning(error) from None


def run_save(*, run: SyncRun, fields: list[str]) -> None:
    """Save the finished run's fields, unless it was ended meanwhile: then keep its status and error."""
    values = {name: getattr(run, name) for name in fields}
    if SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(**values):
        return
    kept = {name: value for name, value in values.items() if name not in ("status", "error", "finished_at")}
    SyncRun.objects.filter(pk=run.pk).update(**kept)
    run.refresh_from_db()


def sync_run_end(*, run: SyncRun, user) -> bool:
    """End a running run by hand (its worker is stuck or gone), audited; return False when it was not running."""
    now = clock.now()
    error = _("Ended by %(user)s on the sync page; the next run starts again.") % {"user": user.display_name()}
    with transaction.atomic():
        ended = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.FAILED, finished_at=now, error=error
        )
        if ended:
            audit_record(
                user=user,
                action="sync.run.end",
                description=(
                    f"Ended the sync run {run.pk} started {run.started_at:%Y-%m-%d %H:%M} UTC "
                    f"(worker {run.worker_host or '?'}, process {run.worker_pid or '?'})."
                ),
                school=run.school,
            )
    run.refresh_from_db()
    return bool(ended)


# ----- the run's deadline ------------------------------------------------------------------------------


class GuardedBackend:
    """A backend whose calls stop at the sync's deadline, or once the run was ended by hand.

    The deadline is checked before every call and between the items read; an HTTP backend also ends an
    unfinished call at it. The run's row is read once per chat, before its messages are read.
    """

    def __init__(self, backend: Backend, *, run: SyncRun, seconds: float):
        self._backend = backend
        self._run_pk = run.pk
        self.name = backend.name
        self.stats = backend.stats
        self.seconds = seconds
        self.ends = monotonic() + seconds
        self.ended_by_hand = False
        self.chats_listed = self.chats_started = self.messages_read = 0
        stop_at = getattr(backend, "stop_at", None)
        if callable(stop_at):
            stop_at(self.ends)

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    @property
    def expired(self) -> bool:
        return monotonic() >= self.ends

    def _check(self, *, run: bool = False) -> None:
        if self.expired:
            raise DeadlineError(f"the sync's {self.seconds:g} s deadline passed")
        if run and not self._progress_save(chats_done=self.chats_started, messages_read=self.messages_read):
            self.ended_by_hand = True
            raise DeadlineError("the run was ended by an administrator")

    def _progress_save(self, **progress: int) -> bool:
        """Write the run's progress; return False when it is not running any more (ended by hand)."""
        return bool(SyncRun.objects.filter(pk=self._run_pk, status=SyncRun.Status.RUNNING).update(**progress))

    def list_chats(self) -> Iterator[ChatInfo]:
        self._check()
        for info in self._backend.list_chats():
            self._check()
            self.chats_listed += 1
            yield info
        self._progress_save(chats_total=self.chats_listed)

    def list_members(self, chat_id: str) -> list[Member]:
        self._check()
        return self._backend.list_members(chat_id)

    def iter_messages(self, chat_id: str, **options) -> Iterator[MessageInfo]:
        self._check(run=True)
        self.chats_started += 1
        for info in self._backend.iter_messages(chat_id, **options):
            self._check()
            self.messages_read += 1
            yield info


def guarded_failure(*, guard: GuardedBackend) -> str:
    """Return the run's error when the guard stopped it, else ""."""
    if guard.ended_by_hand:
        return _("An administrator ended the run; the chats finished before it are kept.")
    if guard.expired:
        return _(
            "The sync ran out of its time (%(seconds)s s); the chats finished so far are kept and the next "
            "sync goes on from them. If this repeats, ask the server's administrator to raise "
            "SYNC_DEADLINE_SECONDS."
        ) % {"seconds": f"{guard.seconds:g}"}
    return ""


# ----- the queue ---------------------------------------------------------------------------------------


def task_enqueue(task, *args) -> str:
    """Queue the task for the worker once the transaction commits (at once outside one); return "" when
    queued, else a clear error for the person who asked.

    The filesystem broker's folders are created when missing before the task is published
    (`sferum_admin.celery.broker_folders_ensure`, on `before_task_publish`); an error doing so lands here.
    """
    try:
        task.delay_on_commit(*args)
    except (OSError, KombuError) as exc:
        logger.exception("Could not queue %s: %s", task.name, type(exc).__name__)
        return _(
            "The background queue cannot take the task (%(error)s); ask the server's administrator to check "
            "the Celery broker, then try again."
        ) % {"error": type(exc).__name__}
    return ""
