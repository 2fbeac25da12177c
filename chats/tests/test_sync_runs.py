"""Logged sync runs: the safety hold, the per-school lock, the sync log, tasks, commands and the vk wire."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from activation.models import SferumAccount
from chats import tasks
from chats.integrations import IntegrationError
from chats.integrations import integration_connect
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Integration
from chats.models import Message
from chats.models import SyncRun
from chats.services import SyncAlreadyRunning
from chats.services import school_sync_run
from chats.services import sync_held_confirm
from chats.sync import message_hash_key
from chats.tests.fakes import crowded_backend
from chats.tests.scenario import MEMBERSHIP_FIELDS
from chats.tests.scenario import MESSAGE_FIELDS
from classes.models import School
from classes.roster.importer import roster_import
from classes.services import school_create
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from sferum_api.simulator import SimulatedSchool
from sferum_api.testing import VkServer
from sferum_api.testing.vk_server import GET_HISTORY
from sferum_api.testing.vk_server import GET_MEMBERS

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
TODAY = date(2026, 11, 30)
SINCE = date(2026, 11, 16)  # two weeks of history keep the simulated school quick
TOKEN = "vk1.a.TOPSECRET-token-0451"


@pytest.fixture
def small_school() -> School:
    school = SchoolFactory()
    SchoolClassFactory(school=school, year=AcademicYearFactory(school=school), grade=5, letter="А")
    return school


def simulated_school(code: str, *, roster: bool = True) -> tuple[School, SimulatedSchool]:
    simulated = SimulatedSchool(seed=7, school_index=0, today=TODAY, hash_key=message_hash_key())
    school, _created = school_create(code=code, name=simulated.school_name)
    if roster:
        result = roster_import(
            school=school, content=simulated.roster_csv(), filename="r.csv", on=simulated.academic_year_start
        )
        assert result.status == "ok"
    return school, simulated


def dump(school: School) -> dict[str, list]:
    """Return the school's synced rows without ids, in a canonical order."""
    return {
        "chats": sorted(
            Chat.objects.filter(school=school).values_list(
                "platform_id", "title", "kind", "school_class__grade", "school_class__letter", "cursor"
            )
        ),
        "accounts": sorted(
            SferumAccount.objects.filter(school=school).values_list(
                "platform_user_id",
                "role_code",
                "status",
                "staff__person_id",
                "student__person_id",
                "parent__person_id",
            ),
            key=repr,
        ),
        "memberships": sorted(
            ChatMembership.objects.filter(chat__school=school).values_list(*MEMBERSHIP_FIELDS),
            key=repr,
        ),
        "messages": sorted(
            Message.objects.filter(chat__school=school).values_list(*MESSAGE_FIELDS),
            key=repr,
        ),
    }


# ----- the safety hold --------------------------------------------------------------------------------------


def test_a_sync_that_would_end_more_than_a_tenth_of_the_memberships_is_held(small_school):
    # given: 32 memberships
    backend = crowded_backend()
    school_sync_run(school=small_school, backend=backend)
    # when: four teachers (12.5%) disappear and a new message arrives
    backend.members["1"] = backend.members["1"][4:]
    backend.post("2", 50, "301")
    run, result = school_sync_run(school=small_school, backend=backend)
    # then: held, no removal written, everything else written
    assert (run.status, result.status) == ("held", "held")
    assert run.held_removals == 4
    assert "4 of 32" in run.held_reason
    assert ChatMembership.objects.filter(chat__school=small_school, left_at__isnull=False).count() == 0
    assert Message.objects.filter(chat__school=small_school, platform_id="50").exists()
    assert result.to_json(small_school.code, "simulator")["held"] == {"removals": 4, "reason": run.held_reason}


def test_an_administrator_confirms_a_held_sync(small_school):
    # given
    backend = crowded_backend()
    school_sync_run(school=small_school, backend=backend)
    backend.members["1"] = backend.members["1"][4:]
    held, _result = school_sync_run(school=small_school, backend=backend)
    admin = UserFactory()
    # when
    _run, result = school_sync_run(school=small_school, backend=backend, confirm_removals=True, user=admin)
    # then
    assert result.status == "ok"
    assert result.members_removed == 4
    held.refresh_from_db()
    assert (held.confirmed_by, held.confirmed_at) == (admin, NOW)


