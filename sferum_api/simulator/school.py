"""The generator of a simulated school: roster, platform and messages, from a seed and a day (no serving here)."""

from __future__ import annotations

import random
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import sferum_api.simulator.data as data

from .messages import MessagesBuilder
from .platform import PlatformBuilder
from .records import GRADES
from .records import HISTORY_WEEKS
from .records import LETTERS
from .records import MOSCOW
from .records import SimAbsence
from .records import SimAccount
from .records import SimAssignment
from .records import SimChat
from .records import SimMembership
from .records import SimMessage
from .records import SimPerson
from .roster import RosterBuilder


class GeneratedSchool(RosterBuilder, PlatformBuilder, MessagesBuilder):
    """A whole simulated school, generated in memory: roster, chats, accounts, memberships and messages."""

    def __init__(self, *, seed: int, school_index: int, today: date):
        self.seed = seed
        self.school_index = school_index
        self.today = today
        self._rng = random.Random(f"{seed}-{school_index}")
        self.school_name, self._school_genitive = data.SCHOOL_NAMES[school_index % len(data.SCHOOL_NAMES)]
        first = today.year if today.month >= 9 else today.year - 1
        self.academic_year_start = date(first, 9, 1)
        monday = today - timedelta(days=today.weekday())
        self.history_end = datetime.combine(monday, time(0), tzinfo=MOSCOW).astimezone(UTC)
        self.history_start = self.history_end - timedelta(weeks=HISTORY_WEEKS)
        # The current week runs up to the start of `today`: its days so far have messages too.
        self.messages_end = datetime.combine(today, time(0), tzinfo=MOSCOW).astimezone(UTC)
        self._holidays = self._holiday_ranges(first)

        self.classes: list[str] = [f"{grade}{letter}" for grade in GRADES for letter in LETTERS]
        self.staff: list[SimPerson] = []
        self.students: list[SimPerson] = []
        self.parents: list[SimPerson] = []
        self.assignments: list[SimAssignment] = []
        self.absences: list[SimAbsence] = []
        self.chats: list[SimChat] = []
        self.accounts: dict[str, SimAccount] = {}
        self.memberships: list[SimMembership] = []
        self.messages: list[SimMessage] = []
        # What the simulator meant: per class, students (and students with a parent) having an account with a role.
        self.activation: dict[str, dict[str, int]] = {}
        self.inactive_teachers: list[str] = []
        self.padding_teachers: list[str] = []
        self.demo_teacher_person_id = ""

        self._roster_build()
        self._platform_build()
        self._messages_build()
        self._index()

    # ----- calendar -------------------------------------------------------------------------------------

    @staticmethod
    def _holiday_ranges(first: int) -> list[tuple[date, date]]:
        second = first + 1
        october_28 = date(first, 10, 28)
        autumn_week = october_28 - timedelta(days=october_28.weekday())
        return [
            (date(first - 1, 5, 27), date(first, 8, 31)),
            (min(date(first, 10, 25), autumn_week), max(date(first, 11, 3), autumn_week + timedelta(days=6))),
            (date(first, 11, 4), date(first, 11, 4)),
            (date(first, 12, 29), date(second, 1, 11)),
            (date(second, 2, 23), date(second, 2, 23)),
            (date(second, 3, 8), date(second, 3, 8)),
            (date(second, 3, 21), date(second, 3, 29)),
            (date(second, 5, 1), date(second, 5, 1)),
            (date(second, 5, 9), date(second, 5, 9)),
            (date(second, 5, 27), date(second, 8, 31)),
        ]

    def is_holiday(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self._holidays)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def weeks(self) -> list[date]:
        """Return the Mondays of the simulated history, oldest first."""
        first = self.history_start.astimezone(MOSCOW).date()
        return [first + timedelta(weeks=n) for n in range(HISTORY_WEEKS)]

    def _index(self) -> None:
        self._by_chat: dict[str, list[SimMessage]] = {chat.chat_id: [] for chat in self.chats}
        for message in self.messages:
            self._by_chat[message.chat_id].append(message)

    # ----- plain data for tests and a wire server ------------------------------------------------------

    def chat(self, chat_id: str) -> SimChat:
        return next(chat for chat in self.chats if chat.chat_id == chat_id)

    def members_of(self, chat_id: str) -> list[SimMembership]:
        """Return the chat's current members, in joining order."""
        return sorted(self._chat_members[chat_id].values(), key=lambda m: (m.joined_at, m.user_id))

    def messages_of(self, chat_id: str) -> list[SimMessage]:
        """Return the chat's messages, oldest first."""
        return self._by_chat[chat_id]

    def figures(self) -> dict[str, int]:
        """Return the school's sizes: classes, students, parents, staff, chats, accounts, messages."""
        return {
            "classes": len(self.classes),
            "students": len(self.students),
            "parents": len(self.parents),
            "staff": len(self.staff),
            "chats": len(self.chats),
            "accounts": len(self.accounts),
            "memberships": len(self.memberships),
            "messages": len(self.messages),
        }
