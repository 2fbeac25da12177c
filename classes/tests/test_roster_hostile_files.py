"""Hostile roster files (issue 9, findings 2–5 and pending uploads of 11): each is refused with a clear message,
in under 2 s and 200 MB, writing nothing, through the upload page and the roster_import command."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from classes.models import Parent
from classes.models import RosterImport
from classes.models import RosterUpload
from classes.models import Staff
from classes.models import Student
from classes.models import User
from classes.tabular import reading
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from classes.tests.hostile_files import REFUSED
from classes.tests.hostile_files import ROSTER_HEADER
from classes.tests.hostile_files import ROSTER_ROWS
from classes.tests.hostile_files import csv_many_rows
from classes.tests.hostile_files import hostile
from classes.tests.hostile_files import within_bounds

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def admin():
    school = SchoolFactory(code="SCH-9")
    return UserFactory(role=User.Role.SCHOOL_ADMIN, school=school)


def people() -> int:
    return Staff.objects.count() + Student.objects.count() + Parent.objects.count()


def post_upload(client, admin, content: bytes, name: str):
    client.force_login(admin)
    return client.post(
        reverse("roster-upload", kwargs={"school_id": admin.school.pk}),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def run_command(path) -> tuple[int, str, str]:
    stdout = StringIO()
    try:
        call_command("roster_import", "--school", "SCH-9", str(path), stdout=stdout)
    except CommandError as error:
        return error.returncode, stdout.getvalue(), str(error)
    return 0, stdout.getvalue(), ""


def roster_bytes() -> bytes:
    return ("\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n").encode()


@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_hostile_file_uploaded_in_the_page_is_refused_quickly_and_kept_nowhere(client, admin, name, message):
    # given: a server that has answered before (its first request imports half of Django)
    content, filename = hostile(name)
    post_upload(client, admin, b"", "warm-up.csv")
    # when
    with within_bounds():
        response = post_upload(client, admin, content, filename)
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RosterUpload.objects.count() == 0
    assert people() == 0


@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_hostile_file_given_to_the_command_is_refused_quickly_and_writes_nothing(admin, tmp_path, name, message):
    # given
    content, filename = hostile(name)
    path = tmp_path / filename
    path.write_bytes(content)
    # when
    with within_bounds():
        code, _stdout, error = run_command(path)
    # then
    assert code == 1
    assert message in error
    assert people() == 0
    assert RosterImport.objects.get().status == RosterImport.Status.FAILED


def test_a_file_over_the_size_limit_is_refused_by_the_page_and_the_command(client, admin, settings, tmp_path):
    # given
    settings.IMPORT_FILE_MAX_BYTES = 1024 * 1024
    content = roster_bytes() + b"\n" * (1024 * 1024)
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    message = "The file is 1.1 MB; a file may be at most 1 MB."
    # when
    response = post_upload(client, admin, content, "roster.csv")
    code, _stdout, error = run_command(path)
    # then
    assert message in response.content.decode()
    assert RosterUpload.objects.count() == 0
    assert code == 1 and message in error
    assert people() == 0


def test_rows_past_the_limit_are_refused(client, admin, settings):
    # given
    settings.IMPORT_MAX_ROWS = 30
    # when
    response = post_upload(client, admin, csv_many_rows(rows=31), "roster.csv")
    # then
    assert "The file has more than 30 rows besides the header" in response.content.decode()
    assert RosterUpload.objects.count() == 0


def test_a_file_at_the_row_limit_is_read(client, admin, settings):
    # given
    settings.IMPORT_MAX_ROWS = 30
    # when
    response = post_upload(client, admin, csv_many_rows(rows=30), "roster.csv")
    # then
    assert response.status_code == 302
    assert RosterUpload.objects.count() == 1


def test_nul_characters_in_a_name_are_a_row_error_not_a_database_error(admin, tmp_path):
    # given
    content, filename = hostile("nul.csv")
    path = tmp_path / filename
    path.write_bytes(content)
    # when
    with within_bounds():
        code, stdout, _error = run_command(path)
    # then
    assert code == 1
    assert "Row 3, «ФИО»: The cell holds a NUL character" in stdout
    assert people() == 0


def test_nul_characters_show_as_a_row_error_in_the_preview(client, admin):
    # given
    content, filename = hostile("nul.csv")
    response = post_upload(client, admin, content, filename)
    # when
    preview = client.get(response["Location"])
    # then
    assert preview.status_code == 200
    assert "The cell holds a NUL character" in preview.content.decode()
    assert people() == 0


def test_the_file_is_read_outside_any_transaction(client, admin, monkeypatch):
    # given: the test itself runs inside one transaction
    depth = len(connection.atomic_blocks)
    seen: list[int] = []
    real = reading.text_decode

    def spy(content):
        seen.append(len(connection.atomic_blocks))
        return real(content)

    monkeypatch.setattr(reading, "text_decode", spy)
    # when
    response = post_upload(client, admin, roster_bytes(), "roster.csv")
    # then
    assert response.status_code == 302
    assert seen and set(seen) == {depth}


def test_pending_uploads_are_limited_per_user(client, admin, settings):
    # given
    settings.ROSTER_UPLOADS_PER_USER = 2
    post_upload(client, admin, roster_bytes(), "one.csv")
    post_upload(client, admin, roster_bytes(), "two.csv")
    # when
    response = post_upload(client, admin, roster_bytes(), "three.csv")
    # then
    assert response.status_code == 200
    assert "You have 2 uploaded files waiting for their preview" in response.content.decode()
    assert sorted(RosterUpload.objects.values_list("file_name", flat=True)) == ["one.csv", "two.csv"]


def test_pending_uploads_are_removed_after_a_day(client, admin, clock):
    # given
    post_upload(client, admin, roster_bytes(), "old.csv")
    clock.move_to(NOW + timedelta(hours=23), tick=False)
    post_upload(client, admin, roster_bytes(), "recent.csv")
    # when
    clock.move_to(NOW + timedelta(hours=24, minutes=1), tick=False)
    response = client.get(reverse("roster-upload", kwargs={"school_id": admin.school.pk}))
    # then
    assert response.status_code == 200
    assert list(RosterUpload.objects.values_list("file_name", flat=True)) == ["recent.csv"]


def test_an_expired_upload_is_gone_from_its_preview(client, admin, clock):
    # given
    response = post_upload(client, admin, roster_bytes(), "old.csv")
    # when
    clock.move_to(NOW + timedelta(days=1, minutes=1), tick=False)
    preview = client.get(response["Location"])
    # then
    assert preview.status_code == 404
    assert RosterUpload.objects.count() == 0


def test_a_large_file_is_read_by_the_worker_and_the_page_shows_its_progress(
    client, admin, settings, django_capture_on_commit_callbacks
):
    # given
    settings.ROSTER_READ_INLINE_MAX_BYTES = 1000
    content = csv_many_rows(rows=1500)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_upload(client, admin, content, "large.csv")
    upload = RosterUpload.objects.get()
    # when: the worker has not read it yet
    waiting = client.get(response["Location"], headers={"HX-Request": "true"})
    # then
    assert upload.state == RosterUpload.State.READING
    assert len(callbacks) == 1
    assert "Reading the file: 0 rows so far." in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    # when: the worker reads it (Celery runs eagerly in the tests)
    callbacks[0]()
    ready = client.get(response["Location"])
    # then
    upload.refresh_from_db()
    assert (upload.state, upload.rows_read) == (RosterUpload.State.READY, 1501)
    assert "Reading the file" not in ready.content.decode()
    assert "What the import changes" in ready.content.decode()


def test_a_large_hostile_file_fails_in_the_worker_with_its_message_and_cannot_be_imported(
    client, admin, settings, django_capture_on_commit_callbacks
):
    # given
    settings.ROSTER_READ_INLINE_MAX_BYTES = 1000
    content, filename = hostile("declared-dimension.xlsx")
    post_upload(client, admin, b"", "warm-up.csv")
    # when
    with within_bounds(), django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, admin, content, filename)
    preview = client.get(response["Location"])
    upload = RosterUpload.objects.get()
    imported = client.post(
        reverse("roster-upload-import", kwargs={"school_id": admin.school.pk, "upload_id": upload.pk})
    )
    # then
    upload.refresh_from_db()
    assert (upload.state, bytes(upload.content)) == (RosterUpload.State.FAILED, b"")
    assert "The file has more than 20000 rows besides the header" in preview.content.decode()
    assert imported.status_code == 302
    assert people() == 0 and RosterImport.objects.count() == 0


@pytest.mark.parametrize("name", ["entities.xlsx", "truncated-sheet.xlsx", "truncated-archive.xlsx"])
def test_broken_xlsx_xml_is_a_clear_russian_error_not_a_500(client, admin, settings, name):
    # given: the product's language
    settings.LANGUAGE_CODE = "ru"
    content, filename = hostile(name)
    # when
    response = post_upload(client, admin, content, filename)
    # then
    assert response.status_code == 200
    assert "Файл не удаётся прочитать как книгу XLSX; пересохраните его как XLSX или CSV." in response.content.decode()
    assert RosterUpload.objects.count() == 0
