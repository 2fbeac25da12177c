"""A school's stored summary (what the overviews read) is refreshed when a sync of it succeeds, not only at 06:00."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from chats.services import school_sync_run
from chats.tests.fakes import backend_three_chats
from chats.tests.scenario import school_with_integration
from reports.models import SchoolSummary
from sferum_api import UnavailableError

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday, 12:00 in Moscow

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def test_a_successful_sync_stores_the_schools_summary_with_that_run_and_a_failed_one_does_not(
    django_capture_on_commit_callbacks,
):
    # given
    school = school_with_integration()
    backend = backend_three_chats()
    backend.errors[("messages", "2000000002")] = UnavailableError("503")
    # when: a failed run
    with django_capture_on_commit_callbacks(execute=True):
        failed, _result = school_sync_run(school=school, backend=backend)
    # then: nothing is stored for the overviews
    assert failed.status == "failed"
    assert not SchoolSummary.objects.filter(school=school).exists()
    # when: a successful run
    backend.errors.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ok, _result = school_sync_run(school=school, backend=backend)
    # then: today's summary is stored, and it names that run as the school's last sync
    summary = SchoolSummary.objects.get(school=school)
    assert (ok.status, summary.day.isoformat(), summary.last_sync_id) == ("ok", "2026-11-30", ok.pk)
    # when: another successful run the same day
    with django_capture_on_commit_callbacks(execute=True):
        again, _result = school_sync_run(school=school, backend=backend)
    # then: the day's one row now names the latest run
    assert list(SchoolSummary.objects.filter(school=school).values_list("last_sync_id", flat=True)) == [again.pk]
