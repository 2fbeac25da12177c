"""One school synced over `vk` and over `max` through the loopback servers gives the same activation rates,
except for the people whose VK role code decides (a wrong, missing or unknown role, or a role that settles a
namesake): MAX has no roles, the roster link and the member's chat decide (activation.roles).
"""

from __future__ import annotations

import random
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest

from activation.models import SferumAccount
from chats.sync import school_sync
from classes.models import School
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import StudentFactory
from reports.selectors import STAFF_ROLES
from reports.services import metrics_compute
from sferum_api.http import RetryPolicy
from sferum_api.max import MaxBackend
from sferum_api.testing import VK_PEER_BASE
from sferum_api.testing import ChatData
from sferum_api.testing import FakeClock
from sferum_api.testing import MaxServer
from sferum_api.testing import MemberData
from sferum_api.testing import MessageData
from sferum_api.testing import SchoolData
from sferum_api.testing import VkServer
from sferum_api.vk import VkBackend

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.clock(NOW)]
TODAY = date(2026, 11, 30)
TOKEN = "SECRET-loopback-token"
RETRY = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_cap=0.002)
DAY = 86_400
GROUPS = ("staff", "students", "parents")
BASE = int(datetime(2026, 11, 23, 8, tzinfo=UTC).timestamp())

NO_ACCOUNT = "no account"  # a roster person who is not on the platform
NO_ROLE = None  # a plain account: the VK profile has no educational role

# The roster: (person id, last name, first name, teaches) and, per class, (person id, last, first).
STAFF = [
    ("T1", "Иванова", "Мария", True),  # class teacher of 5А
    ("T2", "Петров", "Олег", True),  # class teacher of 6Б
    ("T3", "Сидорова", "Анна", False),  # an employee who does not teach
    ("T4", "Кузнецов", "Сергей", True),  # subject teacher, VK role missing, only in the 6Б students chat
    ("T5", "Новикова", "Вера", True),  # VK role code unknown ("methodist")
    ("T6", "Лебедева", "Нина", True),  # also the mother of a 6Б student: only VK's role says which one
    ("T7", "Орлов", "Игорь", True),  # not on the platform
]
STUDENTS = {
    "5А": [
        ("S1", "Белов", "Марк"),
        ("S2", "Белова", "Ева"),
        ("S3", "Волков", "Дмитрий"),  # VK role missing
        ("S4", "Зайцева", "Ксения"),
        ("S5", "Смирнов", "Пётр"),  # not on the platform
    ],
    "6Б": [
        ("S6", "Титов", "Лев"),
        ("S7", "Егоров", "Глеб"),
        ("S8", "Соколова", "Алиса"),  # VK role wrong ("parent")
        ("S9", "Гусев", "Егор"),
        ("S10", "Лебедев", "Артём"),
    ],
}
PARENTS = [  # (person id, last name, first name, child's person id)
    ("P1", "Белова", "Ирина", "S1"),
    ("P2", "Белов", "Антон", "S2"),  # VK role wrong ("student")
    ("P3", "Волкова", "Елена", "S3"),
    ("P4", "Зайцев", "Павел", "S4"),
    ("P5", "Смирнова", "Ольга", "S5"),
    ("P6", "Титова", "Алла", "S6"),
    ("P7", "Егорова", "Инна", "S7"),
    ("P8", "Соколова", "Наталья", "S8"),
    ("P9", "Гусева", "Дарья", "S9"),  # not on the platform
    ("P10", "Лебедева", "Нина", "S10"),  # the teacher T6
]

# Platform accounts: person id -> (user id, VK role code). People left out have no account.
ACCOUNTS = {
    "T1": (101, "teacher"),
    "T2": (102, "teacher"),
    "T3": (103, "employee"),
    "T4": (104, NO_ROLE),
    "T5": (105, "methodist"),
    "T6": (106, "teacher"),
    "S1": (201, "student"),
    "S2": (202, "student"),
    "S3": (203, NO_ROLE),
    "S4": (204, "student"),
    "S6": (206, "student"),
    "S7": (207, "student"),
    "S8": (208, "parent"),
    "S9": (209, "student"),
    "S10": (210, "student"),
    "P1": (301, "parent"),
    "P2": (302, "student"),
    "P3": (303, "parent"),
    "P4": (304, "parent"),
    "P5": (305, "parent"),
    "P6": (306, "parent"),
    "P7": (307, "parent"),
    "P8": (308, "parent"),
}
GUEST = 401  # a plain account nobody on the roster matches

