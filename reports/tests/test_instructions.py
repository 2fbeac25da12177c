"""Instructions' rules (issue 15, item 4): states, overdue in the school's time zone, done needs a comment and is
final, who may change what, a reminder at most once a day, the file checks, mail after the commit, audit entries."""

from __future__ import annotations

import logging
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from classes.models import AuditEntry
from classes.tests.scenario import NOW
from reports.instruction_files import attachment_check
from reports.instructions import instruction_remind
from reports.instructions import instruction_target_done
from reports.instructions import instruction_target_read
from reports.instructions import instructions_for_user
from reports.instructions import instructions_panel
from reports.models import Instruction
from reports.models import InstructionTarget

from .instruction_world import DEADLINE
from .instruction_world import docx_file
from .instruction_world import issue
from .instruction_world import pdf_file
from .instruction_world import world_build
from .instruction_world import xlsx_file
from .instruction_world import zip_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW), pytest.mark.usefixtures("english")]
Status = InstructionTarget.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return world_build()


def target_of(instruction, school) -> InstructionTarget:
    return InstructionTarget.objects.select_related("school", "instruction").get(instruction=instruction, school=school)


# --- issue -------------------------------------------------------------------------------------------------------


def test_issue_writes_one_instruction_and_a_target_per_school(world):
    # when
    instruction = issue(world, schools=[world.school, world.other_school], file=pdf_file())
    # then
    assert Instruction.objects.count() == 1
    assert instruction.municipality_id == world.school.municipality_id and instruction.region_id is None
    assert sorted(instruction.targets.values_list("school_id", flat=True)) == sorted(
        [world.school.pk, world.other_school.pk]
    )
    assert instruction.file.name.startswith("instructions/")
    assert default_storage.exists(instruction.file.name)
    assert instruction.file_name == "order.pdf"


def test_a_school_outside_the_issuers_scope_is_refused_and_nothing_written(world):
    # when / then
    with pytest.raises(PermissionDenied):
        issue(world, schools=[world.school, world.foreign_school])
    assert not Instruction.objects.exists()
    assert not AuditEntry.objects.filter(action="instruction.issued").exists()


@pytest.mark.parametrize("role", ["admin", "foreign_admin"])
def test_only_a_municipal_or_regional_administrator_issues(world, role):
    with pytest.raises(PermissionDenied):
        issue(world, user=getattr(world, role))
    assert not Instruction.objects.exists()


def test_a_regional_administrator_issues_to_the_regions_schools(world):
    # when
    instruction = issue(world, user=world.regional, schools=[world.school, world.other_school])
    # then
    assert instruction.region_id == world.regional.region_id and instruction.municipality_id is None
    with pytest.raises(PermissionDenied):
        issue(world, user=world.regional, schools=[world.foreign_school])


# --- states ------------------------------------------------------------------------------------------------------


def test_states_not_read_read_done(world):
    # given
    instruction = issue(world)
    target = target_of(instruction, world.school)
    today = date(2026, 11, 19)
    assert target.status_on(today) == Status.NOT_READ
    # when
    instruction_target_read(user=world.admin, target=target)
    # then
    target.refresh_from_db()
    assert target.status_on(today) == Status.READ
    assert (target.read_by, target.read_at) == (world.admin, NOW)
    # when
    instruction_target_done(user=world.admin, target=target, comment="Собрания проведены")
    # then
    target.refresh_from_db()
    assert target.status_on(today) == Status.DONE and not target.done_late()
    assert target.done_by == world.admin


def test_reading_twice_keeps_the_first_reading_and_audits_once(world, clock):
    # given
    target = target_of(issue(world), world.school)
    instruction_target_read(user=world.admin, target=target)
    clock.shift(3600)
    # when
    instruction_target_read(user=world.admin, target=target_of(target.instruction, world.school))
    # then
    target.refresh_from_db()
    assert target.read_at == NOW
    assert AuditEntry.objects.filter(action="instruction.read").count() == 1


def test_overdue_is_counted_in_the_schools_time_zone(world, clock):
    # given: a deadline of 25.11; in UTC it is still the 25th, in Vladivostok (UTC+10) already the 26th
    world.school.timezone = "Asia/Vladivostok"
    world.school.save()
    target = target_of(issue(world), world.school)
    clock.move_to(datetime(2026, 11, 25, 15, 0, tzinfo=UTC), tick=False)
    # when
    panel_far_east = instructions_panel(school=world.school, today=date(2026, 11, 26))
    # then
    from classes import clock as project_clock

    assert project_clock.today(world.school.tz) == date(2026, 11, 26)
    assert target.status_on(project_clock.today(world.school.tz)) == Status.OVERDUE
    assert target.status_on(project_clock.today("Europe/Moscow")) == Status.NOT_READ
    assert panel_far_east.overdue == 1 and panel_far_east.items[0].status == Status.OVERDUE


