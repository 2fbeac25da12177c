"""The simulated school: deterministic, realistic in its figures, and a proper Backend."""

import csv
import io
import os
import subprocess
import sys
from collections import Counter
from collections import defaultdict
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from sferum_api import Backend
from sferum_api import ChatAccessError
from sferum_api.simulator import MOSCOW
from sferum_api.simulator import ROSTER_COLUMNS
from sferum_api.simulator import SimulatedSchool
from sferum_api.simulator import message_text
from sferum_api.simulator.data import surname_feminine
from sferum_api.text import text_digest

TODAY = date(2026, 11, 30)
KEY = b"test-hash-key"


@pytest.fixture(scope="module")
def school() -> SimulatedSchool:
    return SimulatedSchool(seed=42, school_index=0, today=TODAY, hash_key=KEY)


def _snapshot(sim: SimulatedSchool) -> tuple:
    return (
        sim.roster_csv(),
        [(c.chat_id, c.title, c.is_channel, c.owner_id, tuple(c.admin_ids)) for c in sim.chats],
        [(m.chat_id, m.user_id, m.joined_at, m.is_admin) for m in sim.memberships],
        [(a.user_id, a.last_name, a.first_name, a.role_code) for a in sim.accounts.values()],
        [(m.message_id, m.chat_id, m.sent_at, m.author_id, m.kind, message_text(m)) for m in sim.messages],
    )


def test_the_same_seed_gives_the_same_school_and_another_index_another(school):
    # given
    again = SimulatedSchool(seed=42, school_index=0, today=TODAY, hash_key=KEY)
    other = SimulatedSchool(seed=42, school_index=1, today=TODAY, hash_key=KEY)
    # then
    assert _snapshot(again) == _snapshot(school)
    assert other.roster_csv() != school.roster_csv()
    assert other.school_name != school.school_name


