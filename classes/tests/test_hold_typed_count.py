"""Releasing a roster hold that removes more than half of the people needs their number typed (issue 12, item 13)."""

import pytest
from django.urls import reverse

from classes.holds import hold_release_allowed
from classes.holds import removals_need_typed_count
from classes.models import RosterImport
from classes.roster.importer import roster_import
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


def import_url(site, uploaded) -> str:
    return reverse("roster-upload-import", kwargs={"school_id": site.school.pk, "upload_id": uploaded.pk})


def held_upload(client, site, keep: int):
    """The school has 4 students and the class teacher (5 people); the new file keeps `keep` students."""
    roster_import(school=site.school, content=roster_csv(STUDENTS), filename="first.csv")
    return upload(client, site, roster_csv(STUDENTS[:keep]))


def open_students(site) -> int:
    return site.school.students.filter(enrollments__ends_on__isnull=True).count()


@pytest.mark.parametrize(
    ("removals", "current", "needed"), [(3, 5, True), (2, 4, False), (3, 4, True), (1, 5, False), (0, 0, False)]
)
def test_typing_is_needed_only_above_half(removals, current, needed):
    assert removals_need_typed_count(removals=removals, current=current) is needed


def test_a_release_needing_the_count_is_allowed_only_with_the_right_number():
    assert not hold_release_allowed(removals=3, current=5, typed=None)
    assert not hold_release_allowed(removals=3, current=5, typed=2)
    assert hold_release_allowed(removals=3, current=5, typed=3)
    assert hold_release_allowed(removals=1, current=5, typed=None)


def test_the_preview_asks_for_the_number_when_more_than_half_would_leave(client, site):
    # given: 3 of 5 people would leave
    uploaded = held_upload(client, site, keep=1)
    # when
    html = client.get(preview_url(site, uploaded)).content.decode()
    # then
    assert 'name="confirm_removals"' in html and 'name="removals_typed"' in html


def test_a_wrong_number_releases_nothing(client, site, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    uploaded = held_upload(client, site, keep=1)
    client.get(preview_url(site, uploaded))
    # when
    response = client.post(import_url(site, uploaded), {"confirm_removals": "on", "removals_typed": "2"}, follow=True)
    # then
    assert "а введённое число — не 3" in response.content.decode()
    assert list(RosterImport.objects.order_by("pk").values_list("status", flat=True)) == ["ok", "held"]
    assert RosterImport.objects.order_by("pk").last().counts["typed_count_wrong"] is True
    assert open_students(site) == 4


def test_the_checkbox_alone_releases_nothing_when_the_number_is_needed(client, site):
    # given
    uploaded = held_upload(client, site, keep=1)
    # when
    client.post(import_url(site, uploaded), {"confirm_removals": "on"})
    # then
    assert open_students(site) == 4


def test_the_right_number_releases_the_hold(client, site):
    # given
    uploaded = held_upload(client, site, keep=1)
    # when
    response = client.post(import_url(site, uploaded), {"confirm_removals": "on", "removals_typed": "3"})
    # then
    assert response.status_code == 302
    assert list(RosterImport.objects.order_by("pk").values_list("status", flat=True)) == ["ok", "ok"]
    assert open_students(site) == 1


def test_below_half_the_checkbox_is_enough(client, site):
    # given: 1 of 5 people would leave (held: more than a tenth), no number to type
    uploaded = held_upload(client, site, keep=3)
    preview = client.get(preview_url(site, uploaded))
    # when
    client.post(import_url(site, uploaded), {"confirm_removals": "on"})
    # then
    assert preview.context["result"].status == "held"
    assert 'name="removals_typed"' not in preview.content.decode()
    assert list(RosterImport.objects.order_by("pk").values_list("status", flat=True)) == ["ok", "ok"]
    assert open_students(site) == 3
