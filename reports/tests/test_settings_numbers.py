"""Numeric settings read from the environment are strict: a value that is not a number names its variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sferum_admin.settings.environment import env_float
from sferum_admin.settings.environment import env_int


def test_a_whole_number_is_read_and_an_empty_or_unset_variable_gives_the_default(monkeypatch):
    # given
    monkeypatch.setenv("SOME_LIMIT", " 250 ")
    monkeypatch.setenv("EMPTY_LIMIT", "")
    monkeypatch.delenv("UNSET_LIMIT", raising=False)
    # when / then
    assert env_int("SOME_LIMIT", 5) == 250
    assert env_int("EMPTY_LIMIT", 5) == env_int("UNSET_LIMIT", 5) == 5
    assert env_float("SOME_LIMIT", 0.5) == 250.0


@pytest.mark.parametrize("value", ["10MB", "1.5", "ten"])
def test_anything_but_a_whole_number_is_an_error_naming_the_variable(monkeypatch, value):
    # given
    monkeypatch.setenv("SOME_LIMIT", value)
    # when / then
    with pytest.raises(ImproperlyConfigured, match=f"SOME_LIMIT='{value}' is not a whole number"):
        env_int("SOME_LIMIT", 5)


def test_a_share_that_is_not_a_number_is_an_error_naming_the_variable(monkeypatch):
    # given
    monkeypatch.setenv("SOME_SHARE", "10%")
    # when / then
    with pytest.raises(ImproperlyConfigured, match="SOME_SHARE='10%' is not a number"):
        env_float("SOME_SHARE", 0.1)