def test_emptying_a_class_chat_is_held_even_when_few_memberships_end(small_school):
    # given
    backend = crowded_backend(staff=60)
    school_sync_run(school=small_school, backend=backend)
    # when: both students leave the 5А chat (2 of 62)
    backend.members["2"] = []
    run, _result = school_sync_run(school=small_school, backend=backend)
    # then
    assert run.status == "held"
    assert "5А класс" in run.held_reason
    assert not ChatMembership.objects.filter(chat__platform_id="2", left_at__isnull=False).exists()


def test_a_few_removals_are_not_held(small_school):
    backend = crowded_backend(staff=60)
    school_sync_run(school=small_school, backend=backend)
    backend.members["1"] = backend.members["1"][1:]
    run, result = school_sync_run(school=small_school, backend=backend)
    assert (run.status, result.members_removed) == ("ok", 1)


def test_the_hold_share_is_a_setting(small_school, settings):
    settings.SYNC_HOLD_REMOVAL_SHARE = 0.5
    backend = crowded_backend()
    school_sync_run(school=small_school, backend=backend)
    backend.members["1"] = backend.members["1"][4:]
    run, _result = school_sync_run(school=small_school, backend=backend)
    assert run.status == "ok"


def test_confirming_a_run_that_is_not_held_is_refused(small_school):
    run, _result = school_sync_run(school=small_school, backend=crowded_backend())
    with pytest.raises(IntegrationError):
        sync_held_confirm(run=run, user=UserFactory())


# ----- the lock and the log -------------------------------------------------------------------------------


def test_one_run_at_a_time_per_school(small_school):
    # given: a run in progress
    SyncRun.objects.create(school=small_school, backend="simulator", started_at=NOW - timedelta(minutes=5))
    # when / then
    with pytest.raises(SyncAlreadyRunning):
        school_sync_run(school=small_school, backend=crowded_backend())
    assert SyncRun.objects.filter(school=small_school).count() == 1


def test_a_run_left_running_by_a_dead_worker_frees_the_school(small_school):
    stale = SyncRun.objects.create(school=small_school, backend="simulator", started_at=NOW - timedelta(hours=3))
    run, _result = school_sync_run(school=small_school, backend=crowded_backend())
    stale.refresh_from_db()
    assert stale.status == "failed"
    assert run.status == "ok"


def test_the_log_records_counts_requests_skipped_chats_and_duration(small_school):
    # given
    backend = crowded_backend()
    backend.chat("3", "Олимпиада")
    from sferum_api import ChatAccessError

    backend.errors[("members", "3")] = ChatAccessError("3", "no access (917)")
    # when
    run, result = school_sync_run(school=small_school, backend=backend, since=date(2026, 11, 1))
    # then
    run.refresh_from_db()
    assert run.status == "ok"
    assert run.finished_at == NOW
    assert run.duration_seconds is not None
    assert run.requests == result.requests > 0
    assert run.skipped_chats == [{"chat": "3", "reason": "no access (917)"}]
    assert run.counts["members"] == {"added": 32, "removed": 0}
    assert run.since == date(2026, 11, 1)


def test_a_school_without_an_integration_cannot_sync(small_school):
    with pytest.raises(IntegrationError, match="not connected"):
        school_sync_run(school=small_school)


def test_an_unexpected_error_fails_the_run_cleanly(small_school):
    backend = crowded_backend()
    backend.errors[("messages", "2")] = RuntimeError("disk on fire")
    run, result = school_sync_run(school=small_school, backend=backend)
    assert (run.status, result.status) == ("failed", "failed")
    assert "RuntimeError" in run.error
    assert not SyncRun.objects.filter(status="running").exists()


# ----- killed mid-way, then run again ------------------------------------------------------------------


