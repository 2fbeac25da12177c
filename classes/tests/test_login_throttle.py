"""Login throttling: wrong passwords are counted per account and per client address (taken from a trusted
proxy only), in the shared cache, on the site's login and on the admin's login alike.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from classes.models import User
from classes.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pass-word-123"
RATES = {"login_failed": "10/m/ip,5/5m/key"}
PROXY = "127.0.0.1"  # the reverse proxy in front of the application (trusted by default)
TOO_MANY = "Too many failed login attempts"


def site_login(client, login: str, password: str, **headers):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **headers)


def admin_login(client, username: str, password: str, **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_admin_login_refuses_the_right_password_after_too_many_wrong_ones(client):
    # given
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    for _attempt in range(50):
        admin_login(client, "root", "wrong")
    # when
    response = admin_login(client, "root", PASSWORD)
    # then
    assert not logged_in(client)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()


def test_the_admin_login_and_the_site_login_share_the_count(client):
    # given: 3 wrong passwords on each login page
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    for _attempt in range(3):
        admin_login(client, "root", "wrong")
        site_login(client, "root", "wrong")
    # when
    response = admin_login(client, "root", PASSWORD)
    # then
    assert not logged_in(client)
    assert TOO_MANY in response.content.decode()


def test_the_admin_login_still_works(client):
    # given
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    admin_login(client, "root", "wrong")
    # when
    response = admin_login(client, "root", PASSWORD)
    # then
    assert response.status_code == 302
    assert logged_in(client)


@override_settings(ACCOUNT_RATE_LIMITS=RATES)
def test_wrong_passwords_from_many_addresses_lock_the_account_but_not_another(client):
    # given
    UserFactory(username="anna")
    UserFactory(username="boris")
    for index in range(5):
        site_login(client, "anna", "wrong", REMOTE_ADDR=f"198.51.100.{index + 1}")
    # when
    anna = site_login(client, "anna", PASSWORD, REMOTE_ADDR="198.51.100.50")
    anna_in = logged_in(client)
    boris = site_login(client, "boris", PASSWORD, REMOTE_ADDR="198.51.100.50")
    # then
    assert not anna_in and TOO_MANY in anna.content.decode()
    assert boris.status_code == 302 and logged_in(client)


@override_settings(ACCOUNT_RATE_LIMITS=RATES)
def test_the_username_and_the_e_mail_of_an_account_count_together(client):
    # given
    UserFactory(username="anna", email="anna@example.org")
    for index in range(5):
        login = "anna" if index % 2 else "Anna@Example.org"
        site_login(client, login, "wrong", REMOTE_ADDR=f"198.51.100.{index + 1}")
    # when
    response = site_login(client, "anna@example.org", PASSWORD, REMOTE_ADDR="198.51.100.50")
    # then
    assert not logged_in(client)
    assert TOO_MANY in response.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS=RATES, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_trusted_proxy_two_clients_are_counted_apart(client):
    # given: client 1 tries ten invented names through the proxy
    UserFactory(username="anna")
    for index in range(10):
        site_login(client, f"nobody{index}", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    # when
    first = site_login(client, "anna", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")
    first_in = logged_in(client)
    client.logout()
    second = site_login(client, "anna", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.2")
    # then: the first client is limited, the second is not
    assert not first_in and TOO_MANY in first.content.decode()
    assert second.status_code == 302 and logged_in(client)


@override_settings(ACCOUNT_RATE_LIMITS=RATES, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_client_behind_the_proxy_cannot_escape_by_forging_the_header(client):
    # given: each request carries a forged address before the one the proxy appends
    UserFactory(username="anna")
    for index in range(10):
        forged = f"10.0.0.{index}, 203.0.113.1"
        site_login(client, f"nobody{index}", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged)
    # when
    response = site_login(client, "anna", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.1")
    # then
    assert not logged_in(client)
    assert TOO_MANY in response.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS=RATES, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_client_that_is_not_the_proxy_cannot_spoof_the_header(client):
    # given: a client reaching the application directly sends a new X-Forwarded-For each time
    UserFactory(username="anna")
    direct = "198.51.100.7"
    for index in range(10):
        site_login(client, f"nobody{index}", "wrong", REMOTE_ADDR=direct, HTTP_X_FORWARDED_FOR=f"10.0.0.{index}")
    # when
    response = site_login(client, "anna", PASSWORD, REMOTE_ADDR=direct, HTTP_X_FORWARDED_FOR="10.9.9.9")
    # then
    assert not logged_in(client)
    assert TOO_MANY in response.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS=RATES, ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
def test_a_client_address_header_is_believed_from_the_proxy_only(client):
    # given: ten invented names from 203.0.113.1 through the proxy, ten from a direct client forging the header
    UserFactory(username="anna")
    for index in range(10):
        site_login(client, f"nobody{index}", "wrong", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.1")
        site_login(client, f"nobody{index}", "wrong", REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP=f"10.0.0.{index}")
    # when
    other = site_login(client, "anna", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.2")
    other_in = logged_in(client)
    client.logout()
    direct = site_login(client, "anna", PASSWORD, REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="10.9.9.9")
    # then
    assert other.status_code == 302 and other_in
    assert not logged_in(client) and TOO_MANY in direct.content.decode()


# ---------------------------------------------------------------------------
# The counters live in the shared cache
# ---------------------------------------------------------------------------


@pytest.fixture
def redis_url(tmp_path):
    """Return the address of a Redis: REDIS_URL when set (CI), else a redis-server this test starts."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("Neither REDIS_URL nor redis-server is available.")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(  # noqa: S603 - a loopback server this test owns
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        yield f"unix://{socket}"
    finally:
        process.terminate()
        process.wait(timeout=5)


@override_settings(ACCOUNT_RATE_LIMITS=RATES)
def test_the_counters_survive_a_new_cache_client(client, redis_url):
    # given: the production cache settings, on a key prefix of this test's own
    from sferum_admin.settings.base import cache_settings

    config = cache_settings(redis_url=redis_url)
    config["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    assert config["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    UserFactory(username="anna")
    with override_settings(CACHES=config):
        first = caches["default"]
        for index in range(5):
            site_login(client, "anna", "wrong", REMOTE_ADDR=f"198.51.100.{index + 1}")
        # when: another client of the cache, as another worker process (or one restarted) would have
        del caches["default"]
        second = caches["default"]
        response = site_login(client, "anna", PASSWORD, REMOTE_ADDR="198.51.100.50")
        # then
        assert second is not first
        assert not logged_in(client)
        assert TOO_MANY in response.content.decode()


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def settings_of(module: str, env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    clean_env.update({"DJANGO_SETTINGS_MODULE": module, **env})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings as s; {code}"],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {"DJANGO_SECRET_KEY": "x" * 64, "DJANGO_ALLOWED_HOSTS": "dashboard.example.org"}


@pytest.mark.slow
def test_production_builds_a_redis_cache_from_redis_url():
    result = settings_of(
        "sferum_admin.settings.production",
        {**PRODUCTION_ENV, "REDIS_URL": "redis://cache.internal:6379/2"},
        "c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://cache.internal:6379/2"]


@pytest.mark.slow
def test_production_refuses_to_start_without_redis_url():
    result = settings_of("sferum_admin.settings.production", PRODUCTION_ENV, "print(s.CACHES)")
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr


def test_the_demo_without_redis_url_keeps_counters_in_local_memory():
    from sferum_admin.settings.base import cache_settings

    assert cache_settings(redis_url="")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_tests_use_a_cache_of_their_own():
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
