"""The reconciliation pages: run, resolve in place, sign off, export; every denial; constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chats.tests.scenario import ChatsWorld
from classes.models import AuditEntry
from classes.models import User
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import SECOND_QUARTER_MONDAY as NOW
from reports.models import Reconciliation
from reports.reconciliation.services import reconciliation_item_resolve
from reports.reconciliation.services import reconciliation_open
from reports.reconciliation.services import reconciliation_run
from reports.tests.test_tables_fit import audit

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


class Site:
    def __init__(self, extra_students: int = 0):
        self.world = ChatsWorld()
        self.school = self.world.school
        self.world.student("5А", "Смирнов", "Пётр", "Алексеевич")
        self.world.account("Смернов", "Петр", "5А")
        self.world.student("5Б", "Орлова", "Дарья")
        self.world.account("Орлова", "Дарья", "6А")
        for index in range(extra_students):
            self.world.student("6А", f"Пропавший{index}", "Ученик")
            self.world.account(f"Гость{index}", "Чужой", "5Б")
        self.admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=self.school, first_name="Ольга", last_name="З")
        self.other_admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=SchoolFactory())
        self.municipal = UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=self.school.municipality)
        self.other_municipal = UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=MunicipalityFactory())
        staff = self.world.staff("Иванова", "Мария")
        self.teacher = UserFactory(role=User.Role.TEACHER, school=self.school, staff=staff)

    @property
    def url(self) -> str:
        return reverse("reconciliation", kwargs={"school_id": self.school.pk})

    def run(self) -> Reconciliation:
        reconciliation, _opened = reconciliation_open(school=self.school, quarter=self.world.quarters[2])
        return reconciliation_run(reconciliation=reconciliation, user=self.admin)


@pytest.fixture
def site():
    return Site()


def test_the_page_says_the_quarter_is_due_and_starting_it_compares(client, site):
    # given
    client.force_login(site.admin)
    # when
    before = client.get(site.url)
    started = client.post(reverse("reconciliation-run", kwargs={"school_id": site.school.pk}))
    after = client.get(site.url)
    # then
    assert before.context["status"] == "due"
    assert "Roster reconciliation: Quarter II 2026/27" in before.content.decode()
    assert started.status_code == 302
    assert after.context["status"] == "in_progress"
    page = after.content.decode()
    assert "Смирнов ≠ Смернов" in page
    assert [(row[0], row[1]) for row in after.context["class_rows"]] == [
        ("5А", [0, 0, 1, 1, 0]),
        ("5Б", [0, 1, 0, 0, 0]),
    ]
    assert '<label for="resolution-' in page
    # the summary table sits in its scroll frame and labels every count with its category (a card on a phone)
    tables = audit(page)
    assert tables and all(table["framed"] and not table["unlabelled"] for table in tables)


def test_an_item_is_resolved_in_place(client, site):
    # given
    reconciliation = site.run()
    item = reconciliation.items.get(category="moved")
    client.force_login(site.admin)
    url = reverse("reconciliation-item-resolve", kwargs={"school_id": site.school.pk, "item_id": item.pk})
    # when
    response = client.post(url, {"resolution": "roster_corrected", "note": "переведена"}, HTTP_HX_REQUEST="true")
    # then
    item.refresh_from_db()
    assert (item.resolution, item.resolution_note, item.resolved_by) == ("roster_corrected", "переведена", site.admin)
    assert response.templates[0].name == "reconciliation/_item.html"
    assert "roster corrected" in response.content.decode()


def test_the_category_filter_swaps_the_list(client, site):
    # given
    site.run()
    client.force_login(site.admin)
    # when
    response = client.get(site.url, {"category": "moved"}, HTTP_HX_REQUEST="true")
    # then
    assert [item.category for item in response.context["items"]] == ["moved"]
    assert response.templates[0].name == "reconciliation/_items.html"


def test_signing_off_from_the_page_needs_the_tick_and_every_item_resolved(client, site):
    # given
    reconciliation = site.run()
    client.force_login(site.admin)
    url = reverse(
        "reconciliation-sign-off", kwargs={"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}
    )
    # when
    without_tick = client.post(url, {}, follow=True)
    unresolved = client.post(url, {"confirm": "on"}, follow=True)
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    signed = client.post(url, {"confirm": "on"}, follow=True)
    # then
    assert "Tick the confirmation to sign the quarter off." in without_tick.content.decode()
    assert f"{reconciliation.items.count()} items are not resolved yet" in unresolved.content.decode()
    reconciliation.refresh_from_db()
    assert reconciliation.status == "signed_off"
    assert reconciliation.signed_by == site.admin
    assert "signed off" in signed.content.decode()
    assert client.get(site.url).context["status"] == "done"


def test_a_signed_off_reconciliation_cannot_be_changed_from_the_page(client, site):
    # given
    reconciliation = site.run()
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    client.force_login(site.admin)
    client.post(
        reverse(
            "reconciliation-sign-off", kwargs={"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}
        ),
        {"confirm": "on"},
    )
    item = reconciliation.items.first()
    # when
    resolve = client.post(
        reverse("reconciliation-item-resolve", kwargs={"school_id": site.school.pk, "item_id": item.pk}),
        {"resolution": "invite_sent"},
        HTTP_HX_REQUEST="true",
    )
    rerun = client.post(reverse("reconciliation-run", kwargs={"school_id": site.school.pk}), follow=True)
    # then
    assert "can no longer be changed" in resolve.content.decode()
    assert "can no longer be changed" in rerun.content.decode()
    item.refresh_from_db()
    assert item.resolution == "not_an_error"
    page = client.get(site.url).content.decode()
    assert 'name="resolution"' not in page


def test_the_signed_off_report_downloads_as_xlsx_and_pdf_and_is_audited(client, site):
    # given
    reconciliation = site.run()
    client.force_login(site.admin)
    export = {"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}
    # when
    too_early = client.get(reverse("reconciliation-export", kwargs={**export, "fmt": "pdf"}))
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    client.post(reverse("reconciliation-sign-off", kwargs=export), {"confirm": "on"})
    xlsx = client.get(reverse("reconciliation-export", kwargs={**export, "fmt": "xlsx"}))
    pdf = client.get(reverse("reconciliation-export", kwargs={**export, "fmt": "pdf"}))
    # then
    assert too_early.status_code == 302
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF")
    exports = AuditEntry.objects.filter(action__startswith="export.").order_by("pk")
    assert list(exports.values_list("action", flat=True)) == ["export.reconciliation.xlsx", "export.reconciliation.pdf"]


def test_the_page_denies_every_other_login(client, site):
    # given
    reconciliation = site.run()
    urls = [
        site.url,
        reverse("reconciliation-detail", kwargs={"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}),
    ]
    posts = [
        reverse("reconciliation-run", kwargs={"school_id": site.school.pk}),
        reverse(
            "reconciliation-item-resolve",
            kwargs={"school_id": site.school.pk, "item_id": reconciliation.items.first().pk},
        ),
        reverse(
            "reconciliation-sign-off", kwargs={"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}
        ),
    ]
    # then
    for url in urls + posts:
        response = client.post(url) if url in posts else client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    for user, get_status, post_status in (
        (site.teacher, 403, 403),
        (site.other_admin, 404, 404),
        (site.other_municipal, 404, 404),
        (site.municipal, 200, 403),  # the school's municipality may look, not change
    ):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [get_status] * len(urls)
        assert [client.post(url, {"resolution": "invite_sent"}).status_code for url in posts] == [post_status] * 3
    assert not reconciliation.items.exclude(resolution="").exists()


def test_the_page_takes_the_same_queries_for_few_and_many_items(client):
    # given
    small, big = Site(), Site(extra_students=20)
    for site in (small, big):
        reconciliation = site.run()
        reconciliation_item_resolve(item=reconciliation.items.first(), resolution="invite_sent", user=site.admin)
    counts = []
    for site in (small, big):
        client.force_login(site.admin)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(site.url)
        assert response.status_code == 200
        counts.append(len(queries))
    # then
    assert len(big.world.school.reconciliations.get().items.all()) > 40
    assert counts[0] == counts[1]
