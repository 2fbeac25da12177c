"""Instructions' pages (issue 15, item 4): who sees which page and file (a school never sees an instruction not
addressed to it, even by id; another municipality's administrator gets 404), issuing through the form, opening
and marking done, the reminder button, the export's content and audit, constant queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from classes.models import AuditEntry
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build
from classes.tests.scenario import teacher_user
from reports.instructions import instruction_target_done
from reports.models import Instruction
from reports.models import InstructionTarget

from .instruction_world import issue
from .instruction_world import pdf_file
from .instruction_world import world_build
from .instruction_world import zip_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return world_build()


def school_url(name: str, world, instruction, school=None) -> str:
    return reverse(name, kwargs={"school_id": (school or world.school).pk, "instruction_id": instruction.pk})


def done(world, instruction, comment="Собрания проведены, протоколы приложены"):
    target = InstructionTarget.objects.select_related("school", "instruction").get(
        instruction=instruction, school=world.school
    )
    return instruction_target_done(user=world.admin, target=target, comment=comment)


# --- the school's side -------------------------------------------------------------------------------------------


def test_the_school_sees_its_instruction_on_the_dashboard_and_opening_marks_it_read(client, world):
    # given
    instruction = issue(world)
    client.force_login(world.admin)
    # when
    dashboard = client.get(reverse("school-dashboard", kwargs={"school_id": world.school.pk}))
    panels = client.get(reverse("school-duties-panels", kwargs={"school_id": world.school.pk}))
    page = client.get(school_url("school-instruction", world, instruction))
    # then: the dashboard loads the panel (htmx) from its own address
    assert reverse("school-duties-panels", kwargs={"school_id": world.school.pk}) in dashboard.content.decode()
    assert 'id="instructions-panel"' in panels.content.decode()
    assert instruction.title in panels.content.decode()
    assert page.status_code == 200 and "Секретный текст распоряжения" in page.content.decode()
    target = InstructionTarget.objects.get(instruction=instruction, school=world.school)
    assert target.read_by == world.admin and target.read_at == NOW


def test_the_municipal_administrator_sees_no_panel_on_a_schools_dashboard(client, world):
    issue(world)
    client.force_login(world.municipal)
    response = client.get(reverse("school-dashboard", kwargs={"school_id": world.school.pk}))
    panels = client.get(reverse("school-duties-panels", kwargs={"school_id": world.school.pk}))
    assert response.status_code == 200 and "school-duties-panels" not in response.content.decode()
    assert panels.status_code == 200 and 'id="instructions-panel"' not in panels.content.decode()


def test_marking_done_through_the_form(client, world):
    # given
    instruction = issue(world)
    client.force_login(world.admin)
    url = school_url("school-instruction", world, instruction)
    # when: no comment
    refused = client.post(url, {"comment": ""})
    # then
    assert refused.status_code == 200 and "Write a comment" in refused.content.decode()
    assert InstructionTarget.objects.get(instruction=instruction, school=world.school).done_at is None
    # when: a fake PDF
    fake = client.post(url, {"comment": "Готово", "file": _upload("a.pdf", zip_bytes("word/x.xml"))})
    assert "not a real PDF" in fake.content.decode()
    # when
    response = client.post(url, {"comment": "Готово", "file": pdf_file("protocol.pdf")})
    # then
    assert response.status_code == 302
    target = InstructionTarget.objects.get(instruction=instruction, school=world.school)
    assert target.done_at == NOW and target.comment == "Готово" and target.file_name == "protocol.pdf"
    # when: again (done is final)
    again = client.post(url, {"comment": "Другое"}, follow=True)
    assert "already marked done" in again.content.decode()
    target.refresh_from_db()
    assert target.comment == "Готово"


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_a_school_never_sees_an_instruction_not_addressed_to_it(client, world):
    # given: addressed to the other school only
    instruction = issue(world, schools=[world.other_school], file=pdf_file())
    client.force_login(world.admin)
    # then: by id, under its own school or under the addressed school
    for name in ("school-instruction", "school-instruction-file", "school-instruction-reply-file"):
        assert client.get(school_url(name, world, instruction)).status_code == 404
        assert client.get(school_url(name, world, instruction, school=world.other_school)).status_code == 404
    assert client.post(school_url("school-instruction", world, instruction), {"comment": "x"}).status_code == 404
    listing = client.get(reverse("school-instructions", kwargs={"school_id": world.school.pk}))
    assert instruction.title not in listing.content.decode()
    assert not InstructionTarget.objects.filter(read_at__isnull=False).exists()


@pytest.mark.parametrize("with_instruction", [False, True])
def test_school_pages_refuse_teachers_and_other_roles(client, with_instruction):
    # given: an instruction to a school with a class (and its teacher)
    world = world_build()
    data = school_build(municipality=world.school.municipality)
    instruction = issue(world, schools=[data.school])
    kwargs = {"school_id": data.school.pk, **({"instruction_id": instruction.pk} if with_instruction else {})}
    url = reverse("school-instruction" if with_instruction else "school-instructions", kwargs=kwargs)
    # then: anonymous, the school's teacher, the municipality's administrator, another school's administrator
    assert client.get(url).status_code == 302
    client.force_login(teacher_user(data))
    assert client.get(url).status_code == 403
    client.force_login(world.municipal)
    assert client.get(url).status_code == 403
    client.force_login(world.admin)
    assert client.get(url).status_code == 404
    assert not InstructionTarget.objects.filter(read_at__isnull=False).exists()


def test_the_school_downloads_the_attached_file_through_the_view(client, world):
    instruction = issue(world, file=pdf_file("order.pdf"))
    client.force_login(world.admin)
    response = client.get(school_url("school-instruction-file", world, instruction))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "order.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


# --- the issuer's side -------------------------------------------------------------------------------------------


def test_issuing_through_the_form(client, world, django_capture_on_commit_callbacks):
    # given
    client.force_login(world.municipal)
    url = reverse("instruction-create")
    form = client.get(url).content.decode()
    assert world.school.short_name in form and world.foreign_school.short_name not in form
    # when: a school of another municipality is posted
    refused = client.post(
        url,
        {"title": "Т", "text": "Текст", "deadline": "2026-11-30", "schools": [world.foreign_school.pk]},
    )
    # then
    assert refused.status_code == 200 and not Instruction.objects.exists()
    # when: a deadline in the past, no school
    refused = client.post(url, {"title": "Т", "text": "Текст", "deadline": "2026-11-01"})
    assert "deadline is in the past" in refused.content.decode() and "Choose at least one school" in (
        refused.content.decode()
    )
    # when: every school
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "title": "Сдать отчёт",
                "text": "Текст",
                "deadline": "2026-11-30",
                "all_schools": "on",
                "file": pdf_file(),
            },
        )
    # then
    instruction = Instruction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/instructions/{instruction.pk}/"
    assert set(instruction.targets.values_list("school_id", flat=True)) == {world.school.pk, world.other_school.pk}
    assert sorted(message.to[0] for message in mail.outbox) == sorted([world.admin.email, world.other_admin.email])
    assert "http://testserver/schools/" in mail.outbox[0].body


def test_the_issuer_sees_each_schools_state(client, world, clock):
    # given: done at one school, nothing at the other, after the deadline
    instruction = issue(world, schools=[world.school, world.other_school])
    done(world, instruction)
    clock.move_to("2026-11-27T09:00:00+03:00", tick=False)
    client.force_login(world.municipal)
    # when
    page = client.get(reverse("instruction-detail", kwargs={"instruction_id": instruction.pk})).content.decode()
    listing = client.get(reverse("instruction-list")).content.decode()
    # then
    assert 'data-status="done"' in page and 'data-status="overdue"' in page
    assert "Собрания проведены, протоколы приложены" in page
    assert instruction.title in listing


def test_another_municipalitys_administrator_gets_404(client, world):
    instruction = issue(world, file=pdf_file())
    done(world, instruction)
    client.force_login(world.foreign_municipal)
    kwargs = {"instruction_id": instruction.pk}
    for name in ("instruction-detail", "instruction-export", "instruction-file"):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    reply = reverse("instruction-reply-file", kwargs={**kwargs, "school_id": world.school.pk})
    assert client.get(reply).status_code == 404
    assert client.post(reverse("instruction-remind", kwargs=kwargs)).status_code == 404
    assert instruction.title not in client.get(reverse("instruction-list")).content.decode()


@pytest.mark.parametrize("name", ["instruction-list", "instruction-create"])
def test_issuer_pages_refuse_school_roles(client, world, name):
    data = school_build()
    url = reverse(name)
    assert client.get(url).status_code == 302
    client.force_login(teacher_user(data))
    assert client.get(url).status_code == 403
    client.force_login(world.admin)
    assert client.get(url).status_code == 403


def test_the_reminder_button_once_a_day(client, world, django_capture_on_commit_callbacks):
    # given
    instruction = issue(world)
    client.force_login(world.municipal)
    url = reverse("instruction-remind", kwargs={"instruction_id": instruction.pk})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True)
    second = client.post(url, follow=True)
    # then
    assert "A reminder went to 1 school" in first.content.decode()
    assert "already sent today" in second.content.decode()
    assert len(mail.outbox) == 1
    assert 'id="instruction-remind" disabled' in second.content.decode()


def test_a_regional_administrator_reads_a_municipal_instruction_but_does_not_remind(client, world):
    instruction = issue(world)
    client.force_login(world.regional)
    page = client.get(reverse("instruction-detail", kwargs={"instruction_id": instruction.pk}))
    assert page.status_code == 200 and 'id="instruction-remind"' not in page.content.decode()
    assert client.post(reverse("instruction-remind", kwargs={"instruction_id": instruction.pk})).status_code == 403


def test_the_export_in_xlsx_and_csv_is_audited(client, world):
    # given
    instruction = issue(world, schools=[world.school, world.other_school])
    done(world, instruction, comment="=HYPERLINK(1)")
    client.force_login(world.municipal)
    url = reverse("instruction-export", kwargs={"instruction_id": instruction.pk})
    # when
    xlsx = client.get(url)
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    # then
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[5]]
    assert header[:3] == ["School", "Code", "State"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert rows[world.school.short_name][2] == "done"
    assert rows[world.other_school.short_name][2] == "not read"
    lines = list(csv.reader(io.StringIO(text)))
    by_school = {line[0]: line for line in lines[1:]}
    assert by_school[world.school.short_name][8] == "'=HYPERLINK(1)"  # neutralised like every export
    assert by_school[world.school.short_name][7] == world.admin.display_name()
    entries = AuditEntry.objects.filter(action__startswith="export.instruction.")
    assert sorted(entries.values_list("action", flat=True)) == ["export.instruction.csv", "export.instruction.xlsx"]
    assert all(entry.municipality_id == world.school.municipality_id and entry.rows == 2 for entry in entries)
    assert all(instruction.title not in entry.description for entry in entries)
    assert client.get(url, {"format": "doc"}).status_code == 400


def test_the_issuer_downloads_the_schools_file(client, world):
    instruction = issue(world)
    target = InstructionTarget.objects.select_related("school", "instruction").get(instruction=instruction)
    instruction_target_done(user=world.admin, target=target, comment="Готово", file=pdf_file("protocol.pdf"))
    client.force_login(world.municipal)
    url = reverse("instruction-reply-file", kwargs={"instruction_id": instruction.pk, "school_id": world.school.pk})
    response = client.get(url)
    assert response.status_code == 200 and "protocol.pdf" in response["Content-Disposition"]
    missing = reverse("instruction-file", kwargs={"instruction_id": instruction.pk})
    assert client.get(missing).status_code == 404  # the instruction has no file


# --- queries -----------------------------------------------------------------------------------------------------


def _grow(world, count=3):
    def grow():
        for index in range(count):
            school = SchoolFactory(municipality=world.school.municipality)
            school_admin(school)
            instruction = issue(world, schools=[world.school, world.other_school, school])
            if index % 2:
                done(world, instruction)

    return grow


def test_the_issuers_pages_make_constant_queries(client, world, django_assert_num_queries):
    from classes.tests.scenario import assert_constant_queries

    instruction = issue(world, schools=[world.school, world.other_school])
    client.force_login(world.municipal)
    assert_constant_queries(client, reverse("instruction-list"), _grow(world), django_assert_num_queries)

    def more_schools():
        for _index in range(3):
            school = SchoolFactory(municipality=world.school.municipality)
            InstructionTarget.objects.create(instruction=instruction, school=school)

    detail = reverse("instruction-detail", kwargs={"instruction_id": instruction.pk})
    assert_constant_queries(client, detail, more_schools, django_assert_num_queries)


def test_the_schools_pages_make_constant_queries(client, world, django_assert_num_queries):
    from classes.tests.scenario import assert_constant_queries

    issue(world)
    client.force_login(world.admin)
    listing = reverse("school-instructions", kwargs={"school_id": world.school.pk})
    assert_constant_queries(client, listing, _grow(world), django_assert_num_queries)
    panels = reverse("school-duties-panels", kwargs={"school_id": world.school.pk})
    assert_constant_queries(client, panels, _grow(world), django_assert_num_queries)


def test_the_instruction_and_form_pages_make_constant_queries(client, world, django_assert_num_queries):
    from classes.tests.scenario import assert_constant_queries

    # given
    instruction = issue(world, file=pdf_file())
    client.force_login(world.admin)
    page = school_url("school-instruction", world, instruction)
    # then: the school's page of one instruction, whatever else the school has
    assert_constant_queries(client, page, _grow(world), django_assert_num_queries)
    # then: the issuer's form, whatever the number of schools
    client.force_login(world.municipal)

    def more_schools():
        for _index in range(4):
            SchoolFactory(municipality=world.school.municipality)

    assert_constant_queries(client, reverse("instruction-create"), more_schools, django_assert_num_queries)


def test_a_regional_instruction_says_so_in_the_mail(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue(world, user=world.regional)
    assert "regional administrator" in mail.outbox[0].body
