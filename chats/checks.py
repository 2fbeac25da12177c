"""System checks of the chats layer: the sync's time limits come in the order that keeps runs from overlapping."""

from __future__ import annotations

from itertools import pairwise

from django.conf import settings
from django.core.checks import Error
from django.core.checks import register


@register()
def sync_time_limits_check(app_configs=None, **kwargs) -> list[Error]:
    """Check SYNC_DEADLINE_SECONDS < SYNC_TASK_SOFT_TIME_LIMIT < SYNC_TASK_TIME_LIMIT < SYNC_LOCK_TIMEOUT_MINUTES.

    A run must stop itself before Celery tells it to, be killed before its lock can be taken as stale, and
    so never be alive while a second run of its school starts.
    """
    limits = [
        ("SYNC_DEADLINE_SECONDS", float(settings.SYNC_DEADLINE_SECONDS)),
        ("SYNC_TASK_SOFT_TIME_LIMIT", float(settings.SYNC_TASK_SOFT_TIME_LIMIT)),
        ("SYNC_TASK_TIME_LIMIT", float(settings.SYNC_TASK_TIME_LIMIT)),
        ("SYNC_LOCK_TIMEOUT_MINUTES", float(settings.SYNC_LOCK_TIMEOUT_MINUTES) * 60),
    ]
    return [
        Error(
            f"{earlier} ({earlier_value:g} s) must be less than {later} ({later_value:g} s).",
            hint="Sync runs could overlap; set the sync's limits in this order.",
            id="chats.E001",
        )
        for (earlier, earlier_value), (later, later_value) in pairwise(limits)
        if earlier_value >= later_value
    ]


@register()
def message_retention_check(app_configs=None, **kwargs) -> list[Error]:
    """Check MESSAGE_RETENTION_ACADEMIC_YEARS keeps at least the current academic year."""
    if settings.MESSAGE_RETENTION_ACADEMIC_YEARS >= 1:
        return []
    return [
        Error(
            f"MESSAGE_RETENTION_ACADEMIC_YEARS ({settings.MESSAGE_RETENTION_ACADEMIC_YEARS}) must be at least 1.",
            hint="It counts the academic years whose messages are kept, the current one included.",
            id="chats.E002",
        )
    ]
