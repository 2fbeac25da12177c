"""Tasks of the classes app: reading a large roster upload in the worker."""

from __future__ import annotations

from celery import shared_task

from classes.roster.uploads import roster_upload_read


@shared_task(name="classes.roster_upload_read", acks_late=True, soft_time_limit=120, time_limit=150)
def roster_upload_read_task(upload_id: int) -> None:
    """Read the roster upload (idempotent: an upload already read or gone is left alone)."""
    roster_upload_read(upload_id=upload_id)