# Where VK's role code decides, and so the two platforms differ (by person id).
ONLY_MAX = {"T4", "T5", "S3", "S8", "P2"}
ONLY_VK = {"T6"}


def _roster(*, school: School) -> None:
    year = AcademicYearFactory(school=school)
    staff = {
        pid: StaffFactory(school=school, person_id=pid, last_name=last, first_name=first, teaches=teaches)
        for pid, last, first, teaches in STAFF
    }
    students = {}
    for name, rows in STUDENTS.items():
        teacher = staff["T1"] if name == "5А" else staff["T2"]
        school_class = SchoolClassFactory(
            school=school, year=year, grade=int(name[0]), letter=name[1], class_teacher=teacher
        )
        for pid, last, first in rows:
            students[pid] = StudentFactory(school=school, person_id=pid, last_name=last, first_name=first)
            EnrollmentFactory(student=students[pid], school_class=school_class)
    for pid, last, first, child in PARENTS:
        ParentFactory(school=school, person_id=pid, last_name=last, first_name=first, children=[students[child]])


def _platform(*, chat_ids: list[int]) -> SchoolData:
    """Return the school's chats as the platform has them, with the VK role codes (the max server ignores them)."""
    names = {pid: (last, first) for pid, last, first, *_ in STAFF + PARENTS}
    names |= {pid: (last, first) for rows in STUDENTS.values() for pid, last, first in rows}
    data = SchoolData()
    for pid, (user_id, role) in ACCOUNTS.items():
        data.add_user(user_id, names[pid][1], names[pid][0], role_code=role)
    data.add_user(GUEST, "Гость", "Гостев")

    def uid(pid: str) -> int:
        return ACCOUNTS[pid][0]

    def chat(chat_id: int, title: str, owner: str, members: list[int]) -> ChatData:
        messages = [
            MessageData(id=1000 + n, date=BASE + n * 3600, from_id=user_id, text=f"Сообщение {n}")
            for n, user_id in enumerate(members, start=1)
        ]
        messages.append(MessageData(id=1999, date=BASE + 2 * DAY, from_id=uid(owner), attachments=("document",)))
        return ChatData(
            chat_id=chat_id,
            title=title,
            owner_id=uid(owner),
            admin_ids=[uid(owner)],
            members=[
                MemberData(
                    user_id, join_date=BASE - 30 * DAY, is_admin=user_id == uid(owner), is_owner=user_id == uid(owner)
                )
                for user_id in members
            ],
            messages=messages,
        )

    students_5a = [uid(p) for p in ("S1", "S2", "S3", "S4")]
    students_6b = [uid(p) for p in ("S6", "S7", "S8", "S9", "S10")]
    parents_5a = [uid(p) for p in ("P1", "P2", "P3", "P4", "P5")] + [GUEST]
    parents_6b = [uid(p) for p in ("P6", "P7", "P8")] + [uid("T6")]  # T6 is there as S10's mother
    staff = [uid(p) for p in ("T1", "T2", "T3", "T5", "T6")]
    data.chats = [
        chat(chat_ids[0], "5А класс", "T1", [uid("T1"), *students_5a]),
        chat(chat_ids[1], "5 «А» Родители", "T1", [uid("T1"), *parents_5a]),
        chat(chat_ids[2], "6Б ученики", "T2", [uid("T2"), uid("T4"), *students_6b]),
        chat(chat_ids[3], "6Б Родители", "T2", [uid("T2"), *parents_6b]),
        chat(chat_ids[4], "Педагоги школы", "T1", staff),
    ]
    return data


def _activated(*, school: School) -> set[str]:
    """Return the person ids of the school's activated profiles (the rule of reports.selectors)."""
    active = SferumAccount.objects.filter(school=school, status=SferumAccount.Status.ACTIVE)
    return (
        set(active.filter(role_code__in=STAFF_ROLES, staff__isnull=False).values_list("staff__person_id", flat=True))
        | set(active.filter(role_code="student", student__isnull=False).values_list("student__person_id", flat=True))
        | set(active.filter(role_code="parent", parent__isnull=False).values_list("parent__person_id", flat=True))
    )


