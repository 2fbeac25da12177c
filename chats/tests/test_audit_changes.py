"""Changes an administrator makes in the chats layer are audited once, in the school's scope, when they happen:
a held sync released by a confirmed run, and the school's integration connected or changed (the token is
never written, only said to be replaced). A refused change writes no entry.
"""

from datetime import UTC
from datetime import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from chats import services
from chats.integrations import IntegrationError
from chats.integrations import integration_connect
from chats.models import Integration
from chats.models import SyncRun
from chats.services import school_sync_run
from chats.services import sync_held_confirm
from chats.tests.fakes import crowded_backend
from classes.models import AuditEntry
from classes.models import User
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import school_admin

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
TOKEN = "vk1.a.TOPSECRET-token-0451"


@pytest.fixture
def school():
    school = SchoolFactory()
    SchoolClassFactory(school=school, year=AcademicYearFactory(school=school), grade=5, letter="А")
    return school


def entries(action: str):
    return AuditEntry.objects.filter(action=action)


def held_run(school, monkeypatch):
    """A held sync of the school (4 of its memberships would end); the integration builds the same backend."""
    backend = crowded_backend()
    Integration.objects.create(school=school, backend="simulator")
    monkeypatch.setattr(services, "backend_build", lambda integration: backend)
    school_sync_run(school=school, backend=backend)
    backend.members["1"] = backend.members["1"][4:]
    run, _result = school_sync_run(school=school, backend=backend)
    assert run.status == SyncRun.Status.HELD
    return run


# ---------------------------------------------------------------------------
# Held syncs
# ---------------------------------------------------------------------------


def test_a_held_sync_confirmed_is_audited_as_released_in_the_schools_scope(school, monkeypatch):
    # given
    held = held_run(school, monkeypatch)
    admin = school_admin(school)
    # when
    run, result = sync_held_confirm(run=held, user=admin)
    # then
    assert result.status == "ok"
    entry = entries("sync.hold.release").get()
    assert (entry.user, entry.school, entry.municipality) == (admin, school, school.municipality)
    assert f"held sync {held.pk}" in entry.description and f"run {run.pk}" in entry.description


def test_confirming_a_run_that_is_not_held_is_refused_and_writes_no_entry(school, monkeypatch):
    # given
    held = held_run(school, monkeypatch)
    ok_run = SyncRun.objects.filter(school=school, status=SyncRun.Status.OK).first()
    # when
    with pytest.raises(IntegrationError):
        sync_held_confirm(run=ok_run, user=school_admin(school))
    # then
    assert not AuditEntry.objects.exists()
    held.refresh_from_db()
    assert held.confirmed_at is None


def test_a_confirmed_sync_that_fails_releases_nothing_and_writes_no_entry(school, monkeypatch):
    # given
    held = held_run(school, monkeypatch)

    def broken(integration):
        raise IntegrationError("gone")

    monkeypatch.setattr(services, "backend_build", broken)
    # when
    _run, result = sync_held_confirm(run=held, user=school_admin(school))
    # then
    assert result.status == "failed"
    assert not AuditEntry.objects.exists()


# ---------------------------------------------------------------------------
# The integration's settings
# ---------------------------------------------------------------------------


def test_connecting_a_school_by_the_command_is_audited_without_the_token(school, monkeypatch):
    # given
    monkeypatch.setenv("SCHOOL_TOKEN", TOKEN)
    # when
    call_command(
        "sferum_connect", "--school", school.code, "--backend", "vk", "--url", "https://api.example", "--token-env",
        "SCHOOL_TOKEN",
    )  # fmt: skip
    # then
    entry = entries("settings.integration").get()
    assert (entry.user, entry.school) == (None, school)
    assert "by the command sferum_connect" in entry.description and "token replaced" in entry.description
    assert "backend: — → vk" in entry.description
    assert "TOPSECRET" not in entry.description and "api.example" not in entry.description


def test_a_changed_pace_is_audited_with_its_old_and_new_value(school):
    # given
    integration_connect(school=school, backend="simulator", rps=2.0)
    AuditEntry.objects.all().delete()
    admin = school_admin(school)
    # when
    integration_connect(school=school, backend="simulator", rps=5.0, user=admin)
    integration_connect(school=school, backend="simulator", rps=5.0, user=admin)  # nothing changes
    # then
    entry = entries("settings.integration").get()
    assert entry.user == admin and "rps: 2.0 → 5.0" in entry.description


def test_a_refused_connection_writes_no_entry(school):
    # when
    with pytest.raises(IntegrationError):
        integration_connect(school=school, backend="vk", token=None, user=school_admin(school))
    # then
    assert not AuditEntry.objects.exists() and not Integration.objects.exists()


def test_the_admin_audits_an_integration_switched_off(client, school):
    # given
    integration_connect(school=school, backend="simulator")
    AuditEntry.objects.all().delete()
    superuser = UserFactory(role=User.Role.REGIONAL_ADMIN, region=RegionFactory(), is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:chats_integration_change", args=[school.integration.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(enabled="", chat_ids="[]", options="{}")
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    entry = entries("settings.integration").get()
    assert (entry.user, entry.school) == (superuser, school) and "enabled: yes → no" in entry.description
