"""The `files` backend: chats and members from member-list rows, stable chat ids, no messages."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from sferum_api import Backend
from sferum_api import ChatAccessError
from sferum_api.files import FilesBackend
from sferum_api.files import MemberRow
from sferum_api.files import chat_id_for_title
from sferum_api.files import chat_title_synthesize

JOINED = datetime(2026, 9, 1, 5, 0, tzinfo=UTC)


def member(chat_title="5А класс", user_id="301", last_name="Смирнов", first_name="Пётр", role="student", **fields):
    return MemberRow(
        chat_title=chat_title,
        chat_kind=fields.pop("chat_kind", None),
        class_name=fields.pop("class_name", None),
        user_id=user_id,
        last_name=last_name,
        first_name=first_name,
        role=role,
        joined_at=fields.pop("joined_at", JOINED),
    )


def test_the_backend_implements_the_protocol():
    # given
    backend = FilesBackend(rows=[member()])
    # then
    assert isinstance(backend, Backend)
    assert backend.name == "files"


def test_one_chat_is_listed_per_distinct_title_with_its_member_count():
    # given
    rows = [
        member("5А класс", "100", "Иванова", "Мария", "teacher"),
        member("5А класс", "301"),
        member("5А Родители", "100", "Иванова", "Мария", "teacher"),
        member("5а  РОДИТЕЛИ", "501", "Смирнова", "Ольга", "parent"),
    ]
    # when
    chats = list(FilesBackend(rows=rows).list_chats())
    # then
    assert [(chat.title, chat.members_count) for chat in chats] == [("5А класс", 2), ("5А Родители", 2)]
    assert chats[0].chat_id == chat_id_for_title("5А класс")


def test_chat_ids_are_stable_across_files_and_spellings():
    # given
    first = FilesBackend(rows=[member("5А Родители")])
    second = FilesBackend(rows=[member("  5а   родители ", "999")])
    # when
    first_id = next(first.list_chats()).chat_id
    second_id = next(second.list_chats()).chat_id
    # then
    assert first_id == second_id
    assert len(first_id) <= 64
    assert first_id != chat_id_for_title("5Б Родители")


def test_a_chat_given_by_class_and_kind_gets_a_synthesized_title():
    # given
    rows = [
        member("", chat_kind="class", class_name="5А"),
        member("", "501", "Смирнова", "Ольга", "parent", chat_kind="parents", class_name="5А"),
        member("", "100", "Иванова", "Мария", "teacher", chat_kind="staff"),
        member("5А ученики", "302", "Орлова", "Анна"),
    ]
    # when
    chats = list(FilesBackend(rows=rows).list_chats())
    # then: the row with the same title as a synthesized one is in the same chat
    assert [(chat.title, chat.members_count) for chat in chats] == [
        ("5А ученики", 2),
        ("5А родители", 1),
        ("Педагогический коллектив", 1),
    ]


def test_a_channel_kind_marks_the_chat_as_a_channel():
    # when
    chats = list(FilesBackend(rows=[member("Новости школы", chat_kind="channel")]).list_chats())
    # then
    assert chats[0].is_channel


def test_members_carry_role_codes_and_no_role_is_none():
    # given
    rows = [
        member(user_id="100", last_name="Иванова", first_name="Мария", role="teacher"),
        member(user_id="302", last_name="Орлова", first_name="Анна", role=None),
    ]
    backend = FilesBackend(rows=rows)
    chat_id = next(backend.list_chats()).chat_id
    # when
    members = backend.list_members(chat_id)
    # then
    assert [(m.user_id, m.profile.last_name, m.profile.role_code, m.joined_at) for m in members] == [
        ("100", "Иванова", "teacher", JOINED),
        ("302", "Орлова", None, JOINED),
    ]
    assert backend.stats.unknown_role_codes == set()


def test_an_unknown_role_code_becomes_no_role_and_is_recorded():
    # given
    backend = FilesBackend(rows=[member(user_id="101", role="методист")])
    # when
    members = backend.list_members(next(backend.list_chats()).chat_id)
    # then
    assert members[0].profile.role_code is None
    assert backend.stats.unknown_role_codes == {"методист"}


def test_a_member_listed_twice_in_a_chat_is_one_member_and_a_role_given_anywhere_counts():
    # given
    rows = [
        member("5А класс", "301", role=None),
        member("5А класс", "301", role=None),
        member("Кружок робототехники", "301", role="student"),
    ]
    backend = FilesBackend(rows=rows)
    chat_id = chat_id_for_title("5А класс")
    # when
    members = backend.list_members(chat_id)
    # then
    assert [(m.user_id, m.profile.role_code) for m in members] == [("301", "student")]


def test_a_member_list_has_no_messages():
    # given
    backend = FilesBackend(rows=[member()])
    chat_id = next(backend.list_chats()).chat_id
    # then
    assert list(backend.iter_messages(chat_id)) == []
    assert list(backend.iter_messages(chat_id, after_cursor=5, since=JOINED)) == []


def test_a_chat_not_in_the_list_is_refused():
    # given
    backend = FilesBackend(rows=[member()])
    # then
    with pytest.raises(ChatAccessError):
        backend.list_members("file-unknown")
    with pytest.raises(ChatAccessError):
        list(backend.iter_messages("file-unknown"))


def test_an_empty_member_list_lists_no_chats():
    assert list(FilesBackend(rows=[]).list_chats()) == []


@pytest.mark.parametrize(
    ("kind", "class_name", "title"),
    [("class", "5А", "5А ученики"), ("parents", "11Б", "11Б родители"), ("school", None, "Общий чат школы")],
)
def test_titles_are_synthesized_from_kind_and_class(kind, class_name, title):
    assert chat_title_synthesize(kind=kind, class_name=class_name) == title


@pytest.mark.parametrize(("kind", "class_name"), [("class", None), ("subject", "5А"), ("", None)])
def test_a_kind_without_a_title_or_a_class_chat_without_its_class_is_refused(kind, class_name):
    with pytest.raises(ValueError):
        chat_title_synthesize(kind=kind, class_name=class_name)


def test_known_chats_missing_from_the_list_are_listed_with_no_members():
    # given
    gone = chat_id_for_title("5Б Родители")
    backend = FilesBackend(rows=[member()], known_chats={gone: "5Б Родители", chat_id_for_title("5А класс"): "x"})
    # when
    chats = {chat.chat_id: chat for chat in backend.list_chats()}
    # then
    assert [(chat.title, chat.members_count) for chat in chats.values()] == [("5А класс", 1), ("5Б Родители", 0)]
    assert backend.list_members(gone) == []