def test_a_sync_killed_mid_way_and_run_again_equals_one_clean_run():
    # given: the same simulated school twice
    killed_school, killed_backend = simulated_school("KILLED")
    clean_school, clean_backend = simulated_school("CLEAN")
    chat_ids = [info.chat_id for info in killed_backend.list_chats()]
    # when: the first run dies in the middle of the chats, then runs again
    killed_backend.fault_inject("iter_messages", chat_ids[len(chat_ids) // 2], RuntimeError("killed"))
    first, _ = school_sync_run(school=killed_school, backend=killed_backend, since=SINCE)
    assert first.status == "failed"
    killed_backend.faults.clear()
    again, _ = school_sync_run(school=killed_school, backend=killed_backend, since=SINCE)
    clean, _ = school_sync_run(school=clean_school, backend=clean_backend, since=SINCE)
    # then
    assert (again.status, clean.status) == ("ok", "ok")
    assert dump(killed_school) == dump(clean_school)


# ----- through the vk wire ----------------------------------------------------------------------------


@pytest.fixture
def vk_school():
    school, simulated = simulated_school("VK-1")
    since_at = datetime.combine(SINCE, datetime.min.time(), tzinfo=UTC)
    with VkServer.from_backend(simulated, token=TOKEN, since=since_at) as server:
        integration_connect(school=school, backend="vk", base_url=server.url, token=TOKEN, rps=0)
        yield school, server


def test_a_vk_sync_stores_the_school_and_a_second_sync_adds_nothing(vk_school):
    school, _server = vk_school
    # when
    first, result = school_sync_run(school=school, since=SINCE)
    second, again = school_sync_run(school=school, since=SINCE)
    # then
    assert first.status == "ok", first.error
    assert result.messages_added > 100
    assert result.accounts_linked > 500
    assert (again.chats_added, again.members_added, again.members_removed, again.messages_added) == (0, 0, 0, 0)
    assert second.status == "ok"


def test_vk_rate_limits_are_retried_and_the_sync_succeeds(vk_school):
    school, server = vk_school
    server.error(6, times=1, endpoint=GET_MEMBERS)
    server.error(9, times=1, endpoint=GET_HISTORY)
    run, result = school_sync_run(school=school, since=SINCE)
    assert run.status == "ok"
    assert run.retries == 2
    assert result.messages_added > 100


def test_a_vk_chat_without_access_is_skipped_and_logged(vk_school):
    school, server = vk_school
    chat_id = str(server.data.chats[0].chat_id)
    server.deny_chat(chat_id, 917)
    run, _result = school_sync_run(school=school, since=SINCE)
    assert run.status == "ok"
    assert run.skipped_chats == [{"chat": chat_id, "reason": "no access (917)"}]
    assert not Message.objects.filter(chat__platform_id=chat_id).exists()


def test_an_expired_vk_token_fails_at_once_and_writes_nothing(vk_school):
    school, server = vk_school
    server.error(5, times=100)
    run, result = school_sync_run(school=school, since=SINCE)
    assert run.status == "failed"
    assert "reconnect" in run.error
    assert server.count() == 1
    assert not Chat.objects.filter(school=school).exists()
    assert TOKEN not in json.dumps(result.to_json(school.code, "vk"))


def test_vk_server_trouble_beyond_the_retries_fails_the_chat_with_nothing_half_written(vk_school, settings):
    school, server = vk_school
    server.http_status(503, times=settings.SFERUM_HTTP_RETRY["max_attempts"], endpoint=GET_HISTORY)
    run, _result = school_sync_run(school=school, since=SINCE)
    assert run.status == "failed"
    assert "unavailable" in run.error
    # the chat being read when it failed has no membership, message or cursor written
    assert not Chat.objects.filter(school=school, last_synced_at__isnull=False).exists()
    assert not Message.objects.filter(chat__school=school).exists()


# ----- tasks ----------------------------------------------------------------------------------------


def test_the_sync_task_returns_quietly_when_the_school_is_gone():
    assert tasks.sync_school.delay(987654).get() is None


def test_the_municipality_fan_out_syncs_every_connected_school(django_capture_on_commit_callbacks):
    # given
    first, _ = simulated_school("FAN-1", roster=False)
    second = School.objects.create(
        municipality=first.municipality, code="FAN-2", full_name="Школа 2", short_name="Школа 2"
    )
    SchoolFactory(municipality=first.municipality)  # not connected: not synced
    for index, school in enumerate((first, second)):
        integration_connect(school=school, backend="simulator", options={"seed": 3, "school_index": index})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.sync_municipality.delay(first.municipality_id).get()
    # then
    assert count == 2
    assert sorted(SyncRun.objects.values_list("school__code", "status")) == [("FAN-1", "ok"), ("FAN-2", "ok")]


def test_a_disabled_integration_is_not_synced(small_school):
    integration_connect(school=small_school, backend="simulator")
    Integration.objects.filter(school=small_school).update(enabled=False)
    assert tasks.sync_school.delay(small_school.pk).get() is None
    assert not SyncRun.objects.exists()


# ----- commands ---------------------------------------------------------------------------------------


def run_command(name: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


def test_sferum_sync_json_has_the_cli_shape_and_no_token_is_ever_printed(vk_school, monkeypatch, caplog):
    # given
    school, server = vk_school
    monkeypatch.setenv("SCHOOL_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    code, connect_out, connect_err = run_command(
        "sferum_connect", "--school", school.code, "--backend", "vk", "--url", server.url, "--token-env",
        "SCHOOL_TOKEN", "--rps", "0",
    )  # fmt: skip
    assert code == 0, connect_err
    # when
    code, out, err = run_command("sferum_sync", "--school", school.code, "--since", SINCE.isoformat(), "--json")
    # then
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {
        "school", "status", "backend", "chats", "members", "accounts", "messages", "skipped_items", "requests",
        "retries", "error",
    }  # fmt: skip
    assert set(data["chats"]) == {"seen", "added", "skipped", "gone"}
    assert data["skipped_items"] == {"count": 0, "reasons": {}}
    assert set(data["members"]) == {"added", "removed"}
    assert set(data["accounts"]) == {"linked", "unlinked", "ambiguous"}
    assert set(data["messages"]) == {"added", "duplicates"}
    assert (data["school"], data["status"], data["backend"], data["error"]) == (school.code, "ok", "vk", None)
    # and the token is nowhere: outputs, logs, the stored integration, the sync log
    integration = Integration.objects.get(school=school)
    runs = list(SyncRun.objects.values())
    for text in (connect_out, connect_err, out, err, caplog.text, integration.token_encrypted, repr(runs)):
        assert TOKEN not in text


def test_sferum_sync_exits_1_on_failure_with_one_line_and_no_token(vk_school, monkeypatch):
    school, server = vk_school
    server.error(5, times=100)
    code, _out, err = run_command("sferum_sync", "--school", school.code, "--json")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert TOKEN not in err


def test_sferum_sync_exits_3_when_held(small_school, monkeypatch):
    # given: a connected school whose next sync would end 4 of 32 memberships
    backend = crowded_backend()
    school_sync_run(school=small_school, backend=backend)
    backend.members["1"] = backend.members["1"][4:]
    integration_connect(school=small_school, backend="simulator")
    monkeypatch.setattr("chats.services.backend_build", lambda integration: backend)
    # when
    code, out, _err = run_command("sferum_sync", "--school", small_school.code)
    # then
    assert code == 3
    assert "--confirm-removals" in out


def test_sferum_connect_refuses_an_empty_token_variable(small_school, monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    code, _out, err = run_command(
        "sferum_connect", "--school", small_school.code, "--backend", "vk", "--token-env", "NO_SUCH_TOKEN"
    )
    assert code == 1
    assert "NO_SUCH_TOKEN" in err


def test_sferum_connect_max_needs_chat_ids(small_school, monkeypatch):
    monkeypatch.setenv("MAX_TOKEN", "abc")
    code, _out, err = run_command(
        "sferum_connect", "--school", small_school.code, "--backend", "max", "--token-env", "MAX_TOKEN"
    )
    assert code == 1
    assert "chat ids" in err


def test_sferum_sync_for_an_unknown_school_fails_clearly():
    code, _out, err = run_command("sferum_sync", "--school", "NOPE")
    assert code == 1
    assert "NOPE" in err


def test_the_admin_action_queues_held_runs_with_their_removals_confirmed(
    client, small_school, django_capture_on_commit_callbacks
):
    # given
    from unittest import mock

    from django.urls import reverse

    held = SyncRun.objects.create(school=small_school, backend="simulator", status="held", started_at=NOW)
    done = SyncRun.objects.create(school=small_school, backend="simulator", status="ok", started_at=NOW)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    # when
    with (
        mock.patch("chats.admin.sync_held_confirm_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            reverse("admin:chats_syncrun_changelist"),
            {"action": "confirm_removals", "_selected_action": [held.pk, done.pk]},
        )
    # then: only the held one
    delay.assert_called_once_with(held.pk, superuser.pk)
