"""Building the missing weeks of teacher activity goes to the worker; the teachers' page shows its progress."""

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from chats.models import Integration
from chats.tests.scenario import classes_add
from chats.tests.scenario import school_build
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import school_admin
from reports.services import weekly_activity_build
from reports.tasks import weekly_activity_ensure
from reports.weeks_build import weeks_build_progress

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

POLLING = 'hx-trigger="every 2s"'


def progress_url(school) -> str:
    return reverse("teacher-activity-build-progress", kwargs={"school_id": school.pk})


def test_the_build_is_queued_and_the_page_shows_its_progress_at_once(client):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))
    # when
    with mock.patch("reports.views.school.weekly_activity_ensure_task.delay_on_commit") as delay:
        response = client.post(reverse("teacher-activity-build", kwargs={"school_id": data.school.pk}), follow=True)
    # then
    delay.assert_called_once_with(data.school.pk, 8)
    html = response.content.decode()
    assert 'id="weeks-progress"' in html and POLLING in html
    assert "0 of 8 weeks with school days are computed" in html


def test_the_progress_counts_the_stored_weeks_and_stops_polling_when_all_are(client):
    # given: one of the last eight weeks is stored
    data = school_build(classes=1)
    weekly_activity_build(school=data.school, week_start=LAST_WEEK)
    client.force_login(school_admin(data.school))
    # when
    html = client.get(progress_url(data.school)).content.decode()
    # then
    assert "1 of 8" in html and POLLING in html
    # when: the worker's task has built the rest
    assert weekly_activity_ensure(data.school.pk, 8) == 7
    html = client.get(progress_url(data.school)).content.decode()
    # then
    assert weeks_build_progress(school=data.school, weeks=8).finished
    assert "Done: all 8 weeks" in html and POLLING not in html and "hx-get" not in html


def test_the_progress_partial_query_count_does_not_grow(client, django_assert_num_queries):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 6), letter="Б", students=5)
        weekly_activity_build(school=data.school, week_start=LAST_WEEK)

    # when / then
    assert_constant_queries(client, progress_url(data.school), grow, django_assert_num_queries)


def test_only_the_school_administrator_sees_the_progress(client):
    # given
    data, other = school_build(classes=1), school_build(classes=1)
    client.force_login(school_admin(other.school))
    # when / then
    assert client.get(progress_url(data.school)).status_code == 404


def test_a_school_connected_part_way_finishes_when_its_evaluated_weeks_are_stored():
    # given: the school's message history starts three weeks before the last complete week
    data = school_build(classes=1)
    Integration.objects.update_or_create(
        school=data.school,
        defaults={
            "backend": "simulator",
            "history_from": datetime.combine(LAST_WEEK, time(), UTC) - timedelta(weeks=3),
        },
    )
    # when: the worker's task has built what it can
    weekly_activity_ensure(data.school.pk, 8)
    progress = weeks_build_progress(school=data.school, weeks=8)
    # then: the weeks before the horizon are not waited for
    assert (progress.done, progress.total, progress.finished) == (3, 3, True)
