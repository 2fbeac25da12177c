"""Celery tasks of the classes layer: thin, idempotent callers of its services."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from classes.logins import staff_logins_sweep as _staff_logins_sweep
from classes.roster.upload_worker import roster_upload_import_run
from classes.roster.uploads import roster_upload_read
from classes.roster.uploads import roster_upload_read_give_up
from classes.roster.uploads import roster_uploads_expire


@shared_task(name="classes.staff_logins_sweep", acks_late=True, soft_time_limit=240, time_limit=300)
def staff_logins_sweep() -> int:
    """Deactivate the logins of staff whose employment ended; return how many (safe to run twice)."""
    return len(_staff_logins_sweep())


@shared_task(name="classes.roster_upload_read", acks_late=True, soft_time_limit=120, time_limit=150)
def roster_upload_read_task(upload_id: int) -> None:
    """Read and dry-run the roster upload (idempotent: an upload already read or gone is left alone)."""
    try:
        roster_upload_read(upload_id=upload_id)
    except SoftTimeLimitExceeded:
        roster_upload_read_give_up(upload_id=upload_id)
        raise


@shared_task(name="classes.roster_upload_import", acks_late=True, soft_time_limit=240, time_limit=300)
def roster_upload_import_task(
    upload_id: int, confirm_removals: bool = False, on: str | None = None, removals_typed: int | None = None
) -> str | None:
    """Import a confirmed roster upload as of `on` (ISO date); return its status (an upload not waiting for
    its import, e.g. already imported, is left alone)."""
    return roster_upload_import_run(
        upload_id=upload_id,
        confirm_removals=confirm_removals,
        removals_typed=removals_typed,
        on=date.fromisoformat(on) if on else None,
    )


@shared_task(name="classes.roster_uploads_expire", acks_late=True, soft_time_limit=60, time_limit=90)
def roster_uploads_expire_task() -> int:
    """Delete the roster uploads older than ROSTER_UPLOAD_KEEP_HOURS; return how many (safe to run twice)."""
    return roster_uploads_expire()
