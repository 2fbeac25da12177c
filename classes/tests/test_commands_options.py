"""classes/commands.py: each command option mistake is one sentence, raised as a CommandError or handed to `fail`."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from classes.commands import column_mapping
from classes.commands import file_content
from classes.commands import school_by_code
from classes.tests.factories import SchoolFactory


class Failed(Exception):
    pass


def fail(message: str):
    raise Failed(message)


@pytest.mark.django_db
def test_a_school_is_found_by_its_code_or_the_command_says_there_is_none():
    school = SchoolFactory(code="S-1")
    assert school_by_code("S-1") == school
    with pytest.raises(CommandError, match="«S-2»"):
        school_by_code("S-2")
    with pytest.raises(Failed, match="school_create"):
        school_by_code("S-2", fail)


def test_a_file_that_cannot_be_read_names_itself_and_the_reason(tmp_path):
    (tmp_path / "roster.csv").write_bytes(b"role\n")
    assert file_content(tmp_path / "roster.csv") == b"role\n"
    with pytest.raises(Failed, match=r"missing\.csv"):
        file_content(tmp_path / "missing.csv", fail)


def test_a_column_mapping_is_header_equals_column():
    assert column_mapping(["Класс=class"]) == {"Класс": "class"}
    with pytest.raises(CommandError, match="«Класс»"):
        column_mapping(["Класс"])


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["sferum_sync", "sferum_connect"])
def test_the_sync_commands_name_an_unknown_school(command):
    extra = ["--backend", "simulator"] if command == "sferum_connect" else []
    with pytest.raises(CommandError, match="«NOPE»"):
        call_command(command, "--school", "NOPE", *extra)
