"""Fan a job out to Celery as one task per item (a school, a municipality), published as one group.

The hourly sync and the nightly jobs of a region go out as one task per school: each is its own message on its
queue (CELERY_TASK_ROUTES), so N workers run N schools at once, a slow school holds up one worker only, and a
school whose task fails fails alone. (`chunks` would save messages but run a chunk's items in one task, where
the first failure ends the rest of the chunk, so the dispatchers do not use it.)

The group is published once the current transaction commits (the rows its tasks read are then visible), at
once outside a transaction; its tasks take ids only.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence

from celery import group
from django.db import transaction


def fan_out(task, args_list: Iterable[Sequence]) -> int:
    """Publish `task(*args)` for every args in args_list as one group, on commit; return how many tasks."""
    job = group([task.si(*args) for args in args_list])
    if not job.tasks:
        return 0
    transaction.on_commit(job.apply_async)
    return len(job.tasks)
