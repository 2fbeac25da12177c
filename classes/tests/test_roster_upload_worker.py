"""A large roster upload is read, checked and dry-run once by the worker, its preview shown from what the worker
kept, its confirmed import run by the worker (hold included); pending uploads are removed hourly by beat
(issue 9, findings 4 and 11)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from classes import tasks
from classes.models import RosterImport
from classes.models import RosterMapping
from classes.models import RosterUpload
from classes.models import User
from classes.roster import importer
from classes.roster import uploads
from classes.roster.importer import roster_import
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)  # Monday, 09:00 in Moscow

STUDENTS = [
    ("S-1", "Смирнов Пётр Алексеевич", "5А"),
    ("S-2", "Орлова Анна Дмитриевна", "5А"),
    ("S-3", "Волков Дмитрий Игоревич", "5Б"),
    ("S-4", "Петрова-Водкина Мария", "5Б"),
]


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def _big(settings):
    """Every roster file of these tests goes to the worker."""
    settings.ROSTER_READ_INLINE_MAX_BYTES = 10


def roster_csv(students: list[tuple[str, str, str]], name_header: str = "ФИО") -> bytes:
    """A roster with one class teacher and the students (person_id, full name, class)."""
    lines = [f"Роль;Идентификатор;{name_header};Класс;Классный руководитель", "учитель;T-1;Иванова Мария Петровна;;5А"]
    lines += [f"ученик;{pid};{name};{class_name};" for pid, name, class_name in students]
    return ("\n".join(lines) + "\n").encode("utf-8")


def school_with_admin():
    school = SchoolFactory()
    StaffFactory(school=school, person_id="T-1", last_name="Иванова", first_name="Мария", patronymic="Петровна")
    return school, UserFactory(role=User.Role.SCHOOL_ADMIN, school=school)


@pytest.fixture
def admin():
    return school_with_admin()[1]


def urls(upload: RosterUpload) -> dict[str, str]:
    kwargs = {"school_id": upload.school_id, "upload_id": upload.pk}
    return {
        "preview": reverse("roster-upload-preview", kwargs=kwargs),
        "import": reverse("roster-upload-import", kwargs=kwargs),
        "cancel": reverse("roster-upload-cancel", kwargs=kwargs),
    }


def post_upload(client, admin, content: bytes, capture) -> RosterUpload:
    client.force_login(admin)
    with capture(execute=True):
        response = client.post(
            reverse("roster-upload", kwargs={"school_id": admin.school.pk}),
            {"file": SimpleUploadedFile("big.csv", content, content_type="text/csv")},
        )
    assert response.status_code == 302
    return RosterUpload.objects.latest("pk")


@pytest.fixture
def no_reading(monkeypatch):
    """From now on any read of a roster file fails the test."""

    def refuse(**kwargs):
        raise AssertionError("the file was read again")

    def forbid() -> None:
        for module in ("classes.views.roster", "classes.roster.importer", "classes.roster.uploads"):
            monkeypatch.setattr(f"{module}.table_read", refuse)

    return forbid


def test_a_big_upload_is_read_and_dry_run_once_by_the_worker_and_its_preview_reads_nothing(
    client, admin, django_capture_on_commit_callbacks, no_reading
):
    # given
    upload = post_upload(client, admin, roster_csv(STUDENTS), django_capture_on_commit_callbacks)
    no_reading()
    # when
    response = client.get(urls(upload)["preview"])
    partial = client.get(urls(upload)["preview"], headers={"HX-Request": "true"})
    # then
    upload.refresh_from_db()
    page = response.content.decode()
    assert (upload.state, upload.by_worker, upload.rows_read) == (RosterUpload.State.READY, True, 6)
    assert upload.headers == ["Роль", "Идентификатор", "ФИО", "Класс", "Классный руководитель"]
    assert upload.preview["status"] == "ok"
    assert upload.preview["students"]["added"] == 4
    assert [(c["name"], len(c["added"])) for c in upload.preview["class_changes"]] == [("5А", 2), ("5Б", 2)]
    assert "What the import changes" in page and "Петрова-Водкина Мария" in page
    assert "Students: 4 added, 0 updated, 0 left, 0 moved." in page
    assert 'hx-trigger="every 2s"' not in page
    assert partial.status_code == 200 and partial.templates[0].name == "roster/_preview.html"
    assert not RosterImport.objects.exists()


def test_the_worker_reads_a_big_file_once_for_its_progress_headers_and_dry_run(
    client, admin, django_capture_on_commit_callbacks, monkeypatch
):
    # given
    reads = []
    real_read = uploads.table_read

    def counted(**kwargs):
        reads.append(kwargs["filename"])
        return real_read(**kwargs)

    for module in ("classes.views.roster", "classes.roster.importer", "classes.roster.uploads"):
        monkeypatch.setattr(f"{module}.table_read", counted)
    # when
    upload = post_upload(client, admin, roster_csv(STUDENTS), django_capture_on_commit_callbacks)
    client.get(urls(upload)["preview"])
    # then
    assert reads == ["big.csv"]
    upload.refresh_from_db()
    assert upload.preview["students"]["added"] == 4


def test_a_big_uploads_errors_are_kept_and_shown_without_reading_again(
    client, admin, django_capture_on_commit_callbacks, no_reading
):
    # given
    upload = post_upload(
        client, admin, roster_csv([("S-1", "Смирнов Пётр", "12Я")]), django_capture_on_commit_callbacks
    )
    no_reading()
    # when
    page = client.get(urls(upload)["preview"]).content.decode()
    # then
    assert "«12Я» is not a class name" in page
    assert "The file has 1 error; nothing can be imported until it is fixed." in page


def test_changing_the_columns_of_a_big_upload_hands_it_back_to_the_worker(
    client, admin, django_capture_on_commit_callbacks
):
    # given: a header the page does not recognise
    upload = post_upload(
        client, admin, roster_csv(STUDENTS, name_header="Ф.И.О. ученика"), django_capture_on_commit_callbacks
    )
    data = {"column_0": "role", "column_1": "person_id", "column_2": "full_name", "column_3": "class", "column_4": ""}
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = client.post(urls(upload)["preview"], data, headers={"HX-Request": "true"})
    upload.refresh_from_db()
    state_while_waiting = upload.state
    callbacks[0]()
    # then
    upload.refresh_from_db()
    assert state_while_waiting == RosterUpload.State.READING
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert RosterMapping.objects.get(school=admin.school).mapping == {"Ф.И.О. ученика": "full_name"}
    assert upload.mapping == {"Ф.И.О. ученика": "full_name"}
    assert (upload.state, upload.preview["status"], upload.preview["students"]["added"]) == ("ready", "ok", 4)


def test_the_import_of_a_big_upload_is_queued_and_ends_as_an_inline_import_would(
    client, admin, django_capture_on_commit_callbacks
):
    # given: the same file, imported inline into a school just like it
    content = roster_csv(STUDENTS)
    other_school, _other_admin = school_with_admin()
    inline = roster_import(school=other_school, content=content, filename="big.csv")
    upload = post_upload(client, admin, content, django_capture_on_commit_callbacks)
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(urls(upload)["import"], {"as_of": ""})
    waiting = client.get(urls(upload)["preview"], headers={"HX-Request": "true"}).content.decode()
    refused_cancel = client.post(urls(upload)["cancel"])
    callbacks[0]()  # the worker imports it (eagerly in the tests)
    done = client.get(urls(upload)["preview"], headers={"HX-Request": "true"})
    # then
    assert queued.status_code == 302 and queued["Location"] == urls(upload)["preview"]
    assert "Importing the file." in waiting and 'hx-trigger="every 2s"' in waiting
    assert refused_cancel.status_code == 302
    assert done.status_code == 200 and done["HX-Redirect"] == reverse(
        "roster-upload", kwargs={"school_id": admin.school.pk}
    )
    log = RosterImport.objects.get(school=admin.school)
    assert (log.status, log.user, log.file_name, log.file_hash) == ("ok", admin, "big.csv", inline.log.file_hash)
    assert log.counts == inline.log.counts
    assert admin.school.students.count() == other_school.students.count() == 4
    assert not RosterUpload.objects.exists()
    page = client.get(reverse("roster-upload", kwargs={"school_id": admin.school.pk})).content.decode()
    assert "The roster big.csv is imported." in page


def test_the_import_task_leaves_an_upload_already_imported_alone(client, admin, django_capture_on_commit_callbacks):
    # given
    upload = post_upload(client, admin, roster_csv(STUDENTS), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls(upload)["import"])
    # when: delivered again
    status = tasks.roster_upload_import_task.delay(upload.pk).get()
    # then
    assert status is None
    assert RosterImport.objects.count() == 1
    assert RosterUpload.objects.get().state == RosterUpload.State.IMPORTED


def test_a_big_upload_that_would_remove_people_is_held_until_the_removals_are_confirmed(
    client, admin, django_capture_on_commit_callbacks
):
    # given: 4 students; the new file has one of them
    roster_import(school=admin.school, content=roster_csv(STUDENTS), filename="first.csv")
    upload = post_upload(client, admin, roster_csv(STUDENTS[:1]), django_capture_on_commit_callbacks)
    preview = client.get(urls(upload)["preview"]).content.decode()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls(upload)["import"])
    held = client.get(urls(upload)["preview"]).content.decode()
    upload.refresh_from_db()
    state_after_hold = upload.state
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls(upload)["import"], {"confirm_removals": "on", "removals_typed": "3"})  # 3 of 5: typed
    done = client.get(urls(upload)["preview"])
    # then
    assert "Safety hold: 3 of the school" in preview and 'name="confirm_removals"' in preview
    assert state_after_hold == RosterUpload.State.READY
    assert "Nothing was imported: 3 of" in held and "Check the preview and confirm the removals." in held
    assert "See the import log." in held and 'name="confirm_removals"' in held
    assert done.status_code == 302
    assert list(RosterImport.objects.order_by("pk").values_list("status", flat=True)) == ["ok", "held", "ok"]
    assert admin.school.students.filter(enrollments__ends_on__isnull=True).count() == 1
    assert not RosterUpload.objects.exists()


def test_every_page_with_an_upload_of_another_school_answers_404(client, admin, django_capture_on_commit_callbacks):
    # given
    upload = post_upload(client, admin, roster_csv(STUDENTS), django_capture_on_commit_callbacks)
    _school, stranger = school_with_admin()
    client.force_login(stranger)
    theirs = urls(upload)
    kwargs = {"school_id": stranger.school.pk, "upload_id": upload.pk}
    through_own_school = {
        "preview": reverse("roster-upload-preview", kwargs=kwargs),
        "import": reverse("roster-upload-import", kwargs=kwargs),
        "cancel": reverse("roster-upload-cancel", kwargs=kwargs),
    }
    # when
    answers = [client.get(theirs["preview"]).status_code, client.get(through_own_school["preview"]).status_code]
    for url in (*theirs.values(), *through_own_school.values()):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(client.post(url, {"confirm_removals": "on"}).status_code)
    # then
    assert set(answers) == {404}
    upload.refresh_from_db()
    assert upload.state == RosterUpload.State.READY
    assert not RosterImport.objects.exists()


def test_the_cleanup_task_removes_only_uploads_older_than_the_limit(admin, time_machine, settings):
    # given: one upload 25 hours old, one 23 hours old
    settings.ROSTER_UPLOAD_KEEP_HOURS = 24
    time_machine.move_to(NOW - timedelta(hours=25), tick=False)
    RosterUpload.objects.create(school=admin.school, user=admin, file_name="old.csv", file_hash="0" * 64, content=b"")
    time_machine.move_to(NOW - timedelta(hours=23), tick=False)
    RosterUpload.objects.create(school=admin.school, user=admin, file_name="new.csv", file_hash="1" * 64, content=b"")
    time_machine.move_to(NOW, tick=False)
    # when: beat runs it, nobody having opened a page
    deleted = tasks.roster_uploads_expire_task.delay().get()
    # then
    assert deleted == 1
    assert list(RosterUpload.objects.values_list("file_name", flat=True)) == ["new.csv"]


def test_beat_runs_the_cleanup_hourly_with_an_expiry():
    entry = django_settings.CELERY_BEAT_SCHEDULE["classes-roster-uploads-expire"]
    assert entry["task"] == tasks.roster_uploads_expire_task.name == "classes.roster_uploads_expire"
    assert 0 < entry["options"]["expires"] <= 3600
    assert tasks.roster_upload_import_task.name == "classes.roster_upload_import"
    assert tasks.roster_upload_import_task.soft_time_limit < tasks.roster_upload_import_task.time_limit


def test_the_modules_read_the_file_through_the_reader():
    # the no_reading fixture patches these names; a rename must not make the tests above pass vacuously
    assert importer.table_read is uploads.table_read


def test_an_upload_the_worker_cannot_read_in_time_fails_with_a_message_instead_of_reading_forever(
    client, admin, django_capture_on_commit_callbacks, monkeypatch
):
    # given: the read runs past the task's soft time limit
    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr("classes.tasks.roster_upload_read", too_slow)
    # when
    with pytest.raises(SoftTimeLimitExceeded):
        post_upload(client, admin, roster_csv(STUDENTS), django_capture_on_commit_callbacks)
    upload = RosterUpload.objects.get()
    page = client.get(urls(upload)["preview"]).content.decode()
    # then
    assert (upload.state, bytes(upload.content)) == (RosterUpload.State.FAILED, b"")
    assert "The file took too long to read; split it into smaller files" in page
    assert 'hx-trigger="every 2s"' not in page


def test_an_import_that_breaks_in_the_worker_writes_nothing_and_the_page_says_so(
    client, admin, django_capture_on_commit_callbacks, monkeypatch
):
    # given
    upload = post_upload(client, admin, roster_csv(STUDENTS), django_capture_on_commit_callbacks)

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr("classes.roster.upload_worker.roster_import", too_slow)
    # when
    with pytest.raises(SoftTimeLimitExceeded), django_capture_on_commit_callbacks(execute=True):
        client.post(urls(upload)["import"])
    page = client.get(urls(upload)["preview"]).content.decode()
    # then
    upload.refresh_from_db()
    assert upload.state == RosterUpload.State.READY
    assert "The import did not finish and nothing was imported; try again in a few minutes." in page
    assert 'name="as_of"' in page
    assert not RosterImport.objects.exists() and not admin.school.students.exists()
