"""Arrivals and departures confirmed by the last sync (reports.reconciliation, the beat job in reports.tasks)."""

from datetime import datetime
from datetime import timedelta

import pytest

from chats.models import Chat
from chats.models import ChatMembership
from chats.models import SyncRun
from chats.tests.scenario import ChatsWorld
from classes.models import RosterChange
from classes.roster_changes import roster_change_process
from classes.tests.scenario import ROSTER_CHANGES_MONDAY as MONDAY
from classes.tests.scenario import RosterChangesSchool
from reports import tasks
from reports.reconciliation.roster_changes import roster_changes_confirm_from_sync

pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


@pytest.fixture
def school():
    return RosterChangesSchool(ChatsWorld(classes=("5А", "5Б")))


def _sync_finished(school, at: datetime) -> None:
    SyncRun.objects.create(school=school, backend="simulator", status="ok", started_at=at, finished_at=at)


def test_a_sync_after_processing_without_the_student_in_the_chat_confirms_the_departure(school):
    # given
    account = school.world.account("Смирнов", "Петр", "5А", student=school.petr)
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    ChatMembership.objects.filter(account=account).update(left_at=MONDAY + timedelta(minutes=30))
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    # when
    confirmed = roster_changes_confirm_from_sync(school=school.world.school)
    # then
    change.refresh_from_db()
    assert confirmed == 1
    assert (change.state, change.confirmed_source, change.confirmed_by) == ("confirmed", "sync", None)


def test_a_sync_that_still_sees_the_student_or_ran_before_processing_does_not_confirm(school):
    # given
    school.world.account("Смирнов", "Петр", "5А")  # unlinked, same name: still in the chat
    change = school.departure()
    _sync_finished(school.world.school, MONDAY - timedelta(hours=1))
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    # when
    before = roster_changes_confirm_from_sync(school=school.world.school)
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    after = roster_changes_confirm_from_sync(school=school.world.school)
    # then
    assert (before, after) == (0, 0)
    change.refresh_from_db()
    assert change.state == "processed"


def test_a_sync_that_sees_the_arrival_in_the_class_chat_confirms_it(school):
    # given
    change = school.arrival()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    school.world.account("Елкина", "Алена", "5А")
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    # when
    confirmed = roster_changes_confirm_from_sync(school=school.world.school)
    # then
    assert confirmed == 1
    assert RosterChange.objects.get().state == "confirmed"
    assert Chat.objects.filter(kind="class").count() == 2


def test_the_beat_job_confirms_from_the_last_sync_for_schools_with_processed_changes(
    school, django_capture_on_commit_callbacks
):
    # given
    change = school.arrival()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    school.world.account("Ёлкина", "Алёна", "5А")
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks.roster_changes_confirm_dispatch()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.roster_changes_confirm_dispatch()
    # then
    change.refresh_from_db()
    assert (queued, again) == (1, 0)
    assert (change.state, change.confirmed_source) == ("confirmed", "sync")
    assert tasks.roster_changes_confirm(999_999) == 0