def test_done_after_the_deadline_shows_done_and_late(world, clock):
    # given
    target = target_of(issue(world), world.school)
    clock.move_to(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), tick=False)
    # when
    instruction_target_done(user=world.admin, target=target, comment="Сделано с опозданием")
    # then
    target.refresh_from_db()
    assert target.status_on(date(2026, 12, 1)) == Status.DONE
    assert target.done_late()
    assert "after the deadline" in AuditEntry.objects.get(action="instruction.done").description


def test_done_late_is_judged_in_the_schools_zone(world, clock):
    # given: 25.11 20:00 UTC is still the 25th in Moscow's west (UTC) but the 26th in Vladivostok
    world.school.timezone = "Asia/Vladivostok"
    world.school.save()
    target = target_of(issue(world), world.school)
    clock.move_to(datetime(2026, 11, 25, 20, 0, tzinfo=UTC), tick=False)
    # when
    instruction_target_done(user=world.admin, target=target, comment="Готово")
    # then
    assert target.done_late()


def test_the_panel_counts_every_open_instruction_and_shows_the_first_by_deadline(world):
    # given: seven open (two past their deadline on 19.11; the service takes any date), one done
    for day in (24, 17, 22, 20, 18, 23, 21):
        issue(world, deadline=date(2026, 11, day))
    done = issue(world, deadline=date(2026, 11, 19))
    instruction_target_done(user=world.admin, target=target_of(done, world.school), comment="Готово")
    # when
    panel = instructions_panel(school=world.school, today=date(2026, 11, 19))
    # then
    assert (panel.open, panel.overdue) == (7, 2)
    assert [item.instruction.deadline.day for item in panel.items] == [17, 18, 20, 21, 22]
    assert [item.status for item in panel.items] == [Status.OVERDUE] * 2 + [Status.NOT_READ] * 3
    assert instructions_panel(school=world.other_school, today=date(2026, 11, 19)).open == 0


# --- done: comment, final, who --------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   "])
def test_done_needs_a_comment(world, comment):
    target = target_of(issue(world), world.school)
    with pytest.raises(ValidationError, match="Write a comment"):
        instruction_target_done(user=world.admin, target=target, comment=comment)
    target.refresh_from_db()
    assert target.done_at is None


def test_done_is_final(world):
    # given
    target = target_of(issue(world), world.school)
    instruction_target_done(user=world.admin, target=target, comment="Готово")
    # when / then
    with pytest.raises(ValidationError, match="already marked done"):
        instruction_target_done(user=world.admin, target=target_of(target.instruction, world.school), comment="Ещё")
    target.refresh_from_db()
    assert target.comment == "Готово"


def test_done_marks_an_unread_instruction_read_too(world):
    target = target_of(issue(world), world.school)
    instruction_target_done(user=world.admin, target=target, comment="Готово", file=docx_file())
    target.refresh_from_db()
    assert target.read_at == target.done_at and target.read_by == world.admin
    assert target.file_name == "report.docx" and default_storage.exists(target.file.name)


@pytest.mark.parametrize("who", ["other_admin", "municipal", "foreign_admin", "regional"])
def test_only_the_schools_administrator_reads_or_marks_done(world, who):
    # given
    target = target_of(issue(world), world.school)
    user = getattr(world, who)
    # when / then
    with pytest.raises(PermissionDenied):
        instruction_target_read(user=user, target=target)
    with pytest.raises(PermissionDenied):
        instruction_target_done(user=user, target=target, comment="Готово")
    target.refresh_from_db()
    assert target.read_at is None and target.done_at is None


# --- reminders ---------------------------------------------------------------------------------------------------


def test_a_reminder_goes_at_most_once_a_day(world, clock, django_capture_on_commit_callbacks):
    # given
    instruction = issue(world, schools=[world.school, world.other_school])
    instruction_target_done(user=world.admin, target=target_of(instruction, world.school), comment="Готово")
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert instruction_remind(user=world.municipal, instruction=instruction) == 1
    # then: only the school not done is reminded
    assert [message.to for message in mail.outbox] == [[world.other_admin.email]]
    assert "Reminder" in mail.outbox[0].subject
    # when: again the same day
    with pytest.raises(ValidationError, match="already sent today"):
        instruction_remind(user=world.municipal, instruction=instruction)
    # when: the next day
    clock.shift(24 * 3600)
    with django_capture_on_commit_callbacks(execute=True):
        assert instruction_remind(user=world.municipal, instruction=instruction) == 1
    # then
    instruction.refresh_from_db()
    assert instruction.reminders == 2
    assert AuditEntry.objects.filter(action="instruction.reminded").count() == 2
    assert len(mail.outbox) == 2


def test_no_reminder_when_every_school_is_done(world):
    instruction = issue(world)
    instruction_target_done(user=world.admin, target=target_of(instruction, world.school), comment="Готово")
    with pytest.raises(ValidationError, match="nobody to remind"):
        instruction_remind(user=world.municipal, instruction=instruction)


