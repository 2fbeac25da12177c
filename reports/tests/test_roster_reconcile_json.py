"""`roster_reconcile --json` on failure: one JSON object with "status": "failed" and the message, exit 1."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chats.tests.scenario import ChatsWorld

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> tuple[int, str, str]:
    stdout = StringIO()
    try:
        call_command("roster_reconcile", *arguments, stdout=stdout)
    except CommandError as error:
        return error.returncode, stdout.getvalue(), str(error)
    return 0, stdout.getvalue(), ""


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--school", "NOPE"], "There is no school with the code «NOPE»"),
        (["--school", "REC-J", "--roster", "/nonexistent/roster.csv"], "cannot be read"),
    ],
)
def test_a_failure_prints_one_json_object_with_status_failed_and_the_message(arguments, words):
    # given
    ChatsWorld(code="REC-J")
    # when
    code, stdout, stderr = run(*arguments, "--json")
    # then
    assert code == 1
    data = json.loads(stdout)
    assert data["status"] == "failed"
    assert words in data["error"] and data["error"] == stderr
    assert data["school"] == arguments[1]


def test_a_roster_file_that_breaks_the_rules_fails_as_json_too(tmp_path):
    ChatsWorld(code="REC-K")
    path = tmp_path / "roster.csv"
    path.write_text("role;person_id;last_name;first_name;class\nstudent;S-1;Смирнов;Пётр;12Я\n", encoding="utf-8")
    code, stdout, stderr = run("--school", "REC-K", "--roster", str(path), "--json")
    assert code == 1
    data = json.loads(stdout)
    assert (data["status"], data["error"]) == ("failed", stderr)
    assert "12Я" in data["error"]


def test_without_json_a_failure_prints_nothing_on_stdout():
    code, stdout, _stderr = run("--school", "NOPE")
    assert (code, stdout) == (1, "")