def test_the_school_does_not_depend_on_the_hash_seed_of_the_process():
    # given: two interpreters with different string hashing
    script = (
        "import hashlib; from datetime import date; from sferum_api.simulator import SimulatedSchool, message_text;"
        "s = SimulatedSchool(seed=7, school_index=1, today=date(2026, 11, 30), hash_key=b'k');"
        "h = hashlib.sha256(s.roster_csv());"
        "[h.update(repr((m.message_id, m.chat_id, m.sent_at, m.author_id, message_text(m))).encode()) "
        "for m in s.messages];"
        "[h.update(repr((m.chat_id, m.user_id, m.joined_at)).encode()) for m in s.memberships];"
        "print(h.hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]

    def run(hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)  # noqa: S603
        return done.stdout.strip()

    # then
    assert run("1") == run("2")


def test_classes_students_and_birth_dates(school):
    by_class = Counter(person.class_name for person in school.students)
    assert school.classes == [f"{grade}{letter}" for grade in range(1, 12) for letter in "АБВ"]
    assert set(by_class) == set(school.classes)
    assert all(20 <= size <= 30 for size in by_class.values())
    for person in school.students:
        grade = int(person.class_name[:-1])
        # a first-former of 2026/2027 was born between 1 September 2018 and 31 August 2019
        assert date(2026 - 7 - grade, 9, 1) <= person.birth_date <= date(2026 - 6 - grade, 8, 31)


def test_names_are_gendered(school):
    for person in school.students:
        if person.gender == "f":
            assert person.patronymic.endswith(("вна", "чна"))
            assert not person.last_name.endswith(("ов", "ев", "ёв", "ин", "ский"))
        else:
            assert person.patronymic.endswith(("вич", "ич"))
            assert not person.last_name.endswith(("ова", "ева", "ина", "ская"))


def test_families_siblings_twins_and_namesakes(school):
    students = {person.person_id: person for person in school.students}
    parents_of = defaultdict(list)
    for parent in school.parents:
        assert parent.children
        for child in parent.children:
            parents_of[child].append(parent)
    counts = Counter(len(parents_of[person_id]) for person_id in students)
    assert counts[1] + counts[2] > 0.9 * len(students)
    assert 1 <= counts[0] < 0.06 * len(students)
    assert set(counts) <= {0, 1, 2}
    siblings = [p for p in school.parents if len({students[c].class_name for c in p.children}) == 2]
    assert len(siblings) >= 10
    for parent in siblings:
        children = [students[c] for c in parent.children]
        female_forms = {
            child.last_name if child.gender == "f" else surname_feminine(child.last_name) for child in children
        }
        assert len(female_forms) == 1  # siblings share the surname (Иванов / Иванова)
    twins = [
        p
        for p in school.parents
        if len(p.children) == 2
        and students[p.children[0]].class_name == students[p.children[1]].class_name
        and students[p.children[0]].birth_date == students[p.children[1]].birth_date
    ]
    assert twins
    names = defaultdict(set)
    for person in school.students:
        names[(person.last_name, person.first_name)].add(person.class_name)
    assert sum(1 for classes in names.values() if len(classes) > 1) >= 3
    per_class = Counter((person.class_name, person.last_name, person.first_name) for person in school.students)
    assert max(per_class.values()) == 1  # no namesakes inside a class


def test_staff(school):
    staff = school.staff
    class_teachers = [person for person in staff if person.class_teacher_of]
    assert sorted(name for person in class_teachers for name in person.class_teacher_of) == sorted(school.classes)
    assert all(person.teaches for person in class_teachers)
    extra = [
        person for person in staff if person.teaches and not person.class_teacher_of and person.subject is not None
    ]
    assert 14 <= len(extra) <= 16
    non_teaching = [person for person in staff if not person.teaches and person.position != "директор"]
    assert 3 <= len(non_teaching) <= 5
    positions = [person.position for person in staff]
    assert "директор" in positions
    assert any(position.startswith("заместитель директора") for position in positions)
    assert len({person.person_id for person in staff}) == len(staff)
    staff_accounts = {a.person_id: a for a in school.accounts.values() if a.person_id and a.person_id.startswith("T")}
    assert 1 <= len(staff) - len(staff_accounts) <= 2  # one or two without an account
    assert sum(1 for a in staff_accounts.values() if a.role_code is None) == 2  # pending


def test_roster_csv_has_the_roster_columns(school):
    rows = list(csv.DictReader(io.StringIO(school.roster_csv().decode("utf-8")), delimiter=";"))
    assert tuple(rows[0]) == ROSTER_COLUMNS
    assert len(rows) == len(school.staff) + len(school.students) + len(school.parents)
    roles = Counter(row["role"] for row in rows)
    assert roles == {"staff": len(school.staff), "student": len(school.students), "parent": len(school.parents)}
    assert {row["teaches"] for row in rows if row["role"] == "staff"} == {"yes", "no"}
    assert any(";" in row["children"] for row in rows)


def test_chats_cover_every_class_and_the_school(school):
    kinds = Counter(chat.kind for chat in school.chats)
    assert kinds["class"] == kinds["parents"] == 33
    assert kinds["subject"] >= 15
    assert kinds["staff"] == kinds["channel"] == 1
    assert kinds["other"] >= 1
    assert [chat.is_channel for chat in school.chats].count(True) == 1
    titles = [chat.title for chat in school.chats]
    assert any(any(ch.isascii() and ch.isalpha() for ch in title) for title in titles)  # a Latin look-alike
    formats = {chat.title.replace(chat.class_name or "", "") for chat in school.chats if chat.kind == "class"}
    assert len(formats) > 3


def test_activation_varies_by_class(school):
    students_low = [c for c, a in school.activation.items() if a["students"] / a["enrolled"] < 0.9]
    parents_low = [c for c, a in school.activation.items() if a["parents"] / a["enrolled"] < 0.9]
    assert 2 <= len(students_low) <= 10
    assert 2 <= len(parents_low) <= 10
    assert len(set(students_low) | set(parents_low)) < 33 / 2  # most classes pass


def test_platform_accounts_as_planned(school):
    # every class's students chat holds as many student-role accounts of its students as planned
    for class_name, planned in school.activation.items():
        chat = school.students_chat[class_name]
        people = {
            school.accounts[m.user_id].person_id
            for m in school.members_of(chat.chat_id)
            if school.accounts[m.user_id].role_code == "student" and school.accounts[m.user_id].person_id
        }
        assert len(people) == planned["students"]
    strangers = [a for a in school.accounts.values() if a.person_id is None]
    assert any(a.role_code == "student" for a in strangers)
    assert any(a.role_code is None for a in school.accounts.values())
    class_teacher_admins = sum(
        1
        for class_name in school.classes
        if school.staff_account.get(school.class_teacher[class_name].person_id)
        in school.students_chat[class_name].admin_ids
    )
    assert 25 <= class_teacher_admins < 33


def _week(moment: datetime) -> tuple[int, int]:
    return moment.astimezone(MOSCOW).isocalendar()[:2]


def test_message_history(school):
    messages = school.messages
    assert 10_000 <= len(messages) <= 25_000
    weeks = Counter(_week(m.sent_at) for m in messages)
    assert len(weeks) >= 9
    end = datetime(2026, 11, 30, tzinfo=MOSCOW)
    assert max(m.sent_at for m in messages) < end
    assert all(m.sent_at.tzinfo is not None and m.sent_at.utcoffset() == timedelta(0) for m in messages[:50])
    holiday = weeks[(2026, 44)]  # the week of 28 October
    assert holiday < 0.15 * sorted(weeks.values())[len(weeks) // 2]
    kinds = Counter(m.kind for m in messages)
    assert {"document", "video", "link", "photo", "call", "service"} <= set(kinds)
    assert 1 <= sum(1 for m in messages if m.from_bot) <= 3
    daytime = sum(1 for m in messages if 7 <= m.sent_at.astimezone(MOSCOW).hour <= 22)
    assert daytime == len(messages)
    weekdays = sum(1 for m in messages if m.sent_at.astimezone(MOSCOW).weekday() < 5)
    assert weekdays > 0.8 * len(messages)


def test_message_ids_grow_with_time_in_every_chat(school):
    for chat in school.chats:
        messages = school.messages_of(chat.chat_id)
        assert [m.message_id for m in messages] == sorted(m.message_id for m in messages)
        assert [m.sent_at for m in messages] == sorted(m.sent_at for m in messages)


def test_teachers_activity_inactive_and_padding(school):
    staff_of = {user_id: person_id for person_id, user_id in school.staff_account.items()}
    per_week = defaultdict(Counter)
    for m in school.messages:
        if m.author_id in staff_of and m.kind != "service":
            per_week[staff_of[m.author_id]][_week(m.sent_at)] += 1
    school_weeks = [(2026, n) for n in (38, 39, 40, 41, 42, 43, 46, 47)]
    teachers = [p.person_id for p in school.staff if p.teaches and p.person_id in school.staff_account]
    active = [t for t in teachers if t not in school.inactive_teachers]
    for person_id in active:
        weekly = [per_week[person_id][week] for week in school_weeks]
        assert sum(1 for n in weekly if n >= 3) >= 5, person_id
        assert max(weekly) <= 12
    for person_id in school.inactive_teachers:
        assert all(per_week[person_id][week] <= 2 for week in school_weeks)
    assert 1 <= len(school.padding_teachers) <= 2
    for person_id in school.padding_teachers:
        user_id = school.staff_account[person_id]
        mine = sorted((m.sent_at for m in school.messages if m.author_id == user_id), key=lambda t: t)
        bursts = [a for a, b in zip(mine, mine[2:], strict=False) if b - a <= timedelta(minutes=2)]
        assert bursts
        texts = Counter(message_text(m) for m in school.messages if m.author_id == user_id)
        assert texts.most_common(1)[0][1] >= 10
        infos = [school.message_info(m) for m in school.messages if m.author_id == user_id]
        assert any(info.emoji_only for info in infos)


def test_absent_teachers_post_nothing_while_away(school):
    assert len(school.absences) == 2
    whole_week = school.absences[0]
    assert (whole_week.ends_on - whole_week.starts_on).days == 4
    user_id = school.staff_account[whole_week.person_id]
    away = [
        m
        for m in school.messages
        if m.author_id == user_id and whole_week.starts_on <= m.sent_at.astimezone(MOSCOW).date() <= whole_week.ends_on
    ]
    assert away == []


def test_it_is_a_backend_and_keeps_no_text(school):
    assert isinstance(school, Backend)
    assert school.name == "simulator"
    chat = school.students_chat["5А"]
    info = next(school.iter_messages(chat.chat_id))
    assert not hasattr(info, "text")
    message = school.messages_of(chat.chat_id)[-1]
    assert info.message_id == str(message.message_id)
    assert info.cursor == message.message_id
    assert info.text_hash == text_digest(message_text(message), key=KEY)[2]


def _busiest(sim: SimulatedSchool) -> str:
    return max(sim.chats, key=lambda chat: len(sim.messages_of(chat.chat_id))).chat_id


def test_iter_messages_is_newest_first_and_honours_cursor_and_since():
    sim = SimulatedSchool(seed=42, school_index=0, today=TODAY, hash_key=KEY)
    chat = sim.chat(_busiest(sim))
    everything = list(sim.iter_messages(chat.chat_id))
    assert [i.cursor for i in everything] == sorted((i.cursor for i in everything), reverse=True)
    assert len(everything) == len(sim.messages_of(chat.chat_id)) > 200
    middle = everything[len(everything) // 2]
    newer = list(sim.iter_messages(chat.chat_id, after_cursor=middle.cursor))
    assert newer == everything[: len(everything) // 2]
    since = datetime(2026, 11, 16, tzinfo=MOSCOW)
    recent = list(sim.iter_messages(chat.chat_id, since=since))
    assert recent and all(i.sent_at >= since for i in recent)
    assert len(recent) == sum(1 for i in everything if i.sent_at >= since)


def test_page_overlap_serves_messages_twice_and_stats_count_pages():
    sim = SimulatedSchool(seed=42, school_index=0, today=TODAY, hash_key=KEY, page_overlap=2)
    chat = sim.chat(_busiest(sim))
    before = sim.stats.requests
    seen = [i.message_id for i in sim.iter_messages(chat.chat_id)]
    assert len(seen) > len(set(seen)) == len(sim.messages_of(chat.chat_id))
    assert sim.stats.requests - before == -(-len(set(seen)) // 200)


def test_faults_and_changes_between_syncs():
    sim = SimulatedSchool(seed=42, school_index=0, today=TODAY, hash_key=KEY)
    chat = sim.students_chat["5А"]
    sim.fault_inject("iter_messages", chat.chat_id, ChatAccessError(chat.chat_id, "no access (917)"))
    with pytest.raises(ChatAccessError):
        list(sim.iter_messages(chat.chat_id))
    member = sim.members_of(chat.chat_id)[-1]
    sim.member_remove(chat.chat_id, member.user_id)
    assert member.user_id not in {m.user_id for m in sim.list_members(chat.chat_id)}
    added = sim.message_add(
        chat.chat_id, author_id=chat.owner_id, sent_at=datetime(2026, 11, 30, 9, tzinfo=UTC), text="Привет"
    )
    assert added.message_id > max(m.message_id for m in sim.messages if m is not added)
    assert sim.message_info(added).text_length == len("Привет")
