"""Accounts (django-allauth): username or e-mail login, the failed-login rate limit, password reset by
e-mail, sign-up closed (also for VK ID), no VK ID button unless it is configured.
"""

import re

import pytest
from allauth.socialaccount.models import SocialLogin
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from classes.accounts import ClosedSignupAccountAdapter
from classes.accounts import ClosedSignupSocialAccountAdapter
from classes.models import User
from classes.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def log_in(client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


@pytest.mark.parametrize("field", ["username", "email"])
def test_a_user_logs_in_by_username_or_email(client, field):
    # given
    user = UserFactory(username="olga", email="olga@example.org")
    # when
    response = log_in(client, getattr(user, field), PASSWORD)
    # then
    assert response.status_code == 302
    assert response.wsgi_request.user.pk == user.pk


def test_after_five_failed_logins_the_next_attempt_is_refused(client):
    # given
    UserFactory(username="olga", email="olga@example.org")
    for _ in range(5):
        assert log_in(client, "olga", "wrong").status_code == 200
    # when: even the right password
    response = log_in(client, "olga", PASSWORD)
    # then
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "Too many failed login attempts" in response.content.decode()


def test_failed_logins_of_another_user_do_not_lock_me_out(client):
    UserFactory(username="olga", email="olga@example.org")
    UserFactory(username="ivan", email="ivan@example.org")
    for _ in range(5):
        log_in(client, "ivan", "wrong")
    assert log_in(client, "olga", PASSWORD).status_code == 302


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client):
    # given
    UserFactory(username="olga", email="olga@example.org")
    # when
    response = client.post(reverse("account_reset_password"), {"email": "olga@example.org"})
    # then
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olga@example.org"]
    url = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    # when the user follows the link
    page = client.get(url.replace("http://testserver", ""), follow=True)
    assert page.status_code == 200
    assert 'name="password1"' in page.content.decode()
    done = client.post(page.redirect_chain[-1][0], {"password1": "new-Pass-phrase-7", "password2": "new-Pass-phrase-7"})
    # then
    assert done.status_code == 302
    client.logout()
    assert log_in(client, "olga", "new-Pass-phrase-7").status_code == 302


def test_a_used_reset_link_does_not_work_twice(client):
    UserFactory(username="olga", email="olga@example.org")
    client.post(reverse("account_reset_password"), {"email": "olga@example.org"})
    path = re.search(r"https?://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(path, follow=True)
    client.post(page.redirect_chain[-1][0], {"password1": "new-Pass-phrase-7", "password2": "new-Pass-phrase-7"})
    client.logout()
    again = client.get(path, follow=True)
    assert "has expired or has already been used" in again.content.decode()


def test_the_reset_pages_have_labelled_inputs(client):
    html = client.get(reverse("account_reset_password")).content.decode()
    assert '<label for="id_email">' in html and 'id="id_email"' in html


def test_sign_up_is_closed_for_passwords_and_for_vk_id():
    request = RequestFactory().get("/")
    assert ClosedSignupAccountAdapter(request).is_open_for_signup(request) is False
    social = ClosedSignupSocialAccountAdapter(request)
    assert social.is_open_for_signup(request, SocialLogin(user=User())) is False
    assert social.is_auto_signup_allowed(request, SocialLogin(user=User())) is False


def test_no_vk_id_button_unless_configured(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "VK ID" not in html
    assert reverse("account_reset_password") in html


def main_text(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_reset_request_for_an_unknown_address_sends_nothing_and_reads_the_same(client):
    # given
    UserFactory(username="olga", email="olga@example.org")
    # when: a known address, then an unknown one
    known = client.post(reverse("account_reset_password"), {"email": "olga@example.org"}, follow=True)
    sent = len(mail.outbox)
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)
    # then: one mail, to the known address only; the page says the same thing both times
    assert sent == 1 and len(mail.outbox) == 1
    assert [message.to for message in mail.outbox] == [["olga@example.org"]]
    assert known.redirect_chain == unknown.redirect_chain
    assert main_text(known) == main_text(unknown)
    assert "If a login uses this address" in main_text(unknown)
