"""A stored reconciliation: run, resolve, sign off; immutable once signed; exports; status; the opening job."""

import io
from datetime import UTC
from datetime import date
from datetime import datetime

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from chats.tests.scenario import ChatsWorld
from classes.models import AuditEntry
from classes.models import Holiday
from classes.models import User
from classes.tests.factories import UserFactory
from classes.tests.scenario import SECOND_QUARTER_MONDAY as NOW
from reports import tasks
from reports.models import Reconciliation
from reports.models import ReconciliationItem
from reports.models import ReconciliationLocked
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.selectors import reconciliation_status
from reports.reconciliation.selectors import reconciliation_statuses
from reports.reconciliation.services import reconciliation_item_resolve
from reports.reconciliation.services import reconciliation_open
from reports.reconciliation.services import reconciliation_run
from reports.reconciliation.services import reconciliation_sign_off
from reports.reconciliation_export import ReconciliationExportError
from reports.reconciliation_export import reconciliation_export
from reports.reconciliation_export import report_text

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def world():
    world = ChatsWorld()
    world.student("5А", "Смирнов", "Пётр", "Алексеевич")
    world.account("Смернов", "Петр", "5А")
    world.student("5Б", "Орлова", "Дарья")
    world.account("Орлова", "Дарья", "6А")
    world.student("6А", "Фёдоров", "Артём")
    world.account("Федоров", "Артем", "6А")
    return world


@pytest.fixture
def admin(world):
    return UserFactory(
        role=User.Role.SCHOOL_ADMIN, school=world.school, first_name="Ольга", last_name="Завучева", email="o@x.ru"
    )


def opened_and_run(world, admin) -> Reconciliation:
    reconciliation, _opened = reconciliation_open(school=world.school, quarter=world.quarters[2])
    return reconciliation_run(reconciliation=reconciliation, user=admin)


def resolve_all(reconciliation, admin) -> None:
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=admin)


def test_running_stores_the_items_and_the_summary_per_class(world, admin):
    # when
    reconciliation = opened_and_run(world, admin)
    # then
    assert reconciliation.status == Reconciliation.Status.IN_PROGRESS
    assert reconciliation.quarter_label == "2026/2027-Q2"
    assert reconciliation.summary["total"] == {
        "matched": 1,
        "moved": 1,
        "missing_in_sferum": 1,
        "not_on_roster": 1,
        "ambiguous": 0,
    }
    assert reconciliation.summary["classes"]["5А"]["missing_in_sferum"] == 1
    assert reconciliation.summary["classes"]["6А"]["matched"] == 1
    assert sorted(reconciliation.items.values_list("category", flat=True)) == [
        "missing_in_sferum",
        "moved",
        "not_on_roster",
    ]


