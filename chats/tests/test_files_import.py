"""File imports of the `files` backend: Sferum member lists and weekly activity reports."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.files_import.activity_import import activity_report_import
from chats.files_import.member_list import member_list_read
from chats.integrations import IntegrationError
from chats.integrations import files_backend_from_folder
from chats.member_lists import member_list_import
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import ReportedActivity
from chats.models import SyncRun
from chats.titles import propose_mapping
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.roster_files import xlsx_bytes
from sferum_api.files import chat_title_synthesize

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
W46 = date(2026, 11, 9)
W47 = date(2026, 11, 16)


@pytest.fixture
def school():
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    SchoolClassFactory(school=school, year=year, grade=5, letter="А")
    SchoolClassFactory(school=school, year=year, grade=5, letter="Б")
    return school


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def written(school) -> dict[str, int]:
    return {
        "chats": Chat.objects.filter(school=school).count(),
        "accounts": SferumAccount.objects.filter(school=school).count(),
        "memberships": ChatMembership.objects.filter(chat__school=school).count(),
        "runs": SyncRun.objects.filter(school=school).count(),
    }


MEMBERS_CSV = (
    "chat_title,user_id,last_name,first_name,role,joined_at",
    "5А класс,100,Иванова,Мария,teacher,2026-09-01",
    "5А класс,301,Смирнов,Пётр,student,2026-09-01 08:30",
    "5А класс,302,Орлова,Анна,,01.09.2026",
    "5А Родители,100,Иванова,Мария,teacher,2026-09-01",
    "5А Родители,501,Смирнова,Ольга,parent,",
)


# ----- member lists: reading ----------------------------------------------------------------------------------


def test_a_utf8_csv_with_bom_and_commas_is_read():
    # given
    content = csv_bytes(*MEMBERS_CSV, encoding="utf-8-sig")
    # when
    rows, errors = member_list_read(content=content, filename="members.csv")
    # then
    assert errors == []
    assert [(row.chat_title, row.user_id, row.last_name, row.role) for row in rows] == [
        ("5А класс", "100", "Иванова", "teacher"),
        ("5А класс", "301", "Смирнов", "student"),
        ("5А класс", "302", "Орлова", None),
        ("5А Родители", "100", "Иванова", "teacher"),
        ("5А Родители", "501", "Смирнова", "parent"),
    ]
    # join dates are in Moscow time unless they say otherwise
    assert rows[0].joined_at == datetime(2026, 8, 31, 21, 0, tzinfo=UTC)
    assert rows[1].joined_at == datetime(2026, 9, 1, 5, 30, tzinfo=UTC)
    assert rows[2].joined_at == datetime(2026, 8, 31, 21, 0, tzinfo=UTC)
    assert rows[4].joined_at is None


def test_a_cp1251_csv_with_semicolons_russian_headers_and_russian_roles_is_read():
    # given
    content = csv_bytes(
        "Название чата;Идентификатор пользователя;Фамилия;Имя;Роль;Вступил",
        "5А класс;100;Иванова;Мария;Учитель;01.09.2026 10:00",
        "5А класс;301;Смирнов;Пётр;обучающийся;01.09.2026",
        "5А Родители;501;Смирнова;Ольга;Законный представитель;",
        "Педагоги;102;Кузнецов;Сергей;Администратор;",
        "Педагоги;103;Волкова;Елена;сотрудник;",
        "Педагоги;104;Петров;Иван;педагог;",
        "5А класс;303;Зайцева;Ксения;ученица;",
        "5А Родители;502;Орлов;Игорь;родитель;",
        encoding="cp1251",
    )
    # when
    rows, errors = member_list_read(content=content, filename="Участники.csv")
    # then
    assert errors == []
    assert [(row.user_id, row.role) for row in rows] == [
        ("100", "teacher"),
        ("301", "student"),
        ("501", "parent"),
        ("102", "admin"),
        ("103", "employee"),
        ("104", "teacher"),
        ("303", "student"),
        ("502", "parent"),
    ]
    assert rows[0].joined_at == datetime(2026, 9, 1, 7, 0, tzinfo=UTC)


def test_an_xlsx_with_number_and_datetime_cells_is_read():
    # given
    content = xlsx_bytes(
        [
            ["Чат", "ID", "Фамилия", "Имя", "Роль", "Дата вступления"],
            ["5А класс", 301, "Смирнов", "Пётр", "ученик", datetime(2026, 9, 2, 12, 15)],
            ["5А класс", 302.0, "Орлова", "Анна", None, None],
        ]
    )
    # when
    rows, errors = member_list_read(content=content, filename="members.xlsx")
    # then
    assert errors == []
    assert [(row.user_id, row.role, row.joined_at) for row in rows] == [
        ("301", "student", datetime(2026, 9, 2, 9, 15, tzinfo=UTC)),
        ("302", None, None),
    ]


def test_rows_given_by_class_and_chat_kind_name_the_class_chats():
    # given
    content = csv_bytes(
        "Класс;Тип чата;ID;ФИО;Роль",
        "5 «а»;ученики;301;Смирнов Пётр Алексеевич;ученик",
        "5А;Родители;501;Смирнова Ольга Игоревна;родитель",
        ";учителя;100;Иванова Мария Петровна;учитель",
    )
    # when
    rows, errors = member_list_read(content=content, filename="members.csv")
    # then
    assert errors == []
    assert [(row.title, row.class_name, row.last_name, row.first_name) for row in rows] == [
        ("5А ученики", "5А", "Смирнов", "Пётр"),
        ("5А родители", "5А", "Смирнова", "Ольга"),
        ("Педагогический коллектив", None, "Иванова", "Мария"),
    ]


@pytest.mark.parametrize(
    ("kind", "class_name", "expected"),
    [
        ("class", "5А", ("class", "5А")),
        ("parents", "5А", ("parents", "5А")),
        ("class", "11Б", ("class", "11Б")),
        ("parents", "1В", ("parents", "1В")),
        ("staff", None, ("staff", None)),
        ("school", None, ("school", None)),
    ],
)
def test_synthesized_titles_map_back_to_their_class_and_kind(kind, class_name, expected):
    # given
    title = chat_title_synthesize(kind=kind, class_name=class_name)
    # when
    proposed = propose_mapping(title, False)
    # then
    assert proposed == expected


def test_a_column_mapping_names_other_headers():
    # given
    content = csv_bytes(
        "Беседа в Сферуме;Участник (id);Фамилия;Имя;Статус",
        "5А класс;301;Смирнов;Пётр;ученик",
    )
    mapping = {"Беседа в Сферуме": "chat_title", "Участник (id)": "user_id", "Статус": "Роль"}
    # when
    rows, errors = member_list_read(content=content, filename="members.csv", mapping=mapping)
    # then
    assert errors == []
    assert [(row.chat_title, row.user_id, row.role) for row in rows] == [("5А класс", "301", "student")]


def test_a_missing_required_column_is_reported_with_how_to_map_it():
    # given
    content = csv_bytes("Чат;Участник;Фамилия;Имя", "5А класс;301;Смирнов;Пётр")
    # when
    rows, errors = member_list_read(content=content, filename="members.csv")
    # then
    assert rows == []
    assert [(error.row, error.column) for error in errors] == [(1, "ID")]
    assert "--map" in errors[0].message
    assert "user_id" in errors[0].message


def test_a_mapping_to_an_unknown_column_is_reported():
    # given
    content = csv_bytes(*MEMBERS_CSV)
    # when
    _rows, errors = member_list_read(content=content, filename="members.csv", mapping={"Статус": "status"})
    # then
    assert [(error.row, error.column) for error in errors] == [(1, "Статус")]


def test_every_bad_row_is_reported_with_its_row_number():
    # given
    content = csv_bytes(
        "chat_title,class,chat_kind,user_id,last_name,first_name,role,joined_at",
        "5А класс,,,,Смирнов,Пётр,student,",  # 2: no user id
        ",,,301,Смирнов,Пётр,student,",  # 3: no chat
        ",12Я,ученики,302,Орлова,Анна,,",  # 4: bad class
        "5А класс,,,303,Волков,Дмитрий,,31.02.2026",  # 5: bad date
        "5А класс,,,304,,Ксения,,",  # 6: no last name
        "5А класс,,,305,Зайцев,Иван,,2026-09-01",  # 7: fine
        "5А класс,,,305,Зайцев,Иван,,2026-09-02",  # 8: listed twice, another join date
        "5А Родители,,,305,Зайцева,Ирина,,",  # 9: another name for user 305
        ",,родители,501,Смирнова,Ольга,parent,",  # 10: a parents chat without a class
        ",,кружок,502,Орлов,Игорь,parent,",  # 11: unknown chat type
        "5А Родители,,,100,Иванова,Мария,teacher,",  # 12: fine
        "5А класс,,,100,Иванова,Мария,parent,",  # 13: another role for user 100
        "5А класс,,,306,Белов,Олег,,вчера",  # 14: bad date
    )
    # when
    rows, errors = member_list_read(content=content, filename="members.csv")
    # then
    assert rows == []
    assert [(error.row, error.column) for error in errors] == [
        (2, "user_id"),
        (3, "chat_title"),
        (4, "class"),
        (5, "joined_at"),
        (6, "last_name"),
        (8, "user_id"),
        (9, "user_id"),
        (10, "class"),
        (11, "chat_kind"),
        (13, "role"),
        (14, "joined_at"),
    ]
    messages = {error.row: error.message for error in errors}
    assert "row 7" in messages[8]
    assert "row 7" in messages[9]
    assert "row 12" in messages[13]
    assert "12Я" in messages[4]
    assert all(error.message.endswith(".") for error in errors)


def test_a_row_repeated_exactly_is_not_an_error():
    # given
    content = csv_bytes(*MEMBERS_CSV, MEMBERS_CSV[2])
    # when
    rows, errors = member_list_read(content=content, filename="members.csv")
    # then
    assert errors == []
    assert len(rows) == 6


def test_rows_of_communities_and_bots_are_left_out():
    # given
    content = csv_bytes(*MEMBERS_CSV, "5А класс,-187654321,Бот,Школы,,")
    # when
    rows, errors = member_list_read(content=content, filename="members.csv")
    # then
    assert errors == []
    assert "-187654321" not in {row.user_id for row in rows}


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"", "members.csv"),
        (b"\xd0\xcf\x11\xe0rest", "members.xls"),
        (b"chat_title,user_id,last_name,first_name\n", "members.csv"),
    ],
)
def test_an_unreadable_or_empty_file_is_one_error(content, filename):
    # when
    rows, errors = member_list_read(content=content, filename=filename)
    # then
    assert rows == []
    assert len(errors) == 1


# ----- member lists: importing --------------------------------------------------------------------------------


def test_a_member_list_import_syncs_chats_accounts_and_memberships(school):
    # given
    content = csv_bytes(*MEMBERS_CSV, encoding="utf-8-sig")
    # when
    result = member_list_import(school=school, content=content, filename="members.csv")
    # then
    assert result.status == "ok", result.error
    assert (result.members, result.chats) == (5, 2)
    assert result.run.backend == "files"
    assert result.run.status == SyncRun.Status.OK
    chats = {chat.title: chat for chat in Chat.objects.filter(school=school, backend="files")}
    assert {title: (chat.kind, chat.school_class.name) for title, chat in chats.items()} == {
        "5А класс": ("class", "5А"),
        "5А Родители": ("parents", "5А"),
    }
    accounts = {a.platform_user_id: a for a in SferumAccount.objects.filter(school=school, backend="files")}
    assert {user_id: (a.role_code, a.status) for user_id, a in accounts.items()} == {
        "100": ("teacher", "active"),
        "301": ("student", "active"),
        "302": ("", "pending"),
        "501": ("parent", "active"),
    }
    memberships = ChatMembership.objects.filter(chat__school=school, left_at__isnull=True)
    assert memberships.count() == 5
    assert memberships.get(chat=chats["5А класс"], account=accounts["301"]).joined_at == datetime(
        2026, 9, 1, 5, 30, tzinfo=UTC
    )
    # no join date: joined when first seen
    assert memberships.get(chat=chats["5А Родители"], account=accounts["501"]).joined_at == NOW


def test_class_and_chat_kind_rows_land_in_the_right_class_chats(school):
    # given
    content = csv_bytes(
        "Класс;Тип чата;ID;Фамилия;Имя;Роль",
        "5Б;ученики;301;Смирнов;Пётр;ученик",
        "5Б;родители;501;Смирнова;Ольга;родитель",
        "5а;класс;302;Орлова;Анна;",
    )
    # when
    result = member_list_import(school=school, content=content, filename="members.csv")
    # then
    assert result.status == "ok", result.error
    chats = Chat.objects.filter(school=school).select_related("school_class")
    assert sorted((chat.title, chat.kind, chat.school_class.name) for chat in chats) == [
        ("5А ученики", "class", "5А"),
        ("5Б родители", "parents", "5Б"),
        ("5Б ученики", "class", "5Б"),
    ]


def test_an_unknown_role_is_pending_and_reported_by_the_sync(school):
    # given
    content = csv_bytes("Чат;ID;Фамилия;Имя;Роль", "Педагоги;101;Петров;Олег;методист")
    # when
    result = member_list_import(school=school, content=content, filename="members.csv")
    # then
    assert result.status == "ok", result.error
    account = SferumAccount.objects.get(school=school, platform_user_id="101")
    assert (account.role_code, account.status) == ("", "pending")
    assert result.sync.unknown_role_codes == ["методист"]


def test_a_file_with_a_bad_row_writes_nothing(school):
    # given
    member_list_import(school=school, content=csv_bytes(*MEMBERS_CSV), filename="members.csv")
    before = written(school)
    content = csv_bytes(*MEMBERS_CSV, "5Б класс,777,Новиков,Артём,student,", "5Б класс,,Белов,Олег,student,")
    # when
    result = member_list_import(school=school, content=content, filename="members.csv")
    # then
    assert result.status == "failed"
    assert [(error.row, error.column) for error in result.errors] == [(8, "user_id")]
    assert result.run is None
    assert written(school) == before


def test_importing_the_same_member_list_again_adds_nothing(school):
    # given
    content = csv_bytes(*MEMBERS_CSV)
    member_list_import(school=school, content=content, filename="members.csv")
    before = written(school)
    # when
    result = member_list_import(school=school, content=content, filename="members.csv")
    # then
    assert result.status == "ok", result.error
    assert (result.sync.chats_added, result.sync.members_added, result.sync.members_removed) == (0, 0, 0)
    assert written(school) == {**before, "runs": before["runs"] + 1}


def test_a_member_missing_from_the_next_file_leaves(school, clock):
    # given: twelve students in the chat
    header = "Класс;Тип чата;ID;Фамилия;Имя;Роль"
    lines = [f"5А;ученики;{300 + n};Ученик{n};Имя{n};ученик" for n in range(12)]
    member_list_import(school=school, content=csv_bytes(header, *lines), filename="week1.csv")
    clock.move_to(datetime(2026, 12, 7, 9, tzinfo=UTC), tick=False)
    # when: the next export lacks student 305
    content = csv_bytes(header, *(line for line in lines if ";305;" not in line))
    result = member_list_import(school=school, content=content, filename="week2.csv")
    # then
    assert result.status == "ok", result.error
    assert result.sync.members_removed == 1
    left = ChatMembership.objects.get(chat__school=school, account__platform_user_id="305")
    assert left.left_at == datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert ChatMembership.objects.filter(chat__school=school, left_at__isnull=True).count() == 11


def test_a_member_list_that_empties_a_class_chat_is_held_until_confirmed(school):
    # given
    member_list_import(school=school, content=csv_bytes(*MEMBERS_CSV), filename="members.csv")
    content = csv_bytes(*MEMBERS_CSV[:4])  # the parents' chat is gone from the export: both its members left
    # when
    held = member_list_import(school=school, content=content, filename="members.csv")
    # then
    assert held.status == "held"
    assert held.sync.held_removals == 2
    assert ChatMembership.objects.filter(chat__title="5А Родители", left_at__isnull=True).count() == 2
    # when
    confirmed = member_list_import(school=school, content=content, filename="members.csv", confirm_removals=True)
    # then
    assert confirmed.status == "ok", confirmed.error
    assert confirmed.sync.members_removed == 2
    assert ChatMembership.objects.filter(chat__title="5А Родители", left_at__isnull=True).count() == 0


def test_the_files_backend_reads_the_newest_member_list_of_a_folder(tmp_path):
    # given
    old = tmp_path / "old.csv"
    old.write_bytes(csv_bytes(*MEMBERS_CSV))
    new = tmp_path / "new.csv"
    new.write_bytes(csv_bytes(*MEMBERS_CSV[:3]))
    (tmp_path / "notes.txt").write_text("not a member list")
    os.utime(old, (1_000_000, 1_000_000))
    # when
    backend = files_backend_from_folder(str(tmp_path))
    # then
    assert [chat.members_count for chat in backend.list_chats()] == [2]


def test_a_folder_without_member_lists_or_with_a_bad_one_is_an_integration_error(tmp_path):
    # then
    with pytest.raises(IntegrationError):
        files_backend_from_folder(str(tmp_path))
    (tmp_path / "members.csv").write_bytes(csv_bytes("chat_title,user_id,last_name,first_name", ",1,А,Б"))
    with pytest.raises(IntegrationError, match="row 2"):
        files_backend_from_folder(str(tmp_path))


# ----- activity reports -----------------------------------------------------------------------------------------


@pytest.fixture
def teachers(school):
    return {
        "ivanova": StaffFactory(school=school, last_name="Иванова", first_name="Мария", person_id="T-1"),
        "semenova": StaffFactory(school=school, last_name="Семёнова", first_name="Алёна", person_id="T-2"),
        "petrov": StaffFactory(school=school, last_name="Петров", first_name="Иван", person_id="T-3"),
    }


def reported(school) -> dict[tuple[str, date], int]:
    return {
        (row.staff.person_id, row.week_start): row.messages
        for row in ReportedActivity.objects.filter(school=school).select_related("staff")
    }


def test_activity_is_matched_by_user_id_of_an_account_linked_to_staff(school, teachers):
    # given: accounts of two backends, both linked to staff
    SferumAccountFactory(school=school, backend="files", platform_user_id="100", staff=teachers["ivanova"])
    SferumAccountFactory(school=school, backend="vk", platform_user_id="200", staff=teachers["petrov"])
    content = csv_bytes("user_id,week,messages", "100,2026-W47,5", "200,2026-W47,0")
    # when
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    # then
    assert result.status == "ok", result.errors
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    assert reported(school) == {("T-1", W47): 5, ("T-3", W47): 0}
    assert ReportedActivity.objects.get(staff=teachers["ivanova"]).source_file == "activity.csv"


def test_activity_is_matched_by_full_name_whatever_ё_or_е_and_the_patronymic(school, teachers):
    # given
    content = csv_bytes(
        "ФИО;Неделя;Сообщения",
        "Семенова Алена Игоревна;2026-W47;4",
        "ИВАНОВА МАРИЯ;2026-W7;3",
        encoding="cp1251",
    )
    # when
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    # then
    assert result.status == "ok", result.errors
    assert reported(school) == {("T-2", W47): 4, ("T-1", date(2026, 2, 9)): 3}


def test_activity_from_an_xlsx_with_last_and_first_name_columns(school, teachers):
    # given
    content = xlsx_bytes(
        [
            ["Фамилия", "Имя", "Неделя", "Количество сообщений"],
            ["Петров", "Иван", "2026-W46", 7],
            ["Петров", "Иван", "2026-W47", 2.0],
        ]
    )
    # when
    result = activity_report_import(school=school, content=content, filename="activity.xlsx")
    # then
    assert result.status == "ok", result.errors
    assert reported(school) == {("T-3", W46): 7, ("T-3", W47): 2}


def test_a_namesake_makes_the_name_ambiguous_and_nothing_is_written(school, teachers):
    # given
    StaffFactory(school=school, last_name="Иванова", first_name="Мария", person_id="T-9")
    content = csv_bytes("ФИО;Неделя;Сообщения", "Петров Иван;2026-W47;3", "Иванова Мария Петровна;2026-W47;5")
    # when
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    # then
    assert result.status == "failed"
    assert [(error.row, error.column) for error in result.errors] == [(3, "ФИО")]
    assert "T-1" in result.errors[0].message
    assert "T-9" in result.errors[0].message
    assert ReportedActivity.objects.count() == 0


def test_every_bad_activity_row_is_reported_and_nothing_is_written(school, teachers):
    # given
    SferumAccountFactory(school=school, backend="files", platform_user_id="999")  # linked to nobody
    content = csv_bytes(
        "user_id,full_name,week,messages",
        ",Петров Иван,2026-W47,3",  # 2: fine
        ",Сидоров Олег,2026-W47,3",  # 3: nobody of that name
        "999,,2026-W47,3",  # 4: an account linked to nobody
        ",Иванова Мария,2026-W54,3",  # 5: no such week
        ",Иванова Мария,47-я неделя,3",  # 6: not a week
        ",Иванова Мария,2026-W46,-1",  # 7: negative
        ",Иванова Мария,2026-W45,2.5",  # 8: not whole
        ",Иванова Мария,2026-W44,",  # 9: empty
        ",,2026-W47,3",  # 10: nobody
        ",Петров Иван,2026-W47,4",  # 11: row 2 gave another count for the same week
    )
    # when
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    # then: the reading errors first (the file's rows are matched only once they read)
    assert result.status == "failed"
    assert [(error.row, error.column) for error in result.errors] == [
        (5, "week"),
        (6, "week"),
        (7, "messages"),
        (8, "messages"),
        (9, "messages"),
        (10, "user_id"),
    ]
    assert ReportedActivity.objects.count() == 0
    # when the reading errors are corrected, the matching errors are reported
    content = csv_bytes(
        "user_id,full_name,week,messages",
        ",Петров Иван,2026-W47,3",
        ",Сидоров Олег,2026-W47,3",
        "999,,2026-W47,3",
        ",Петров Иван,2026-W47,4",
    )
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    assert [(error.row, error.column) for error in result.errors] == [(3, "full_name"), (4, "user_id"), (5, "messages")]
    assert "row 2" in result.errors[2].message.lower()
    assert all(error.message.endswith(".") for error in result.errors)
    assert ReportedActivity.objects.count() == 0


def test_a_user_id_linked_to_nobody_falls_back_to_the_name(school, teachers):
    # given
    content = csv_bytes("ID;ФИО;Неделя;Сообщения", "555;Петров Иван;2026-W47;6")
    # when
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    # then
    assert result.status == "ok", result.errors
    assert reported(school) == {("T-3", W47): 6}


def test_a_staff_member_who_did_not_work_that_week_is_not_matched(school, teachers):
    # given
    StaffFactory(school=school, last_name="Орлов", first_name="Игорь", employed_to=date(2026, 10, 31))
    content = csv_bytes("ФИО;Неделя;Сообщения", "Орлов Игорь;2026-W47;6")
    # when
    result = activity_report_import(school=school, content=content, filename="activity.csv")
    # then
    assert result.status == "failed"
    assert "in week 16–22 November;" in result.errors[0].message  # the week as people say it, not «2026-W47»


def test_reimporting_changes_nothing_and_a_later_file_replaces_the_counts(school, teachers, clock):
    # given
    first = csv_bytes("ФИО;Неделя;Сообщения", "Петров Иван;2026-W47;3", "Иванова Мария;2026-W47;1")
    activity_report_import(school=school, content=first, filename="week47.csv")
    imported_at = ReportedActivity.objects.get(staff=teachers["petrov"]).imported_at
    clock.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False)
    # when
    again = activity_report_import(school=school, content=first, filename="week47.csv")
    # then
    assert (again.status, again.added, again.updated, again.unchanged) == ("ok", 0, 0, 2)
    assert ReportedActivity.objects.get(staff=teachers["petrov"]).imported_at == imported_at
    # when a corrected report for the same week comes
    later = csv_bytes("ФИО;Неделя;Сообщения", "Петров Иван;2026-W47;3", "Иванова Мария;2026-W47;4")
    replaced = activity_report_import(school=school, content=later, filename="week47-corrected.csv")
    # then
    assert (replaced.status, replaced.added, replaced.updated, replaced.unchanged) == ("ok", 0, 1, 1)
    assert reported(school) == {("T-3", W47): 3, ("T-1", W47): 4}
    corrected = ReportedActivity.objects.get(staff=teachers["ivanova"])
    assert corrected.source_file == "week47-corrected.csv"
    assert corrected.imported_at == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert ReportedActivity.objects.count() == 2


def test_the_activity_columns_can_be_mapped(school, teachers):
    # given
    content = csv_bytes("Учитель (Ф.И.О.);Период;Кол-во", "Петров Иван;2026-W47;3")
    mapping = {"Учитель (Ф.И.О.)": "full_name", "Период": "week", "Кол-во": "messages"}
    # when
    missing = activity_report_import(school=school, content=content, filename="activity.csv")
    result = activity_report_import(school=school, content=content, filename="activity.csv", mapping=mapping)
    # then
    assert missing.status == "failed"
    assert [(error.row, error.column) for error in missing.errors] == [(1, "ID"), (1, "Неделя"), (1, "Сообщения")]
    assert "--map" in missing.errors[1].message
    assert result.status == "ok", result.errors
    assert reported(school) == {("T-3", W47): 3}


def test_an_activity_import_makes_the_same_number_of_queries_for_any_size(school):
    # given
    staff = [StaffFactory(school=school, last_name=f"Учитель{n}", first_name="Имя") for n in range(20)]

    def report(people):
        return csv_bytes("ФИО;Неделя;Сообщения", *(f"{person.last_name} Имя;2026-W47;3" for person in people))

    # when
    with CaptureQueriesContext(connection) as small:
        activity_report_import(school=school, content=report(staff[:2]), filename="small.csv")
    with CaptureQueriesContext(connection) as large:
        activity_report_import(school=school, content=report(staff[2:]), filename="large.csv")
    # then
    assert len(small.captured_queries) == len(large.captured_queries)
    assert ReportedActivity.objects.count() == 20


def test_reported_activity_must_start_on_a_monday(school, teachers):
    # given
    row = ReportedActivity(school=school, staff=teachers["petrov"], week_start=date(2026, 11, 17), messages=3)
    # then
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert "week_start" in exc.value.message_dict
    row.week_start = W47
    row.full_clean()


def _run_import(*args: str) -> tuple[int, str, str]:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("sferum_files_import", *args, stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)


def test_the_command_imports_an_activity_report_and_prints_json(school, teachers, tmp_path):
    # given
    report = tmp_path / "activity.csv"
    report.write_bytes(csv_bytes("ФИО;Неделя;Сообщения", "Петров Иван;2026-W47;6"))
    # when
    code, out, err = _run_import("--school", school.code, "--kind", "activity", str(report), "--json")
    # then
    assert code == 0, err
    assert json.loads(out)["status"] == "ok"
    assert reported(school) == {("T-3", W47): 6}


def test_the_command_imports_a_member_list_and_fails_with_exit_1_on_bad_rows(school, tmp_path):
    # given
    good = tmp_path / "members.csv"
    good.write_bytes(csv_bytes("chat_title,user_id,last_name,first_name,role", "5А класс,301,Смирнов,Пётр,student"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("chat_title,user_id,last_name,first_name,role", "5А класс,,Смирнов,Пётр,student"))
    # when
    ok_code, ok_out, _err = _run_import("--school", school.code, "--kind", "members", str(good), "--json")
    bad_code, _out, bad_err = _run_import("--school", school.code, "--kind", "members", str(bad))
    # then
    assert ok_code == 0
    assert json.loads(ok_out)["sync"]["members"]["added"] == 1
    assert bad_code == 1
    assert bad_err


def test_the_command_refuses_an_unknown_school_and_an_unreadable_file(school, tmp_path):
    assert _run_import("--school", "NOPE", "--kind", "activity", str(tmp_path / "x.csv"))[0] == 1
    code, _out, err = _run_import("--school", school.code, "--kind", "activity", str(tmp_path / "missing.csv"))
    assert code == 1
    assert "cannot be read" in err
