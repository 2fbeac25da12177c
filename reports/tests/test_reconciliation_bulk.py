"""Reconciliation in minutes (issue 12, item 12): one resolution for many ticked items, and a PDF with unbroken
column headers, the signer's full name and position, and a line to sign on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import LongTable
from reportlab.platypus import Paragraph
from reportlab.platypus import Table

from classes.models import User
from reports.models import ReconciliationItem
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.services import reconciliation_item_resolve
from reports.reconciliation.services import reconciliation_items_resolve
from reports.reconciliation.services import reconciliation_sign_off
from reports.reconciliation_export import CELL_PADDING_PT
from reports.reconciliation_export import FONT_BOLD
from reports.reconciliation_export import HEADER_FONT_SIZE
from reports.reconciliation_export import reconciliation_story
from reports.tests.test_reconciliation_pages import NOW
from reports.tests.test_reconciliation_pages import Site

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def site():
    return Site()


def bulk_url(site, reconciliation) -> str:
    return reverse(
        "reconciliation-items-resolve", kwargs={"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}
    )


def test_the_page_offers_a_checkbox_per_item_and_one_form(client, site):
    # given
    reconciliation = site.run()
    client.force_login(site.admin)
    # when
    page = client.get(site.url).content.decode()
    # then
    assert page.count('form="bulk-resolve"') == reconciliation.items.count()
    assert 'id="bulk-resolve"' in page


def test_many_ticked_items_are_resolved_at_once_each_with_who_and_when(client, site):
    # given
    reconciliation = site.run()
    ids = list(reconciliation.items.values_list("pk", flat=True))
    client.force_login(site.admin)
    # when
    response = client.post(
        bulk_url(site, reconciliation), {"items": ids, "resolution": "invite_sent", "note": "на собрании"}, follow=True
    )
    # then
    assert f"{len(ids)} items are resolved." in response.content.decode()
    rows = set(reconciliation.items.values_list("resolution", "resolution_note", "resolved_by", "resolved_at"))
    assert rows == {("invite_sent", "на собрании", site.admin.pk, NOW)}
    assert set(reconciliation.items.values_list("resolved_by_name", flat=True)) == {"Ольга З"}


def test_a_selection_with_an_item_of_another_reconciliation_changes_nothing(client, site):
    # given
    reconciliation = site.run()
    other = Site()
    foreign = other.run().items.first()
    ids = [*reconciliation.items.values_list("pk", flat=True), foreign.pk]
    client.force_login(site.admin)
    # when
    response = client.post(bulk_url(site, reconciliation), {"items": ids, "resolution": "invite_sent"}, follow=True)
    # then
    assert "Nothing was changed." in response.content.decode()
    assert not ReconciliationItem.objects.exclude(resolution="").exists()


def test_the_service_refuses_an_empty_or_foreign_selection_and_writes_nothing(site):
    # given
    reconciliation = site.run()
    foreign = Site().run().items.first()
    ids = list(reconciliation.items.values_list("pk", flat=True))
    # when / then
    for selection in ([], [*ids, foreign.pk]):
        with pytest.raises(ReconciliationError):
            reconciliation_items_resolve(
                reconciliation=reconciliation, item_ids=selection, resolution="invite_sent", user=site.admin
            )
    assert not ReconciliationItem.objects.exclude(resolution="").exists()


def test_one_transaction_whatever_the_number_of_items():
    # given
    small, big = Site(), Site(extra_students=20)
    counts = []
    for site in (small, big):
        reconciliation = site.run()
        ids = list(reconciliation.items.values_list("pk", flat=True))
        # when
        with CaptureQueriesContext(connection) as queries:
            resolved = reconciliation_items_resolve(
                reconciliation=reconciliation, item_ids=ids, resolution="not_an_error", user=site.admin
            )
        # then
        assert resolved == len(ids)
        sql = [query["sql"].upper() for query in queries]
        assert sum(statement.startswith("SAVEPOINT") or "BEGIN" in statement for statement in sql) <= 1
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("login", ["teacher", "other_admin", "municipal"])
def test_only_the_schools_administrator_resolves_in_bulk(client, site, login):
    # given
    reconciliation = site.run()
    client.force_login(getattr(site, login))
    # when
    response = client.post(
        bulk_url(site, reconciliation),
        {"items": list(reconciliation.items.values_list("pk", flat=True)), "resolution": "invite_sent"},
    )
    # then
    assert response.status_code in (403, 404)
    assert not ReconciliationItem.objects.exclude(resolution="").exists()


def signed(site, *, position: str = ""):
    reconciliation = site.run()
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    return reconciliation_sign_off(reconciliation=reconciliation, user=site.admin, position=position)


def test_signing_off_keeps_the_signers_name_and_by_default_their_role_as_position(site, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    # when
    with translation.override("ru"):
        reconciliation = signed(site)
    # then
    assert reconciliation.signed_by_name == "Ольга З"
    assert reconciliation.signed_by_position == str(User.Role.SCHOOL_ADMIN.label)


def test_the_position_typed_at_sign_off_wins(client, site):
    # given
    reconciliation = site.run()
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    client.force_login(site.admin)
    url = reverse(
        "reconciliation-sign-off", kwargs={"school_id": site.school.pk, "reconciliation_id": reconciliation.pk}
    )
    # when
    client.post(url, {"confirm": "on", "position": "директор"})
    # then
    reconciliation.refresh_from_db()
    assert reconciliation.signed_by_position == "директор"


def paragraphs_text(flowable) -> list[str]:
    """Return the text of every paragraph in the flowable (tables included), as reportlab holds it."""
    if isinstance(flowable, Paragraph):
        return [flowable.getPlainText()]
    if isinstance(flowable, Table):
        return [text for row in flowable._cellvalues for cell in row for text in paragraphs_text(cell)]
    if hasattr(flowable, "_content"):
        return [text for child in flowable._content for text in paragraphs_text(child)]
    return []


def test_the_pdf_has_the_signers_name_position_and_a_signature_line(site):
    # given
    reconciliation = signed(site, position="заместитель директора")
    # when
    with translation.override("ru"):
        story = reconciliation_story(reconciliation=reconciliation)
    texts = [text for flowable in story for text in paragraphs_text(flowable)]
    # then
    assert "Ольга З" in texts and "заместитель директора" in texts
    assert "Подпись" in texts
    block = story[-1]._content[0]
    assert any(command[0] == "LINEBELOW" for command in block._linecmds)


def test_no_column_header_of_the_pdf_is_cut_inside_a_word(site):
    # given
    reconciliation = signed(site)
    # when
    with translation.override("ru"):
        story = reconciliation_story(reconciliation=reconciliation)
    items = next(flowable for flowable in story if isinstance(flowable, LongTable))
    # then
    headers = [cell.getPlainText() for cell in items._cellvalues[0]]
    assert "ID по списку" in headers
    for header, width in zip(headers, items._colWidths, strict=True):
        longest = max(pdfmetrics.stringWidth(word, FONT_BOLD, HEADER_FONT_SIZE) for word in header.split())
        assert longest + 2 * CELL_PADDING_PT <= width, header
    assert sum(items._colWidths) <= 281 * 72 / 25.4 + 0.01
