"""Building the simulated school's message history: who posts when, in which chat, for thirteen weeks."""

from __future__ import annotations

import random
from datetime import date
from datetime import datetime
from datetime import timedelta

from .records import MOSCOW
from .records import UNKNOWN_ROLE_CODE
from .records import SimAbsence
from .records import SimChat
from .records import SimMessage
from .records import SimPerson
from .records import moscow_at


class MessagesBuilder:
    """Build the message metadata of a `GeneratedSchool` (a mixin: the school holds the state)."""

    def _day_time(self, monday: date, *, audience: str, days: list[date] | None = None) -> datetime:
        """Return a moment of the week when such a person writes (Moscow hours), in UTC."""
        rng = self._rng
        if days is None:
            weekdays = [monday + timedelta(days=n) for n in range(5)]
            school = [day for day in weekdays if self.is_school_day(day)]
            weekend = [monday + timedelta(days=5), monday + timedelta(days=6)]
            days = school if school and rng.random() < 0.88 else (weekend + weekdays)
        day = rng.choice(days)
        if audience == "teacher":
            hour = rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
        elif audience == "parent":
            hour = rng.choice([7, 8, 12, 18, 19, 20, 21, 22])
        else:
            hour = rng.choice([7, 14, 15, 16, 17, 18, 19, 20, 21, 22])
        return moscow_at(day, hour, rng.randrange(60), rng.randrange(60))

    def _post(self, chat: SimChat, author: str | None, sent_at: datetime, group: str, kind: str = "text", **kw) -> None:
        if not (self.history_start <= sent_at < self._posts_end):
            return
        membership = self._chat_members[chat.chat_id].get(author) if author else None
        if author is not None and (membership is None or membership.joined_at > sent_at):
            return
        rng = self._rng
        self._pending.append(
            SimMessage(
                message_id=0,
                conversation_message_id=0,
                chat_id=chat.chat_id,
                sent_at=sent_at,
                author_id=author,
                kind=kind,
                group=group,
                template=kw.get("template", rng.randrange(1000)),
                variant=rng.randrange(10_000),
                action=kw.get("action", ""),
            )
        )

    def _teacher_chats(self, person: SimPerson) -> list[tuple[SimChat, int]]:
        chats: list[tuple[SimChat, int]] = []
        for class_name in person.class_teacher_of:
            chats += [(self.students_chat[class_name], 4), (self.parents_chat[class_name], 3)]
        owner = self.staff_account[person.person_id]
        chats += [(chat, 3) for chat in self.subject_chats if chat.owner_id == owner]
        chats += [(chat, 2) for chat in self.odd_chats if chat.owner_id == owner]
        for assignment in self.assignments:
            chat = self.students_chat[assignment.class_name]
            if assignment.person_id == person.person_id and not person.class_teacher_of:
                chats.append((chat, 1))
        chats.append((self.staff_chat, 1))
        if person.position.startswith("заместитель"):
            chats.append((self.channel, 1))
        return chats

    def _messages_build(self) -> None:
        rng = self._rng
        self._pending: list[SimMessage] = []
        self._posts_end = self.history_end
        weeks = self.weeks()
        teachers = [p for p in self.staff if p.teaches and p.person_id in self.staff_account]
        demo_pool = [
            p
            for p in teachers
            if p.class_teacher_of and self.accounts[self.staff_account[p.person_id]].role_code == "teacher"
        ]
        demo_pool.sort(key=lambda p: int(p.class_teacher_of[0][:-1]) < 5)  # a class teacher of 5А–11В first
        ordinary = [p for p in teachers if p not in demo_pool[:1]]
        self.inactive_teachers = [p.person_id for p in rng.sample(ordinary[2:], 4)]
        rest = [p for p in demo_pool[1:] if p.person_id not in self.inactive_teachers]
        self.padding_teachers = [p.person_id for p in rng.sample(rest, rng.randint(1, 2))]
        absent = [p for p in rest if p.person_id not in self.padding_teachers]
        sick, short = rng.sample(absent, 2)
        self.demo_teacher_person_id = demo_pool[0].person_id
        sick_monday = weeks[-4]
        short_monday = weeks[-2]
        self.absences = [
            SimAbsence(sick.person_id, "sick", sick_monday, sick_monday + timedelta(days=4)),
            SimAbsence(short.person_id, "sick", short_monday + timedelta(days=1), short_monday + timedelta(days=2)),
        ]
        absent_days: dict[str, set[date]] = {}
        for absence in self.absences:
            days = absent_days.setdefault(absence.person_id, set())
            day = absence.starts_on
            while day <= absence.ends_on:
                days.add(day)
                day += timedelta(days=1)
        rates = {
            p.person_id: (rng.randint(0, 2) if p.person_id in self.inactive_teachers else rng.randint(3, 8))
            for p in teachers
        }
        chats_of = {p.person_id: self._teacher_chats(p) for p in teachers}
        for monday in weeks:
            weekdays = [monday + timedelta(days=n) for n in range(5)]
            school_days = [day for day in weekdays if self.is_school_day(day)]
            factor = len(school_days) / 5
            for person in teachers:
                user_id = self.staff_account[person.person_id]
                days = [day for day in school_days if day not in absent_days.get(person.person_id, set())]
                self._teacher_week(person, user_id, monday, days, factor, rates[person.person_id], chats_of)
            self._crowd_week(monday, factor)
        self._specials_build(weeks)
        self._current_week_build(teachers, rates, chats_of)
        self._ids_assign()

    def _current_week_build(self, teachers, rates, chats_of) -> None:
        """Post the current week's messages of the days before `today`.

        Built after the complete weeks, so their messages and the random stream behind them stay as they were.
        """
        monday = self.history_end.astimezone(MOSCOW).date()
        self._posts_end = self.messages_end
        past = [monday + timedelta(days=n) for n in range((self.today - monday).days)]
        days = [day for day in past if self.is_school_day(day)]
        if not past:
            return
        for person in teachers:
            user_id = self.staff_account[person.person_id]
            self._teacher_week(person, user_id, monday, days, len(days) / 5, rates[person.person_id], chats_of)
        weekdays = [monday + timedelta(days=n) for n in range(5)]
        self._crowd_week(monday, len([day for day in weekdays if self.is_school_day(day)]) / 5)  # later days: cut

    def _teacher_week(self, person, user_id, monday, days, factor, rate, chats_of) -> None:
        rng = self._rng
        if not days:
            count = 1 if rng.random() < 0.15 and not factor else 0
            days = None
        elif person.person_id in self.inactive_teachers:
            count = rng.randint(0, 2)
        else:
            count = max(3, rate + rng.randint(-1, 1)) if rng.random() > 0.06 else rng.randint(1, 2)
            count = round(count * len(days) / 5) if len(days) < 5 else count
        chats, weights = zip(*chats_of[person.person_id], strict=True)
        if person.person_id in self.padding_teachers and days:
            chat = chats[0]
            start = self._day_time(monday, audience="teacher", days=days)
            for n in range(rng.randint(3, 4)):  # a burst within two minutes
                self._post(chat, user_id, start + timedelta(seconds=25 * n + rng.randrange(10)), "repeat")
            for _n in range(rng.randint(1, 2)):
                self._post(chat, user_id, self._day_time(monday, audience="teacher", days=days), "emoji")
            count = rng.randint(0, 1)
        for _n in range(count):
            chat = rng.choices(chats, weights)[0]
            sent_at = self._day_time(monday, audience="teacher", days=days)
            roll = rng.random()
            if roll < 0.08:
                self._post(chat, user_id, sent_at, "publication", "document")
            elif roll < 0.12:
                self._post(chat, user_id, sent_at, "publication", "link")
            elif roll < 0.16:
                self._post(chat, user_id, sent_at, "publication", "photo")
            elif roll < 0.18:
                self._post(chat, user_id, sent_at, "publication", "video")
            else:
                self._post(chat, user_id, sent_at, "staff" if chat is self.staff_chat else "teacher")

    def _crowd_week(self, monday: date, factor: float) -> None:
        """Post the students' and parents' messages of one week."""
        rng = self._rng
        scale = factor if factor else 0.05
        staff_ids = set(self.staff_account.values())
        for class_name in self.classes:
            for chat, role, per_member, audience in (
                (self.students_chat[class_name], "student", rng.uniform(0.5, 1.1), "student"),
                (self.parents_chat[class_name], "parent", rng.uniform(0.3, 0.7), "parent"),
            ):
                members = [user_id for user_id in self._chat_members[chat.chat_id] if user_id not in staff_ids]
                if not members:
                    continue
                count = round(len(members) * per_member * scale)
                chatty = members[: max(1, len(members) // 3)]
                for _n in range(count):
                    author = rng.choice(chatty if rng.random() < 0.5 else members)
                    self._post(chat, author, self._day_time(monday, audience=audience), role)
        for chat in (*self.subject_chats, *self.odd_chats):
            members = [user_id for user_id in self._chat_members[chat.chat_id] if user_id != chat.owner_id]
            for _n in range(round(rng.randint(0, 3) * scale)):
                if members:
                    self._post(chat, rng.choice(members), self._day_time(monday, audience="student"), "student")
        director = self.staff_chat.owner_id
        for _n in range(round(rng.randint(2, 4) * scale)):
            self._post(self.staff_chat, director, self._day_time(monday, audience="teacher"), "staff")
        for _n in range(max(1, round(rng.randint(1, 2) * scale))):
            kind = rng.choice(["text", "photo", "link", "document"])
            self._post(self.channel, director, self._day_time(monday, audience="teacher"), "channel", kind)
        for user_id in sorted(self._chat_members[self.staff_chat.chat_id]):
            account = self.accounts[user_id]
            if account.role_code in ("employee", UNKNOWN_ROLE_CODE) and rng.random() < 0.3 * scale:
                self._post(self.staff_chat, user_id, self._day_time(monday, audience="teacher"), "staff")

    def _specials_build(self, weeks: list[date]) -> None:
        """Add service events (joins, pins), bot messages and calls."""
        rng = self._rng
        chats_by_id = {chat.chat_id: chat for chat in self.chats}
        for membership in self._late_joins:  # joins at the start of the year are older than the history
            if self.history_start <= membership.joined_at < self.history_end:
                chat = chats_by_id[membership.chat_id]
                self._post(
                    chat, membership.user_id, membership.joined_at, "service", "service", action="chat_invite_user"
                )
        for class_name in rng.sample(self.classes, 3):
            chat = self.students_chat[class_name]
            if chat.owner_id:
                sent_at = self._day_time(rng.choice(weeks[1:]), audience="teacher")
                self._post(chat, chat.owner_id, sent_at, "service", "service", action="chat_pin_message")
        for class_name in rng.sample(self.classes, 2):
            sent_at = self._day_time(rng.choice(weeks[1:]), audience="parent")
            self._post(self.parents_chat[class_name], None, sent_at, "bot")
        for class_name in rng.sample(self.classes[4:], 2):
            chat = self.students_chat[class_name]
            teacher = self.staff_account.get(self.class_teacher[class_name].person_id)
            if teacher:
                sent_at = self._day_time(rng.choice(weeks[1:]), audience="teacher")
                self._post(chat, teacher, sent_at, "service", "call")
        self._meetings_build(weeks)

    def _meetings_build(self, weeks: list[date]) -> None:
        """Add the director's staff meetings (calls in the staff chat, every other week) and a broadcast in the
        channel each month. From a generator of their own: the school's other messages stay as they were."""
        rng = random.Random(f"{self.seed}-{self.school_index}-calls")
        director = self.staff_chat.owner_id
        for number, monday in enumerate(weeks):
            days = [day for day in (monday + timedelta(days=n) for n in range(5)) if self.is_school_day(day)]
            if not days:
                continue
            if number % 2 == 0:
                sent_at = moscow_at(rng.choice(days), 15, rng.choice([0, 30]), 0)
                self._post(self.staff_chat, director, sent_at, "service", "call")
            if number % 4 == 1:
                sent_at = moscow_at(rng.choice(days), 18, 0, rng.randrange(60))
                self._post(self.channel, director, sent_at, "service", "call")

    def _ids_assign(self) -> None:
        pending = sorted(self._pending, key=lambda m: (m.sent_at, m.chat_id, m.author_id or "", m.variant))
        del self._pending
        sequence: dict[str, int] = {chat.chat_id: self._rng.randint(20, 300) for chat in self.chats}
        base = 40_000 + self.school_index * 7_000_000
        for rank, message in enumerate(pending):
            message.message_id = base + rank + 1
            sequence[message.chat_id] += 1
            message.conversation_message_id = sequence[message.chat_id]
        self.messages = pending
