"""The audit log says who, when, what and from where, in the scope of a school, a municipality or a region:
logins and failed logins are recorded (never a password), the client's address is the request's, and
work outside a request records none.
"""

import pytest
from django.urls import reverse

from classes.models import AuditEntry
from classes.models import User
from classes.services import audit_record
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSWORD = "pass-word-123"
CLIENT = "192.0.2.7"


@pytest.fixture
def school_admin():
    school = SchoolFactory(municipality__region=RegionFactory())
    user = UserFactory(username="director", role=User.Role.SCHOOL_ADMIN, school=school)
    user.set_password(PASSWORD)
    user.save()
    return user


def site_login(client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password}, REMOTE_ADDR=CLIENT)


def test_a_login_is_recorded_with_its_address_and_the_users_scope(client, school_admin):
    # when
    site_login(client, "director", PASSWORD)
    # then
    entry = AuditEntry.objects.get(action="login")
    school = school_admin.school
    assert (entry.user, entry.username, entry.address) == (school_admin, "director", CLIENT)
    assert (entry.school, entry.municipality, entry.region) == (school, school.municipality, school.municipality.region)


def test_a_failed_login_is_recorded_with_the_name_typed_in_the_named_logins_scope_and_no_password(client, school_admin):
    # when
    site_login(client, "Director", "wrong-secret")
    # then
    entry = AuditEntry.objects.get(action="login.failed")
    assert (entry.user, entry.username, entry.address, entry.school) == (None, "Director", CLIENT, school_admin.school)
    assert "wrong-secret" not in f"{entry.description} {entry.username}"
    assert not AuditEntry.objects.filter(action="login").exists()


def test_a_failed_login_under_an_unknown_name_has_no_scope(client, school_admin):
    # when
    site_login(client, "nobody-here", "wrong-secret")
    # then
    entry = AuditEntry.objects.get(action="login.failed")
    assert (entry.username, entry.school, entry.municipality, entry.region) == ("nobody-here", None, None, None)


def test_an_entry_outside_a_request_has_no_address_and_takes_its_wider_scopes_from_the_school(school_admin):
    # when
    entry = audit_record(user=school_admin, action="sync.run.end", description="Ended.", school=school_admin.school)
    # then
    assert entry.address is None
    assert entry.municipality == school_admin.school.municipality
    assert entry.region == school_admin.school.municipality.region
