"""Reconciliation resolutions and sign-offs are audited once each, in the school's scope, naming items by id and
category (never a child's name); a refused resolution or sign-off writes no entry.
"""

import pytest

from classes.models import AuditEntry
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.services import reconciliation_item_resolve
from reports.reconciliation.services import reconciliation_items_resolve
from reports.reconciliation.services import reconciliation_sign_off
from reports.tests.test_reconciliation_pages import NOW
from reports.tests.test_reconciliation_pages import Site

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def site():
    return Site()


def entries(action: str):
    return AuditEntry.objects.filter(action=action)


def test_one_resolution_is_audited_with_the_items_id_and_category_and_no_name(site):
    # given
    reconciliation = site.run()
    item = reconciliation.items.order_by("pk").first()
    # when
    reconciliation_item_resolve(item=item, resolution="invite_sent", user=site.admin, note="Смирнов придёт")
    # then
    entry = entries("reconciliation.resolve").get()
    assert (entry.user, entry.school, entry.municipality) == (site.admin, site.school, site.school.municipality)
    assert f"{item.pk} ({item.category})" in entry.description and "as invite_sent" in entry.description
    assert "Смирнов" not in entry.description and item.name not in entry.description
    assert entry.rows == 1


def test_a_bulk_resolution_is_one_entry_for_every_item(site):
    # given
    reconciliation = site.run()
    ids = list(reconciliation.items.values_list("pk", flat=True))
    # when
    count = reconciliation_items_resolve(
        reconciliation=reconciliation, item_ids=ids, resolution="not_an_error", user=site.admin
    )
    # then
    entry = entries("reconciliation.resolve").get()
    assert entry.rows == count == len(ids) and entry.user == site.admin


def test_a_refused_resolution_writes_no_entry(site):
    # given
    reconciliation = site.run()
    foreign = Site().run().items.first()
    # when
    with pytest.raises(ReconciliationError):
        reconciliation_items_resolve(
            reconciliation=reconciliation, item_ids=[foreign.pk], resolution="invite_sent", user=site.admin
        )
    with pytest.raises(ReconciliationError):
        reconciliation_item_resolve(item=reconciliation.items.first(), resolution="no-such", user=site.admin)
    # then
    assert not entries("reconciliation.resolve").exists()


def test_a_sign_off_is_audited_once_in_the_schools_scope(site):
    # given
    reconciliation = site.run()
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    # when
    reconciliation_sign_off(reconciliation=reconciliation, user=site.admin)
    # then
    entry = entries("reconciliation.signoff").get()
    assert (entry.user, entry.school) == (site.admin, site.school)
    assert f"reconciliation {reconciliation.pk}" in entry.description
    assert entry.rows == reconciliation.items.count()


def test_a_sign_off_refused_for_unresolved_items_or_twice_writes_no_entry(site):
    # given
    reconciliation = site.run()
    # when: items are not resolved yet
    with pytest.raises(ReconciliationError):
        reconciliation_sign_off(reconciliation=reconciliation, user=site.admin)
    # then
    assert not entries("reconciliation.signoff").exists()
    # and when: signed off, then signed off again
    for item in reconciliation.items.all():
        reconciliation_item_resolve(item=item, resolution="not_an_error", user=site.admin)
    reconciliation_sign_off(reconciliation=reconciliation, user=site.admin)
    with pytest.raises(ReconciliationError):
        reconciliation_sign_off(reconciliation=reconciliation, user=site.admin)
    # then
    assert entries("reconciliation.signoff").count() == 1