def test_a_rerun_keeps_the_resolution_of_an_item_still_there_and_drops_the_gone(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    moved = reconciliation.items.get(category="moved")
    typo = reconciliation.items.get(category="missing_in_sferum")
    reconciliation_item_resolve(item=moved, resolution="roster_corrected", user=admin, note="5Б → 6А")
    reconciliation_item_resolve(item=typo, resolution="invite_sent", user=admin)
    world.account("Смирнов", "Пётр", "5А")  # the invite worked
    # when
    reconciliation = reconciliation_run(reconciliation=reconciliation, user=admin)
    # then
    kept = reconciliation.items.get(category="moved")
    assert (kept.resolution, kept.resolution_note, kept.resolved_by_name) == (
        "roster_corrected",
        "5Б → 6А",
        "Ольга Завучева",
    )
    assert not reconciliation.items.filter(category="missing_in_sferum").exists()


def test_signing_off_needs_every_item_resolved(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    # when
    with pytest.raises(ReconciliationError) as raised:
        reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    # then
    assert str(raised.value) == "3 items are not resolved yet; mark each one resolved before signing off."
    reconciliation.refresh_from_db()
    assert reconciliation.status == Reconciliation.Status.IN_PROGRESS


def test_signing_off_records_who_and_when(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    # when
    reconciliation = reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    # then
    reconciliation.refresh_from_db()
    assert reconciliation.status == Reconciliation.Status.SIGNED_OFF
    assert (reconciliation.signed_by, reconciliation.signed_by_name, reconciliation.signed_at) == (
        admin,
        "Ольга Завучева",
        NOW,
    )


def test_a_signed_off_reconciliation_cannot_be_changed_through_the_services(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    item = reconciliation.items.first()
    before = list(reconciliation.items.order_by("pk").values())
    # when / then
    with pytest.raises(ReconciliationError):
        reconciliation_run(reconciliation=reconciliation, user=admin)
    with pytest.raises(ReconciliationError):
        reconciliation_item_resolve(item=item, resolution="invite_sent", user=admin)
    with pytest.raises(ReconciliationError):
        reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    assert list(reconciliation.items.order_by("pk").values()) == before


def test_a_signed_off_reconciliation_cannot_be_changed_by_saving_the_models(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    stored = Reconciliation.objects.get(pk=reconciliation.pk)
    item = ReconciliationItem.objects.filter(reconciliation=stored).first()
    # when / then
    stored.summary = {}
    with pytest.raises(ReconciliationLocked):
        stored.save()
    item.resolution = ""
    with pytest.raises(ReconciliationLocked):
        item.save()
    with pytest.raises(ReconciliationLocked):
        item.delete()
    with pytest.raises(ReconciliationLocked):
        stored.delete()


def test_a_signed_off_reconciliation_is_read_only_in_the_admin(world, admin, client):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change_url = reverse("admin:reports_reconciliation_change", args=[reconciliation.pk])
    # when
    page = client.get(change_url)
    posted = client.post(change_url, {"items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0"})
    deleted = client.post(reverse("admin:reports_reconciliation_delete", args=[reconciliation.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:reports_reconciliation_changelist"),
        {"action": "delete_selected", "_selected_action": [reconciliation.pk], "post": "yes"},
    )
    # then
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert Reconciliation.objects.filter(pk=reconciliation.pk, status="signed_off").exists()
    assert ReconciliationItem.objects.filter(reconciliation=reconciliation).count() == 3
    assert set(ReconciliationItem.objects.values_list("resolution", flat=True)) == {"not_an_error"}


def test_a_reconciliation_in_progress_can_still_be_resolved_in_the_admin(world, admin, client):
    # given
    reconciliation = opened_and_run(world, admin)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # when
    page = client.get(reverse("admin:reports_reconciliation_change", args=[reconciliation.pk]))
    # then
    assert 'name="_save"' in page.content.decode()


def test_the_xlsx_export_holds_school_quarter_date_signer_summary_and_every_item_in_russian(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    reconciliation = reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    # when
    content, filename = reconciliation_export(reconciliation=reconciliation, fmt="xlsx", user=admin)
    # then
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert filename == f"reconciliation-{world.school.code}-2026-2027-Q2.xlsx"
    assert world.school.full_name in cells
    assert "II четверть 2026/27" in cells
    assert "30.11.2026 12:00" in cells  # Moscow time
    assert "Ольга Завучева" in cells
    assert "Смирнов Пётр Алексеевич" in cells
    assert "Орлова Дарья" in cells
    assert any("Смирнов ≠ Смернов" in cell for cell in cells)


def test_the_pdf_export_embeds_a_cyrillic_font_and_writes_the_audit_log(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    reconciliation = reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    # when
    content, filename = reconciliation_export(reconciliation=reconciliation, fmt="pdf", user=admin)
    # then
    assert content.startswith(b"%PDF")
    assert b"DejaVuSans" in content
    assert filename.endswith(".pdf")
    entry = AuditEntry.objects.filter(action__startswith="export.").get()
    assert (entry.user, entry.action, entry.school, entry.rows) == (admin, "export.reconciliation.pdf", world.school, 3)


def test_the_report_text_has_every_item(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    resolve_all(reconciliation, admin)
    reconciliation = reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    # when
    text = report_text(reconciliation=reconciliation)
    # then
    assert [row[3] for row in text.items] == list(
        reconciliation.items.order_by("-role", "pk").values_list("name", flat=True)
    )
    assert dict(text.meta)["Signed off by"] == "Ольга Завучева"
    assert sum(count for _label, count in text.summary) == 4


def test_only_a_signed_off_reconciliation_is_exported(world, admin):
    # given
    reconciliation = opened_and_run(world, admin)
    # when / then
    with pytest.raises(ReconciliationExportError):
        reconciliation_export(reconciliation=reconciliation, fmt="pdf", user=admin)
    assert not AuditEntry.objects.exclude(action="login").exists()


@pytest.mark.parametrize(
    ("moment", "state", "expected"),
    [
        (datetime(2026, 11, 10, 9, tzinfo=UTC), None, "due"),
        (datetime(2026, 11, 10, 9, tzinfo=UTC), "open", "due"),
        (datetime(2026, 11, 10, 9, tzinfo=UTC), "in_progress", "in_progress"),
        (datetime(2026, 11, 10, 9, tzinfo=UTC), "signed_off", "done"),
        (datetime(2026, 12, 30, 9, tzinfo=UTC), "in_progress", "overdue"),  # winter holidays, not signed off
        (datetime(2026, 12, 30, 9, tzinfo=UTC), None, "overdue"),
        (datetime(2026, 12, 30, 9, tzinfo=UTC), "signed_off", "done"),
    ],
)
def test_the_status_of_the_current_quarter(world, admin, moment, state, expected):
    # given
    reconciliation = None
    if state is not None:
        reconciliation, _opened = reconciliation_open(school=world.school, quarter=world.quarters[2])
        if state != "open":
            reconciliation = reconciliation_run(reconciliation=reconciliation, user=admin)
        if state == "signed_off":
            resolve_all(reconciliation, admin)
            reconciliation = reconciliation_sign_off(reconciliation=reconciliation, user=admin)
    # when
    with time_machine.travel(moment, tick=False):
        status, found = reconciliation_status(school=world.school, day=moment.date())
        many = reconciliation_statuses(schools=[world.school], day=moment.date())
    # then
    assert status == expected
    assert found == reconciliation
    assert many == {world.school.pk: (expected, reconciliation.pk if reconciliation is not None else None)}


def test_the_statuses_of_many_schools_take_one_query(django_assert_num_queries):
    # given
    worlds = [ChatsWorld() for _ in range(4)]
    # when
    with django_assert_num_queries(1):
        statuses = reconciliation_statuses(schools=[w.school for w in worlds], day=date(2026, 11, 30))
    # then
    assert {status for status, _rec in statuses.values()} == {"due"}


FIRST_SCHOOL_DAY_0600 = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # Thursday 5 November, 06:00 in Moscow


def test_the_beat_job_opens_the_quarter_on_its_first_school_day_and_emails_the_admins_once(
    world, admin, django_capture_on_commit_callbacks
):
    # given
    UserFactory(role=User.Role.SCHOOL_ADMIN, school=world.school, email="")  # no address: no mail
    # when
    with time_machine.travel(FIRST_SCHOOL_DAY_0600, tick=False), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.reconciliation_open_dispatch()
        tasks.reconciliation_open(world.school.pk, world.quarters[2].pk)  # run twice: safe
        again = tasks.reconciliation_open_dispatch()
    # then
    reconciliation = Reconciliation.objects.get()
    assert (queued, again) == (1, 0)
    assert reconciliation.quarter == world.quarters[2]
    assert reconciliation.status == Reconciliation.Status.OPEN  # nobody worked on it yet: still due
    assert reconciliation.computed_at is not None
    assert reconciliation.items.count() == 3
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["o@x.ru"]
    assert mail.outbox[0].subject == "Roster reconciliation for Quarter II 2026/27 is open"
    assert "is open for Quarter II 2026/27." in mail.outbox[0].body


def test_the_beat_job_waits_for_the_first_school_day_after_holidays(world, django_capture_on_commit_callbacks):
    # given: the quarter starts inside holidays that end on Sunday 8 November
    Holiday.objects.create(
        year=world.year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 8)
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(FIRST_SCHOOL_DAY_0600, tick=False):
            before = tasks.reconciliation_open_dispatch()
        with time_machine.travel(datetime(2026, 11, 9, 3, 0, tzinfo=UTC), tick=False):
            on_the_day = tasks.reconciliation_open_dispatch()
    # then
    assert (before, on_the_day) == (0, 1)
    assert Reconciliation.objects.count() == 1


def test_the_beat_job_runs_at_0600_school_time_only(world, django_capture_on_commit_callbacks):
    # when
    with time_machine.travel(datetime(2026, 11, 5, 9, 0, tzinfo=UTC), tick=False):
        queued = tasks.reconciliation_open_dispatch()
    # then
    assert queued == 0
    assert not Reconciliation.objects.exists()


def test_the_opening_task_returns_quietly_when_the_rows_are_gone():
    # when / then
    assert tasks.reconciliation_open(999_999, 999_999) is None
