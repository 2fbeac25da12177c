import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import ManagementUtility

from classes.models import Parent
from classes.models import RosterImport
from classes.models import Staff
from classes.models import Student
from classes.tests.factories import SchoolFactory
from classes.tests.roster_files import roster_import_command

# A school day in October, in English.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.clock("2026-10-05T09:00:00+03:00"),
    pytest.mark.usefixtures("english"),
]

FILES = Path(__file__).parent / "files"
CP1251_FILE = FILES / "roster_cp1251_semicolon.csv"
COUNT_KEYS = {
    "classes": {"added", "updated"},
    "staff": {"added", "updated", "left"},
    "students": {"added", "updated", "left", "moved"},
    "parents": {"added", "updated", "left"},
}


def cp1251_file(tmp_path: Path, *, drop: tuple[str, ...] = (), replace: tuple[str, str] | None = None) -> Path:
    """Return a copy of the cp1251 roster without the rows of some people, optionally with a text replaced."""
    lines = CP1251_FILE.read_bytes().decode("cp1251").splitlines()
    lines = [line for line in lines if not any(f";{person_id};" in line for person_id in drop)]
    text = "\r\n".join(lines) + "\r\n"
    if replace:
        text = text.replace(*replace)
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("cp1251"))
    return path


def test_json_output_is_one_object_shaped_as_the_cli_contract():
    # given
    SchoolFactory(code="SCH-017")
    # when
    code, stdout, _stderr = roster_import_command("--school", "SCH-017", str(CP1251_FILE), "--json")
    # then
    assert code == 0
    data = json.loads(stdout)
    assert set(data) == {"school", "status", "file", "classes", "staff", "students", "parents", "errors"}
    assert {key: set(data[key]) for key in COUNT_KEYS} == COUNT_KEYS
    assert (data["school"], data["status"], data["file"]) == ("SCH-017", "ok", "roster_cp1251_semicolon.csv")
    assert data["students"] == {"added": 6, "updated": 0, "left": 0, "moved": 0}
    assert data["errors"] == []
    assert "Смирнов" not in stdout and "\\u" not in stdout  # no names printed; Cyrillic would not be escaped


def test_a_human_summary_without_json():
    SchoolFactory(code="SCH-017")
    code, stdout, _stderr = roster_import_command("--school", "SCH-017", str(CP1251_FILE))
    assert code == 0
    assert stdout.splitlines() == [
        "Imported roster_cp1251_semicolon.csv into school SCH-017.",
        "Classes: 3 added, 0 updated.",
        "Staff: 4 added, 0 updated, 0 left.",
        "Students: 6 added, 0 updated, 0 left, 0 moved.",
        "Parents: 7 added, 0 updated, 0 left.",
    ]


def test_a_bad_file_exits_1_lists_every_error_and_writes_nothing(tmp_path):
    # given
    SchoolFactory(code="SCH-017")
    path = cp1251_file(tmp_path, replace=(";5 б;", ";12Я;"))
    path.write_bytes(path.read_bytes().replace(b"12.03.2015", b"2015-02-30"))
    # when
    code, stdout, stderr = roster_import_command("--school", "SCH-017", str(path), "--json")
    # then
    assert code == 1
    assert stderr == "The roster has 2 errors; nothing was imported. Fix the rows listed and import it again."
    assert json.loads(stdout)["errors"] == [
        {
            "row": 6,
            "column": "Дата рождения",
            "message": "«2015-02-30» is not a date; write it as YYYY-MM-DD or DD.MM.YYYY.",
        },
        {"row": 7, "column": "Класс", "message": "«12Я» is not a class name; use a grade 1–11 and a letter, like 5А."},
    ]
    assert not Student.objects.exists()
    # the same without --json: the rows on stdout
    code, stdout, _stderr = roster_import_command("--school", "SCH-017", str(path))
    assert code == 1
    assert (
        stdout.splitlines()[1] == "Row 7, «Класс»: «12Я» is not a class name; use a grade 1–11 and a letter, like 5А."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--school", "NOPE", str(CP1251_FILE)],
            "There is no school with the code «NOPE»; create it with school_create first.",
        ),
        (
            ["--school", "SCH-017", "/nonexistent/roster.csv"],
            "The file /nonexistent/roster.csv cannot be read (No such file or directory); check its path.",
        ),
        (
            ["--school", "SCH-017", str(CP1251_FILE), "--map", "Ф.И.О.full_name"],
            '«Ф.И.О.full_name» is not a column mapping; write it as --map "Header=column".',
        ),
    ],
)
def test_operator_mistakes_exit_1_with_one_line(args, message):
    # given
    SchoolFactory(code="SCH-017")
    # when
    code, stdout, stderr = roster_import_command(*args)
    json_code, json_stdout, _stderr = roster_import_command(*args, "--json")
    # then
    assert (code, stdout, stderr) == (1, "", message)
    assert json_code == 1
    assert json.loads(json_stdout)["errors"] == [{"row": None, "column": "", "message": message}]
    assert not RosterImport.objects.exists()


