"""Settings that fail safe: servers default to production, environment booleans are strict."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sferum_admin.settings.environment import env_bool

ROOT = Path(__file__).resolve().parents[2]
SHOW_SETTINGS = (
    "import importlib, os, sys; importlib.import_module(sys.argv[1]); from django.conf import settings; "
    "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)"
)


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " On "])
def test_a_true_word_in_any_case_reads_as_true(monkeypatch, value):
    # given
    monkeypatch.setenv("SOME_SWITCH", value)
    # when / then
    assert env_bool("SOME_SWITCH", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "NO", "off"])
def test_a_false_word_in_any_case_reads_as_false(monkeypatch, value):
    # given
    monkeypatch.setenv("SOME_SWITCH", value)
    # when / then
    assert env_bool("SOME_SWITCH", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_an_empty_or_unset_variable_gives_the_default(monkeypatch, default):
    # given
    monkeypatch.setenv("SOME_SWITCH", "")
    monkeypatch.delenv("OTHER_SWITCH", raising=False)
    # when / then
    assert env_bool("SOME_SWITCH", default) is default
    assert env_bool("OTHER_SWITCH", default) is default


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled"])
def test_any_other_value_is_an_error_naming_the_variable_and_the_accepted_values(monkeypatch, value):
    # given
    monkeypatch.setenv("SOME_SWITCH", value)
    # when / then
    with pytest.raises(ImproperlyConfigured, match=r"SOME_SWITCH=.*1, true, yes, on, 0, false, no, off"):
        env_bool("SOME_SWITCH", False)


def test_a_misspelt_boolean_stops_the_settings_from_loading():
    # when
    result = run_python("-c", "import sferum_admin.settings.base", env={"DJANGO_DEBUG": "ture"})
    # then
    assert result.returncode != 0
    assert "DJANGO_DEBUG='ture' is not a yes/no value" in result.stderr


@pytest.mark.parametrize("module", ["sferum_admin.wsgi", "sferum_admin.asgi", "sferum_admin.celery"])
def test_servers_and_the_worker_default_to_the_production_settings(module):
    # given no DJANGO_SETTINGS_MODULE, a configured production host
    env = {
        "DJANGO_SECRET_KEY": "x" * 64,
        "DJANGO_ALLOWED_HOSTS": "dashboard.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    # when
    result = run_python("-W", "ignore", "-c", SHOW_SETTINGS, module, env=env)
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sferum_admin.settings.production", "False"]


@pytest.mark.parametrize("module", ["sferum_admin.wsgi", "sferum_admin.asgi", "sferum_admin.celery"])
def test_an_unconfigured_host_refuses_to_start_rather_than_run_the_development_settings(module):
    # when no DJANGO_SETTINGS_MODULE and no secret key
    result = run_python("-W", "ignore", "-c", SHOW_SETTINGS, module, env={})
    # then
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_manage_py_keeps_the_development_default():
    # when
    script = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    result = run_python("manage.py", "shell", "-v", "0", "-c", script, env={})
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sferum_admin.settings.base"]
