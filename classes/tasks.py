"""Celery tasks of the classes layer: thin, idempotent callers of its services."""

from __future__ import annotations

from celery import shared_task

from classes.logins import staff_logins_sweep as _staff_logins_sweep
from classes.roster.uploads import roster_upload_read


@shared_task(name="classes.staff_logins_sweep", acks_late=True, soft_time_limit=240, time_limit=300)
def staff_logins_sweep() -> int:
    """Deactivate the logins of staff whose employment ended; return how many (safe to run twice)."""
    return len(_staff_logins_sweep())


@shared_task(name="classes.roster_upload_read", acks_late=True, soft_time_limit=120, time_limit=150)
def roster_upload_read_task(upload_id: int) -> None:
    """Read the roster upload (idempotent: an upload already read or gone is left alone)."""
    roster_upload_read(upload_id=upload_id)
