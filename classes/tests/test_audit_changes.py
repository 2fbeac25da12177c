"""Every change an administrator makes in the classes layer is audited once, in its scope, when it happens:
roster imports, the release or discard of a held import, the school's profile and thresholds, the school
calendar, and a region's or municipality's settings. A refused change writes no entry; no child is named.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from classes.models import AuditEntry
from classes.models import Holiday
from classes.models import RosterImport
from classes.models import RosterUpload
from classes.models import User
from classes.roster.importer import roster_import
from classes.roster.uploads import RosterUploadError
from classes.roster.uploads import roster_upload_discard
from classes.services import calendar_entry_delete
from classes.services import calendar_entry_save
from classes.services import school_profile_update
from classes.settings_changes import scope_settings_save
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import UserFactory
from classes.tests.test_roster_pages import NOW
from classes.tests.test_roster_pages import STUDENTS
from classes.tests.test_roster_pages import Site
from classes.tests.test_roster_pages import preview_url
from classes.tests.test_roster_pages import roster_csv
from classes.tests.test_roster_pages import upload

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def site():
    return Site()


def entries(action: str):
    return AuditEntry.objects.filter(action=action)


def import_url(site, uploaded) -> str:
    return reverse("roster-upload-import", kwargs={"school_id": site.school.pk, "upload_id": uploaded.pk})


def cancel_url(site, uploaded) -> str:
    return reverse("roster-upload-cancel", kwargs={"school_id": site.school.pk, "upload_id": uploaded.pk})


def held_upload(client, site):
    """The school has 4 students and the class teacher; the uploaded file keeps 1 student (3 of 5 leave)."""
    roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv", user=site.admin)
    AuditEntry.objects.all().delete()
    uploaded = upload(client, site, roster_csv(STUDENTS[:1]))
    client.post(import_url(site, uploaded), {})  # held: the removals are not confirmed
    return uploaded


# ---------------------------------------------------------------------------
# Roster imports and their holds
# ---------------------------------------------------------------------------


def test_an_import_that_wrote_is_audited_with_its_counts_in_the_schools_scope_and_no_names(site):
    # when
    result = roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv", user=site.admin)
    # then
    entry = entries("roster.import").get()
    assert (entry.user, entry.school, entry.municipality) == (site.admin, site.school, site.municipality)
    assert f"log {result.log.pk}" in entry.description and "students added 4" in entry.description
    assert not any(name.split()[0] in entry.description for _pid, name, _class in STUDENTS)
    assert entry.rows > 0


def test_a_failed_or_held_import_writes_no_entry(site):
    # given
    roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv", user=site.admin)
    AuditEntry.objects.all().delete()
    # when
    failed = roster_import(school=site.school, content=b"nothing;here\n", filename="bad.csv", user=site.admin)
    held = roster_import(school=site.school, content=roster_csv(STUDENTS[:1]), filename="held.csv", user=site.admin)
    # then
    assert (failed.status, held.status) == ("failed", "held")
    assert not AuditEntry.objects.exists()


def test_an_import_by_the_command_has_no_user_and_says_so(site):
    # when
    roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv", command="roster_import")
    # then
    entry = entries("roster.import").get()
    assert entry.user is None and "by the command roster_import" in entry.description


def test_releasing_a_held_import_with_the_right_number_is_audited_as_a_release(client, site):
    # given
    uploaded = held_upload(client, site)
    # when
    client.post(import_url(site, uploaded), {"confirm_removals": "on", "removals_typed": "3"})
    # then
    entry = entries("roster.hold.release").get()
    assert (entry.user, entry.school) == (site.admin, site.school)
    assert "removing 3 people" in entry.description
    assert not entries("roster.import").exists()


def test_a_release_with_a_wrong_number_writes_no_entry(client, site):
    # given
    uploaded = held_upload(client, site)
    # when
    client.post(import_url(site, uploaded), {"confirm_removals": "on", "removals_typed": "2"})
    # then
    assert list(RosterImport.objects.order_by("pk").values_list("status", flat=True)) == ["ok", "held", "held"]
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_cancelling_a_held_upload_is_audited_as_a_discard(client, site):
    # given
    uploaded = held_upload(client, site)
    # when
    client.post(cancel_url(site, uploaded))
    # then
    entry = entries("roster.hold.discard").get()
    assert (entry.user, entry.school, entry.municipality) == (site.admin, site.school, site.municipality)
    assert "3 people would have left" in entry.description


def test_cancelling_an_upload_that_was_never_held_writes_no_entry(client, site):
    # given
    uploaded = upload(client, site, roster_csv(STUDENTS))
    client.get(preview_url(site, uploaded))
    # when
    client.post(cancel_url(site, uploaded))
    # then
    assert not AuditEntry.objects.exclude(action="login").exists()


def worker_upload(site, state: str, status: str) -> RosterUpload:
    """An upload the worker read, whose last import (held or failed) it kept."""
    log = RosterImport.objects.create(
        school=site.school, user=site.admin, file_name="big.xlsx", status=status, counts={"would_leave": 40}
    )
    return RosterUpload.objects.create(
        school=site.school, user=site.admin, file_name="big.xlsx", content=b"", by_worker=True, state=state,
        import_log=log,
    )  # fmt: skip


def test_discarding_an_upload_the_worker_held_is_audited(site):
    # given
    uploaded = worker_upload(site, RosterUpload.State.READY, RosterImport.Status.HELD)
    # when
    discarded = roster_upload_discard(upload=uploaded, user=site.admin)
    # then
    entry = entries("roster.hold.discard").get()
    assert discarded and entry.user == site.admin and "40 people would have left" in entry.description
    assert not RosterUpload.objects.exists()


def test_an_upload_being_imported_cannot_be_discarded_and_writes_no_entry(site):
    # given
    uploaded = worker_upload(site, RosterUpload.State.IMPORTING, RosterImport.Status.HELD)
    # when
    with pytest.raises(RosterUploadError):
        roster_upload_discard(upload=uploaded, user=site.admin)
    # then
    assert RosterUpload.objects.exists() and not AuditEntry.objects.exists()


def test_discarding_an_upload_whose_import_failed_writes_no_entry(site):
    # given
    uploaded = worker_upload(site, RosterUpload.State.READY, RosterImport.Status.FAILED)
    # when
    discarded = roster_upload_discard(upload=uploaded, user=site.admin)
    # then
    assert not discarded and not AuditEntry.objects.exists()


# ---------------------------------------------------------------------------
# The school's profile, its calendar, a municipality's and a region's settings
# ---------------------------------------------------------------------------


def test_a_profile_change_is_audited_with_the_thresholds_old_and_new_values(site):
    # when
    school_profile_update(
        school=site.school, data={"activity_threshold": 7, "contacts": "+7 900 000-00-00"}, user=site.admin
    )
    # then
    entry = entries("settings.school").get()
    assert (entry.user, entry.school, entry.municipality) == (site.admin, site.school, site.municipality)
    assert "activity_threshold: — → 7" in entry.description and "contacts changed" in entry.description
    assert "+7 900" not in entry.description


def test_a_refused_or_empty_profile_change_writes_no_entry(site):
    # when
    with pytest.raises(ValidationError):
        school_profile_update(school=site.school, data={"timezone": "Mars/Olympus"}, user=site.admin)
    site.school.refresh_from_db()
    school_profile_update(school=site.school, data={"timezone": site.school.timezone}, user=site.admin)
    # then
    assert not AuditEntry.objects.exists()


def test_the_profile_page_audits_the_change_under_the_administrator(client, site):
    # given
    client.force_login(site.admin)
    url = reverse("school-profile", kwargs={"school_id": site.school.pk})
    data = {
        "full_name": site.school.full_name,
        "short_name": site.school.short_name,
        "timezone": site.school.timezone,
        "activity_threshold": "9",
    }
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    entry = entries("settings.school").get()
    assert entry.user == site.admin and "activity_threshold: — → 9" in entry.description


def test_calendar_entries_added_changed_and_deleted_are_audited_in_the_schools_scope(site):
    # given
    year = AcademicYearFactory(school=site.school)
    holiday = Holiday(year=year, name="осенние", starts_on=date(2026, 10, 26), ends_on=date(2026, 11, 3))
    # when
    calendar_entry_save(entry=holiday, user=site.admin)
    holiday.ends_on = date(2026, 11, 4)
    calendar_entry_save(entry=holiday, user=site.admin)
    calendar_entry_delete(entry=holiday, user=site.admin)
    # then
    added, changed, deleted = entries("settings.calendar").order_by("pk")
    assert {added.user, changed.user, deleted.user} == {site.admin}
    assert {added.school, changed.school, deleted.school} == {site.school}
    assert added.description.startswith("Added the holiday")
    assert "ends_on: 2026-11-03 → 2026-11-04" in changed.description
    assert deleted.description.startswith("Deleted the holiday")


def test_a_refused_calendar_entry_writes_no_entry(site):
    # given
    year = AcademicYearFactory(school=site.school)
    wrong = Holiday(year=year, name="наоборот", starts_on=date(2026, 11, 3), ends_on=date(2026, 10, 26))
    # when
    with pytest.raises(ValidationError):
        calendar_entry_save(entry=wrong, user=site.admin)
    # then
    assert not AuditEntry.objects.exists()


def test_a_municipalitys_thresholds_saved_are_audited_in_its_scope(site):
    # given
    municipality = site.municipality
    municipality.staff_target = Decimal("0.8")
    # when
    changed = scope_settings_save(scope=municipality, user=site.municipal)
    # then
    entry = entries("settings.municipality").get()
    assert changed and (entry.user, entry.municipality, entry.school) == (site.municipal, municipality, None)
    assert "staff_target: 1.0000 → 0.8" in entry.description


def test_a_region_saved_unchanged_writes_no_entry():
    # given
    region = RegionFactory()
    # when
    changed = scope_settings_save(scope=region, user=None)
    # then
    assert not changed and not AuditEntry.objects.exists()


def test_the_admin_audits_a_regions_threshold_change(client):
    # given
    region = RegionFactory()
    MunicipalityFactory(region=region)
    superuser = UserFactory(role=User.Role.REGIONAL_ADMIN, region=region, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:classes_region_change", args=[region.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(activity_threshold=12)
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    entry = entries("settings.region").get()
    assert (entry.user, entry.region) == (superuser, region)
    assert f"activity_threshold: {region.activity_threshold} → 12" in entry.description


def test_the_admin_audits_a_holiday_added_in_the_schools_scope(client, site):
    # given
    year = AcademicYearFactory(school=site.school)
    superuser = UserFactory(role=User.Role.REGIONAL_ADMIN, region=RegionFactory(), is_staff=True, is_superuser=True)
    client.force_login(superuser)
    data = {"year": year.pk, "name": "осенние", "starts_on": "2026-10-26", "ends_on": "2026-11-03"}
    # when
    response = client.post(reverse("admin:classes_holiday_add"), data)
    # then
    assert response.status_code == 302
    entry = entries("settings.calendar").get()
    assert (entry.user, entry.school) == (superuser, site.school)
    assert entry.description.startswith("Added the holiday")
