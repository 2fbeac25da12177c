"""Celery tasks of the classes layer: thin, idempotent callers of its services."""

from __future__ import annotations

from celery import shared_task

from classes.logins import staff_logins_sweep as _staff_logins_sweep


@shared_task(name="classes.staff_logins_sweep", acks_late=True, soft_time_limit=240, time_limit=300)
def staff_logins_sweep() -> int:
    """Deactivate the logins of staff whose employment ended; return how many (safe to run twice)."""
    return len(_staff_logins_sweep())