@pytest.mark.parametrize("who", ["admin", "foreign_municipal", "regional"])
def test_only_the_issuing_scope_reminds(world, who):
    instruction = issue(world)
    with pytest.raises(PermissionDenied):
        instruction_remind(user=getattr(world, who), instruction=instruction)


# --- mail --------------------------------------------------------------------------------------------------------


def test_issue_mails_each_addressed_schools_administrator_after_the_commit(world, django_capture_on_commit_callbacks):
    # given: one administrator without an address gets nothing
    world.other_admin.email = ""
    world.other_admin.save()
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        instruction = issue(world, schools=[world.school, world.other_school])
    # then: nothing before the commit
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[world.admin.email]]
    assert instruction.title in mail.outbox[0].subject
    assert f"/schools/{world.school.pk}/instructions/{instruction.pk}/" in mail.outbox[0].body


def test_the_mail_is_russian_by_default(world, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "ru"
    with django_capture_on_commit_callbacks(execute=True):
        issue(world)
    assert mail.outbox[0].subject.startswith("Новое распоряжение")


def test_a_mail_failure_is_logged_without_the_text_and_keeps_the_instruction(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    # given
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    # when
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        instruction = issue(world)
    # then
    assert Instruction.objects.filter(pk=instruction.pk).exists()
    assert "ConnectionRefusedError" in caplog.text and f"Instruction {instruction.pk}" in caplog.text
    assert "Секретный" not in caplog.text and "Провести" not in caplog.text


# --- audit -------------------------------------------------------------------------------------------------------


def test_every_change_is_audited_with_ids_not_text(world, django_capture_on_commit_callbacks):
    # given
    instruction = issue(world, schools=[world.school, world.other_school])
    target = target_of(instruction, world.school)
    # when
    instruction_target_read(user=world.admin, target=target)
    instruction_target_done(user=world.admin, target=target, comment="Комментарий школы")
    instruction_remind(user=world.municipal, instruction=instruction)
    # then
    entries = {entry.action: entry for entry in AuditEntry.objects.all()}
    assert set(entries) == {"instruction.issued", "instruction.read", "instruction.done", "instruction.reminded"}
    assert entries["instruction.issued"].municipality_id == world.school.municipality_id
    assert entries["instruction.issued"].rows == 2
    assert entries["instruction.read"].school_id == world.school.pk
    assert entries["instruction.done"].school_id == world.school.pk
    assert entries["instruction.reminded"].rows == 1
    for entry in entries.values():
        assert f"#{instruction.pk}" in entry.description
        assert "Провести" not in entry.description and "Секретный" not in entry.description
        assert "Комментарий" not in entry.description


# --- scope -------------------------------------------------------------------------------------------------------


def test_who_sees_which_instructions(world):
    # given
    own = issue(world)
    regional = issue(world, user=world.regional, schools=[world.other_school])
    # then
    assert list(instructions_for_user(user=world.municipal)) == [own]
    assert list(instructions_for_user(user=world.foreign_municipal)) == []
    assert set(instructions_for_user(user=world.regional)) == {own, regional}
    assert list(instructions_for_user(user=world.admin)) == []


# --- files -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("upload", [pdf_file, docx_file, xlsx_file])
def test_real_files_pass(upload):
    attachment_check(upload())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("order.pdf", zip_bytes("word/document.xml"), "not a real PDF"),
        ("order.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "not a real PDF"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "Only PDF, DOCX and XLSX"),
        ("report.docx", zip_bytes("xl/workbook.xml"), "not a real DOCX"),
        ("table.xlsx", b"%PDF-1.4 not a zip", "not a real XLSX"),
        ("notes.txt", b"hello", "Only PDF, DOCX and XLSX"),
        ("noext", b"%PDF-1.4", "Only PDF, DOCX and XLSX"),
    ],
)
def test_wrong_files_are_refused_with_a_sentence(name, content, message):
    with pytest.raises(ValidationError, match=message):
        attachment_check(SimpleUploadedFile(name, content))


def test_a_file_over_the_limit_is_refused(settings, world):
    # given
    settings.INSTRUCTION_FILE_MAX_BYTES = 20
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 30)
    # when / then
    with pytest.raises(ValidationError, match="larger than"):
        issue(world, file=big)
    assert not Instruction.objects.exists()


def test_a_fake_file_on_done_changes_nothing(world):
    target = target_of(issue(world), world.school)
    with pytest.raises(ValidationError):
        instruction_target_done(
            user=world.admin, target=target, comment="Готово", file=SimpleUploadedFile("a.pdf", zip_bytes("x"))
        )
    target.refresh_from_db()
    assert target.done_at is None and not target.file


def test_the_deadline_constant_is_after_the_clock():
    assert DEADLINE > NOW.date()
