"""The nightly dispatchers publish one group of one metrics task per school (classes.fan_out)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
import time_machine
from celery import group

from classes.tests.factories import SchoolFactory
from reports import tasks as report_tasks
from sferum_admin.celery import app

pytestmark = pytest.mark.django_db

MONDAY_06_MOSCOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def queue_of(name: str) -> str:
    return app.amqp.Router().route({}, name)["queue"].name


@pytest.fixture
def published(monkeypatch):
    """Capture every group published instead of sending it: [[(task name, args), ...], ...]."""
    groups: list[list[tuple[str, tuple]]] = []

    def apply_async(self, *args, **kwargs):
        groups.append([(signature.task, tuple(signature.args)) for signature in self.tasks])

    monkeypatch.setattr(group, "apply_async", apply_async)
    return groups


def test_the_weekly_dispatch_publishes_one_metrics_task_per_school_at_its_monday_0600(
    published, django_capture_on_commit_callbacks
):
    moscow = [SchoolFactory(timezone="Europe/Moscow") for _ in range(3)]
    SchoolFactory(timezone="Asia/Novosibirsk")  # 10:00 there: its week went out four hours ago
    with time_machine.travel(MONDAY_06_MOSCOW), django_capture_on_commit_callbacks(execute=True):
        assert report_tasks.weekly_activity_dispatch() == 3
    assert published == [[("reports.weekly_activity_build", (school.pk, "2026-W47")) for school in moscow]]
    assert queue_of("reports.weekly_activity_build") == "metrics"
