"""The settings and the services the product runs on."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from sferum_admin.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    # when
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "sferum_admin.settings.production"})
    # then
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "sferum_admin.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "dashboard.example.org",
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_no_model_changes_are_missing_a_migration():
    result = run_manage(
        "makemigrations", "--check", "--dry-run", env={"DJANGO_SETTINGS_MODULE": "sferum_admin.settings.test"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_defaults_need_no_server():
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        env={"DJANGO_SETTINGS_MODULE": "sferum_admin.settings.base", "DATABASE_URL": "", "REDIS_URL": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


@pytest.mark.django_db
def test_ci_runs_on_postgresql():
    if not IN_CI:
        pytest.skip("Outside CI the embedded SQLite default is fine.")
    assert connection.vendor == "postgresql", "CI must run the suite on PostgreSQL (DATABASE_URL)."


def test_the_broker_is_reachable():
    if not settings.REDIS_URL:
        if IN_CI:
            pytest.fail("CI must run with REDIS_URL pointing at Redis.")
        pytest.skip("No REDIS_URL: the embedded broker needs no server.")
    # when
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        # then
        assert conn.connected
        assert conn.transport_cls == "redis"
