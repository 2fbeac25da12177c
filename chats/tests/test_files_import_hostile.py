"""Hostile files given to the files backend's imports (issue 9, findings 2–5): the `sferum_files_import` command
and the folder the files backend reads refuse each with the reader's clear message, in under 2 s and 200 MB,
writing nothing."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError
from django.core.management import call_command

from activation.models import SferumAccount
from chats.integrations import IntegrationError
from chats.integrations import files_backend_from_folder
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import ReportedActivity
from chats.models import SyncRun
from classes.tests.factories import SchoolFactory
from classes.tests.hostile_files import REFUSED
from classes.tests.hostile_files import hostile
from classes.tests.hostile_files import within_bounds

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def school():
    return SchoolFactory(code="SCH-9")


def written() -> int:
    return sum(model.objects.count() for model in (Chat, ChatMembership, SferumAccount, ReportedActivity, SyncRun))


def run_command(kind: str, path) -> tuple[int, str, str]:
    stdout = StringIO()
    try:
        call_command("sferum_files_import", "--school", "SCH-9", "--kind", kind, str(path), stdout=stdout)
    except CommandError as error:
        return error.returncode, stdout.getvalue(), str(error)
    return 0, stdout.getvalue(), ""


@pytest.mark.parametrize("kind", ["members", "activity"])
@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_hostile_file_given_to_the_command_is_refused_quickly_and_writes_nothing(
    school, tmp_path, kind, name, message
):
    # given
    content, filename = hostile(name)
    path = tmp_path / filename
    path.write_bytes(content)
    # when
    with within_bounds():
        code, _stdout, error = run_command(kind, path)
    # then
    assert code == 1
    assert message in error
    assert written() == 0


@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_a_hostile_member_list_in_the_backends_folder_is_an_integration_error(tmp_path, name, message):
    # given
    content, filename = hostile(name)
    (tmp_path / filename).write_bytes(content)
    # when
    with within_bounds(), pytest.raises(IntegrationError) as raised:
        files_backend_from_folder(str(tmp_path))
    # then
    assert message in str(raised.value)


def test_a_file_larger_than_the_limit_is_read_no_further_than_the_limit(school, tmp_path, settings):
    # given
    settings.IMPORT_FILE_MAX_BYTES = 1024 * 1024
    path = tmp_path / "members.csv"
    path.write_bytes(b"chat_title,user_id,last_name,first_name\n")
    with path.open("r+b") as sparse:  # 300 MB on the file system, no disk used: read whole, it breaks the bound
        sparse.truncate(300 * 1024 * 1024)
    # when
    with within_bounds():
        code, _stdout, error = run_command("members", path)
    # then
    assert code == 1
    assert "a file may be at most 1 MB" in error
    assert written() == 0


def test_nul_characters_in_a_member_name_are_a_row_error(school, tmp_path):
    # given
    path = tmp_path / "members.csv"
    path.write_bytes("chat_title,user_id,last_name,first_name\n5А класс,100,Ива\x00нова,Мария\n".encode())
    # when
    code, stdout, _error = run_command("members", path)
    # then
    assert code == 1
    assert "row 2: The cell holds a NUL character" in stdout
    assert written() == 0
