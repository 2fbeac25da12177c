"""The hourly sync and the nightly jobs fan out as one Celery task per school, each on its queue."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery import group

from chats import tasks
from chats.integrations import integration_connect
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolFactory
from sferum_admin.celery import app

pytestmark = pytest.mark.django_db


def queue_of(name: str) -> str:
    return app.amqp.Router().route({}, name)["queue"].name


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("chats.sync_school", "sync"),
        ("chats.sync_held_confirm", "sync"),
        ("chats.sync_all_schools", "default"),
        ("chats.sync_municipality", "default"),
        ("reports.weekly_activity_build", "metrics"),
        ("reports.activation_snapshot_build", "metrics"),
        ("reports.activation_snapshots_build", "metrics"),
        ("reports.school_summary_build", "metrics"),  # a task another part adds later lands there too
        ("reports.weekly_activity_dispatch", "default"),
        ("reports.roster_changes_confirm_dispatch", "default"),
        ("classes.staff_logins_sweep", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    assert queue_of(task) == queue


@pytest.fixture
def published(monkeypatch):
    """Capture every group published instead of sending it: [[(task name, args), ...], ...]."""
    groups: list[list[tuple[str, tuple]]] = []

    def apply_async(self, *args, **kwargs):
        groups.append([(signature.task, tuple(signature.args)) for signature in self.tasks])

    monkeypatch.setattr(group, "apply_async", apply_async)
    return groups


def connected_schools(municipality, count: int) -> list:
    schools = [SchoolFactory(municipality=municipality) for _ in range(count)]
    for school in schools:
        integration_connect(school=school, backend="simulator")
    return schools


def test_the_hourly_sync_publishes_one_group_of_one_task_per_connected_school(
    published, django_capture_on_commit_callbacks
):
    # given: two municipalities, five connected schools, one not connected
    first, second = MunicipalityFactory(), MunicipalityFactory()
    schools = connected_schools(first, 3) + connected_schools(second, 2)
    SchoolFactory(municipality=first)
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = tasks.sync_all_schools()
    # then: nothing is published before the commit, then one group with every connected school
    assert count == 5
    assert published == []
    for callback in callbacks:
        callback()
    assert len(published) == 1
    assert sorted(published[0]) == sorted(("chats.sync_school", (school.pk,)) for school in schools)
    assert {queue_of(name) for name, _args in published[0]} == {"sync"}


def test_the_municipality_fan_out_takes_only_its_connected_schools(published, django_capture_on_commit_callbacks):
    first, second = MunicipalityFactory(), MunicipalityFactory()
    schools = connected_schools(first, 2)
    connected_schools(second, 1)
    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.sync_municipality(first.pk)
    assert count == 2
    assert published == [[("chats.sync_school", (school.pk,)) for school in schools]]


def test_nothing_is_published_when_no_school_is_connected(published, django_capture_on_commit_callbacks):
    SchoolFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_all_schools() == 0
    assert published == []


def test_one_failing_school_does_not_stop_the_others(monkeypatch, django_capture_on_commit_callbacks):
    # given: three connected schools; the sync of the second one raises
    municipality = MunicipalityFactory()
    schools = connected_schools(municipality, 3)
    synced = []

    def school_sync_run(*, school, queued_id=None):
        if school.pk == schools[1].pk:
            raise RuntimeError("this school's sync breaks")
        synced.append(school.pk)
        return SimpleNamespace(status="ok"), None

    monkeypatch.setattr(tasks, "school_sync_run", school_sync_run)
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)  # as on a worker: a task's error stays its own
    # when: the group runs (eagerly, each task on its own)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_all_schools()
    # then: the first and the third were synced all the same
    assert synced == [schools[0].pk, schools[2].pk]
