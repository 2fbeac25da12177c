"""The roster upload's API (issue 14): a school administrator uploads a file, reads its preview and confirms its
import, which the worker runs, held as on the page when too many would leave; other roles read-only (403) or
outside the scope (404); errors are problem details with the page's sentences."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from classes.models import RosterImport
from classes.models import RosterUpload
from classes.models import Student
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.hostile_files import hostile
from classes.tests.roster_files import PEOPLE
from classes.tests.roster_files import csv_bytes
from classes.tests.roster_files import rows_of
from classes.tests.roster_files import run
from classes.tests.roster_files import without
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build
from classes.tests.scenario import teacher_user

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)  # Monday, 09:00 in Moscow
PROBLEM = "application/problem+json"

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW), pytest.mark.usefixtures("english")]


def upload_url(school) -> str:
    return f"/api/v1/schools/{school.pk}/roster-uploads/"


def roster_file(people=PEOPLE, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows_of(people)), content_type="text/csv")


def post_file(client, school, file: SimpleUploadedFile):
    return client.post(upload_url(school), {"file": file}, HTTP_ACCEPT_LANGUAGE="en")


def confirm(client, upload_id: int, **data):
    return client.post(
        f"/api/v1/roster-uploads/{upload_id}/confirm/", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.fixture
def school():
    return SchoolFactory(municipality=MunicipalityFactory())


@pytest.fixture
def admin_client(client, school):
    client.force_login(school_admin(school))
    return client


def test_a_school_administrator_uploads_a_roster_and_is_sent_to_its_preview(admin_client, school):
    # when
    response = post_file(admin_client, school, roster_file())
    # then
    upload = RosterUpload.objects.get()
    body = response.json()
    assert response.status_code == 202
    assert response["Location"] == f"/api/v1/roster-uploads/{upload.pk}/" == body["url"]
    assert (body["id"], body["state"], body["held"]) == (upload.pk, "ready", False)
    assert body["preview"]["students"]["added"] == 6
    assert not Student.objects.exists()


def test_the_preview_reads_back_with_counts_per_class_and_no_names(admin_client, school):
    # given
    location = post_file(admin_client, school, roster_file())["Location"]
    # when
    response = admin_client.get(location)
    # then
    preview = response.json()["preview"]
    assert response.status_code == 200
    assert preview["status"] == "ok"
    assert [(c["name"], c["added"], c["left"], c["moved_in"]) for c in preview["class_changes"]] == [
        ("5А", 2, 0, 0),
        ("5Б", 2, 0, 0),
        ("6А", 2, 0, 0),
    ]
    assert "Смирнов" not in response.content.decode()


def test_confirming_queues_the_import_which_the_worker_runs_and_a_second_confirm_is_a_conflict(
    admin_client, school, django_capture_on_commit_callbacks
):
    # given
    upload_id = post_file(admin_client, school, roster_file()).json()["id"]
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        confirmed = confirm(admin_client, upload_id)
    again = confirm(admin_client, upload_id)
    # then
    assert confirmed.status_code == 202
    assert confirmed["Location"] == f"/api/v1/roster-uploads/{upload_id}/"
    assert confirmed.json()["state"] == "importing"
    assert len(callbacks) == 1
    assert Student.objects.filter(school=school).count() == 6
    read_back = admin_client.get(confirmed["Location"]).json()
    assert read_back["state"] == "imported"
    assert read_back["last_import"]["status"] == "ok"
    assert again.status_code == 409
    assert again["Content-Type"] == PROBLEM
    assert "already confirmed" in again.json()["detail"]


def test_an_import_that_removes_too_many_is_held_until_the_removals_are_confirmed(
    admin_client, school, django_capture_on_commit_callbacks
):
    # given: the school's roster, then a file without class 6А's two students and their parents
    run(school, PEOPLE)
    upload = post_file(admin_client, school, roster_file(without(PEOPLE, "S-1005", "S-1006", "P-2006", "P-2007")))
    upload_id = upload.json()["id"]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        confirm(admin_client, upload_id)
    held = admin_client.get(f"/api/v1/roster-uploads/{upload_id}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        released = confirm(admin_client, upload_id, confirm_removals=True)
    # then
    assert upload.json()["held"] is True
    assert (held["state"], held["last_import"]["status"]) == ("ready", "held")
    assert "4 of 17 people would leave" in held["last_import"]["message"]
    assert released.status_code == 202
    assert RosterImport.objects.filter(school=school).first().status == "ok"


def test_a_big_file_is_read_by_the_worker_and_cannot_be_confirmed_before_its_preview(
    admin_client, school, settings, django_capture_on_commit_callbacks
):
    # given
    settings.ROSTER_READ_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        uploaded = post_file(admin_client, school, roster_file())
    upload_id = uploaded.json()["id"]
    # when
    early = confirm(admin_client, upload_id)
    callbacks[0]()
    ready = admin_client.get(uploaded["Location"]).json()
    # then
    assert (uploaded.status_code, uploaded.json()["state"], uploaded.json()["preview"]) == (202, "reading", None)
    assert early.status_code == 409
    assert early.json()["detail"] == "The file is still being read; wait for its preview, then confirm the import."
    assert (ready["state"], ready["preview"]["students"]["added"]) == ("ready", 6)


def test_a_hostile_file_is_refused_with_the_pages_sentence_and_kept_nowhere(admin_client, school):
    # given
    content, filename = hostile("wide-header.csv")
    # when
    response = post_file(admin_client, school, SimpleUploadedFile(filename, content))
    # then
    problem = response.json()
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert "The file has more than 100 columns" in problem["errors"]["file"][0]
    assert not RosterUpload.objects.exists()


def test_a_file_over_the_size_limit_is_refused_by_the_pages_form(admin_client, school, settings):
    # given
    settings.IMPORT_FILE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("roster.csv", csv_bytes(rows_of(PEOPLE)) + b"\n" * (1024 * 1024))
    # when
    response = post_file(admin_client, school, big)
    # then
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "The file is 1.1 MB; a file may be at most 1 MB. Split it or remove other sheets, and upload it again."
    ]
    assert not RosterUpload.objects.exists()


def test_a_missing_file_and_a_day_in_the_future_are_bad_requests(admin_client, school):
    # given
    upload_id = post_file(admin_client, school, roster_file()).json()["id"]
    # when
    missing = admin_client.post(upload_url(school), {})
    future = confirm(admin_client, upload_id, as_of="2027-01-10")
    # then
    assert (missing.status_code, list(missing.json()["errors"])) == (400, ["file"])
    assert (future.status_code, list(future.json()["errors"])) == (400, ["as_of"])
    assert RosterUpload.objects.get().state == "ready"


def test_administrators_above_the_school_and_its_teachers_read_only_and_others_not_at_all(client):
    # given
    data, other = school_build(municipality=MunicipalityFactory(region=RegionFactory())), school_build()
    municipality = data.school.municipality
    readers = [municipal_admin(municipality), regional_admin(municipality.region), teacher_user(data)]
    # when
    statuses = []
    for reader in readers:
        client.force_login(reader)
        statuses.append(
            (
                post_file(client, data.school, roster_file()).status_code,
                post_file(client, other.school, roster_file()).status_code,
            )
        )
    # then
    assert statuses == [(403, 404)] * 3
    assert not RosterUpload.objects.exists()


def test_another_schools_or_another_administrators_upload_is_not_found(client, school):
    # given
    owner, colleague, stranger = school_admin(school), school_admin(school), school_admin(SchoolFactory())
    client.force_login(owner)
    upload_id = post_file(client, school, roster_file()).json()["id"]
    # when
    answers = []
    for user in (colleague, stranger):
        client.force_login(user)
        answers += [
            client.get(f"/api/v1/roster-uploads/{upload_id}/").status_code,
            confirm(client, upload_id).status_code,
        ]
    client.force_login(municipal_admin(school.municipality))
    reader = client.get(f"/api/v1/roster-uploads/{upload_id}/").status_code
    # then
    assert answers == [404, 404, 404, 404]
    assert reader == 403
    assert RosterUpload.objects.get().state == "ready"


def test_a_session_post_without_the_csrf_token_is_refused(school):
    # given
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin(school))
    # when
    response = post_file(client, school, roster_file())
    # then
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not RosterUpload.objects.exists()


def test_too_many_uploads_waiting_is_a_conflict_with_the_pages_sentence(admin_client, school, settings):
    # given
    settings.ROSTER_UPLOADS_PER_USER = 1
    post_file(admin_client, school, roster_file())
    # when
    response = post_file(admin_client, school, roster_file())
    # then
    assert response.status_code == 409
    assert response.json()["detail"].startswith("You have 1 uploaded file waiting for its preview")
    assert RosterUpload.objects.count() == 1