def _rates(*, school: School) -> dict[str, tuple[int, int]]:
    """Return the school's activation as `metrics_compute` reports it: {group: (numerator, denominator)}."""
    activation = metrics_compute(school=school)["activation"]
    return {group: (activation[group]["numerator"], activation[group]["denominator"]) for group in GROUPS}


def _options(server_url: str) -> dict:
    clock = FakeClock()
    return {
        "base_url": server_url,
        "token": TOKEN,
        "hash_key": b"test-hash-key",
        "rps": 0,
        "timeout": 5.0,
        "connect_timeout": 2.0,
        "retry": RETRY,
        "sleep": clock.sleep,
        "clock": clock.monotonic,
        "rng": random.Random(7),
    }


@pytest.fixture
def schools():
    vk_school, max_school = SchoolFactory(short_name="Над VK"), SchoolFactory(short_name="Над MAX")
    _roster(school=vk_school)
    _roster(school=max_school)
    return vk_school, max_school


@pytest.fixture
def vk_server():
    with VkServer(token=TOKEN, data=_platform(chat_ids=[VK_PEER_BASE + n for n in range(1, 6)])) as server:
        yield server


MAX_CHAT_IDS = [-70_000_000_000_000 - n for n in range(1, 6)]


@pytest.fixture
def max_server():
    with MaxServer(token=TOKEN, data=_platform(chat_ids=MAX_CHAT_IDS)) as server:
        yield server


def _sync_vk(school: School, server: VkServer):
    with VkBackend(**_options(server.url)) as backend:
        return school_sync(school=school, backend=backend)


def _sync_max(school: School, server: MaxServer):
    with MaxBackend(chat_ids=[str(c) for c in MAX_CHAT_IDS], **_options(server.url)) as backend:
        return school_sync(school=school, backend=backend)


def test_one_school_over_vk_and_over_max_differs_only_where_a_vk_role_decides(schools, vk_server, max_server):
    vk_school, max_school = schools
    # when
    vk_run, max_run = _sync_vk(vk_school, vk_server), _sync_max(max_school, max_server)
    # then: both runs read everything
    assert (vk_run.status, max_run.status) == ("ok", "ok")
    assert vk_run.messages_added == max_run.messages_added == 6 + 8 + 8 + 6 + 6
    # the activated people differ exactly by the people whose VK role code decides
    on_vk, on_max = _activated(school=vk_school), _activated(school=max_school)
    assert on_max - on_vk == ONLY_MAX
    assert on_vk - on_max == ONLY_VK
    # and so do the rates metrics_compute reports
    assert _rates(school=vk_school) == {"staff": (4, 7), "students": (7, 10), "parents": (7, 10)}
    assert _rates(school=max_school) == {"staff": (5, 7), "students": (9, 10), "parents": (8, 10)}


def test_without_the_deciding_people_the_rates_are_equal(schools, vk_server, max_server):
    # given: every account carries the right VK role, and the teacher-mother is only in the staff chat
    vk_school, max_school = schools
    for data in (vk_server.data, max_server.data):
        for pid in ("T4", "T5", "S3", "S8", "P2"):
            user_id = ACCOUNTS[pid][0]
            data.users[user_id].role_code = {"T": "teacher", "S": "student", "P": "parent"}[pid[0]]
        parents_6b = data.chats[3]
        parents_6b.members = [m for m in parents_6b.members if m.user_id != ACCOUNTS["T6"][0]]
    # when
    _sync_vk(vk_school, vk_server)
    _sync_max(max_school, max_server)
    # then
    assert _activated(school=vk_school) == _activated(school=max_school)
    assert (
        _rates(school=vk_school)
        == _rates(school=max_school)
        == {
            "staff": (6, 7),
            "students": (9, 10),
            "parents": (8, 10),
        }
    )


def test_max_roles_hold_across_syncs_and_through_a_failed_one(schools, max_server):
    # given
    _, max_school = schools
    _sync_max(max_school, max_server)
    rates = _rates(school=max_school)
    # when: the same data again, then a run that fails while reading a chat's history
    again = _sync_max(max_school, max_server)
    max_server.error(503, times=20, endpoint="/messages")
    failed = _sync_max(max_school, max_server)
    # then: the roles found by linking stay
    assert (again.status, again.accounts_linked, failed.status) == ("ok", 22, "failed")
    assert _rates(school=max_school) == rates == {"staff": (5, 7), "students": (9, 10), "parents": (8, 10)}