def test_an_unreadable_file_exits_1(tmp_path):
    SchoolFactory(code="SCH-017")
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    code, _stdout, stderr = roster_import_command("--school", "SCH-017", str(path))
    assert (code, stderr) == (1, "The file is not a readable XLSX workbook; save it again as XLSX or CSV.")
    assert RosterImport.objects.get().status == "failed"


def test_map_options_read_other_headers(tmp_path):
    # given
    SchoolFactory(code="SCH-017")
    path = tmp_path / "kontingent.csv"
    path.write_bytes(
        "Категория;Код;Ф.И.О.;Группа\r\nученик;S-1;Петрова-Водкина Алиса Кирилловна;5 «А»\r\n".encode("cp1251")
    )
    # when
    code, stdout, _stderr = roster_import_command(
        "--school", "SCH-017", str(path), "--map", "Категория=role", "--map", "Код=person_id",
        "--map", "Ф.И.О.=full_name", "--map", "Группа=class", "--json",
    )  # fmt: skip
    # then
    assert code == 0, stdout
    student = Student.objects.get()
    assert (student.last_name, student.first_name, student.patronymic) == ("Петрова-Водкина", "Алиса", "Кирилловна")


def test_a_held_import_exits_3_writes_nothing_until_confirmed(tmp_path):
    # given: the school has the 17 people of the file; a new file drops the 6А students and their parents
    SchoolFactory(code="SCH-017")
    assert roster_import_command("--school", "SCH-017", str(CP1251_FILE))[0] == 0
    path = cp1251_file(tmp_path, drop=("S-1005", "S-1006", "P-2006", "P-2007"))
    # when
    code, stdout, stderr = roster_import_command("--school", "SCH-017", str(path), "--json")
    # then
    assert code == 3
    data = json.loads(stdout)
    assert data["status"] == "held"
    assert (data["would_leave"], data["current_people"], data["emptied_classes"]) == (4, 17, ["6А"])
    assert stderr == (
        "Held: 4 of the school's 17 current people would leave; nothing was written. "
        "These classes would have no students: 6А. Check the file, then run the command again with --confirm-removals."
    )
    assert Parent.objects.filter(left_on__isnull=False).count() == 0
    assert Student.objects.filter(enrollments__ends_on__isnull=False).count() == 0
    # when confirmed
    code, stdout, _stderr = roster_import_command("--school", "SCH-017", str(path), "--confirm-removals", "--json")
    # then
    assert code == 0
    data = json.loads(stdout)
    assert (data["status"], data["students"]["left"], data["parents"]["left"]) == ("ok", 2, 2)
    assert Parent.objects.filter(left_on=date(2026, 10, 5)).count() == 2
    assert [log.status for log in RosterImport.objects.order_by("pk")] == ["ok", "held", "ok"]


def test_the_held_summary_without_json_says_what_would_happen(tmp_path):
    SchoolFactory(code="SCH-017")
    roster_import_command("--school", "SCH-017", str(CP1251_FILE))
    path = cp1251_file(tmp_path, drop=("T-003", "T-004"))
    code, stdout, _stderr = roster_import_command("--school", "SCH-017", str(path))
    assert code == 3
    assert stdout.splitlines()[:3] == [
        "Nothing written; if confirmed, roster.csv would make:",
        "Classes: 0 added, 1 updated.",
        "Staff: 0 added, 0 updated, 2 left.",
    ]
    assert Staff.objects.filter(employed_to__isnull=True).count() == 4


def test_exit_codes_as_a_shell_sees_them(tmp_path, monkeypatch, capsys):
    # given: run_from_argv is what manage.py calls; it closes the connections, which would end the test's transaction
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    SchoolFactory(code="SCH-017")
    held_file = cp1251_file(tmp_path, drop=("S-1005", "S-1006", "P-2006", "P-2007"))

    def manage(*args: str) -> tuple[int, str, str]:
        try:
            ManagementUtility(["manage.py", *args]).execute()
        except SystemExit as exit_:
            code = exit_.code
        else:
            code = 0
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    # when
    ok = manage("roster_import", "--school", "SCH-017", str(CP1251_FILE), "--json")
    held = manage("roster_import", "--school", "SCH-017", str(held_file), "--json")
    failed = manage("roster_import", "--school", "NOPE", str(CP1251_FILE))
    # then
    assert (ok[0], json.loads(ok[1])["status"], ok[2]) == (0, "ok", "")
    assert (held[0], json.loads(held[1])["status"]) == (3, "held")
    assert held[2].startswith("CommandError: Held: 4 of the school's 17 current people would leave")
    assert len(held[2].strip().splitlines()) == 1
    assert failed == (
        1,
        "",
        "CommandError: There is no school with the code «NOPE»; create it with school_create first.\n",
    )
