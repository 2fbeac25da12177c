"""A Sferum account linked to or unlinked from a roster person by hand is audited once, in the school's scope,
naming the account and the person by kind and id (never by name); a refused link writes no entry.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activation.manual_links import account_link_manual
from activation.models import SferumAccount
from activation.services import accounts_link
from activation.tests.factories import SferumAccountFactory
from classes.models import AuditEntry
from classes.models import User
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import StudentFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import school_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return SferumAccountFactory(school=SchoolFactory(), role_code=SferumAccount.RoleCode.STUDENT)


def entries(action: str):
    return AuditEntry.objects.filter(action=action)


def test_a_manual_link_is_audited_with_the_account_and_the_persons_kind_and_id(account):
    # given
    student = StudentFactory(school=account.school, last_name="Смирнов")
    admin = school_admin(account.school)
    # when
    changed = account_link_manual(account=account, person=student, user=admin)
    # then
    entry = entries("account.link").get()
    assert changed and (entry.user, entry.school, entry.municipality) == (
        admin,
        account.school,
        account.school.municipality,
    )
    assert f"account {account.pk}" in entry.description and f"nobody → student {student.pk}" in entry.description
    assert "Смирнов" not in entry.description


def test_a_manual_unlink_is_audited_and_kept_by_the_next_linking_run(account):
    # given
    student = StudentFactory(school=account.school)
    account.student = student
    account.save()
    admin = school_admin(account.school)
    # when
    account_link_manual(account=account, person=None, user=admin)
    accounts_link(school=account.school)
    # then
    entry = entries("account.unlink").get()
    assert entry.user == admin and f"student {student.pk} → nobody" in entry.description
    account.refresh_from_db()
    assert account.person is None and account.link_manual


def test_a_link_to_a_person_of_another_school_is_refused_and_writes_no_entry(account):
    # given
    stranger = StaffFactory(school=SchoolFactory())
    # when
    with pytest.raises(ValidationError):
        account_link_manual(account=account, person=stranger, user=school_admin(account.school))
    # then
    assert not AuditEntry.objects.exists()
    account.refresh_from_db()
    assert account.person is None


def test_linking_again_to_the_same_person_writes_no_second_entry(account):
    # given
    staff = StaffFactory(school=account.school)
    admin = school_admin(account.school)
    account_link_manual(account=account, person=staff, user=admin)
    # when
    changed = account_link_manual(account=account, person=staff, user=admin)
    # then
    assert not changed and entries("account.link").count() == 1


def test_the_admin_audits_a_link_made_in_its_form(client, account):
    # given
    staff = StaffFactory(school=account.school)
    superuser = UserFactory(role=User.Role.REGIONAL_ADMIN, region=RegionFactory(), is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:activation_sferumaccount_change", args=[account.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(staff=staff.pk, link_manual="on")
    data.pop("student", None), data.pop("parent", None)
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    entry = entries("account.link").get()
    assert (entry.user, entry.school) == (superuser, account.school)
    assert f"staff {staff.pk}" in entry.description
