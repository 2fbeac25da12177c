"""Building the simulated school's Sferum side: accounts, chats and who is a member of which."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import sferum_api.simulator.data as data

from .records import MOSCOW
from .records import STAFF_ROLE_ADMIN
from .records import UNKNOWN_ROLE_CODE
from .records import SimAccount
from .records import SimChat
from .records import SimMembership
from .records import SimPerson
from .records import moscow_at


class PlatformBuilder:
    """Build the chats, accounts and memberships of a `GeneratedSchool` (a mixin: the school holds the state)."""

    def _seen_name(self, person: SimPerson, typo: bool = False) -> tuple[str, str]:
        """Return how the person wrote their name on the platform: ё often as е, now and then a typo."""
        last, first = person.last_name, person.first_name
        if self._rng.random() < 0.5:
            last, first = last.replace("ё", "е"), first.replace("ё", "е")
        if typo and len(last) > 4:
            cut = len(last) // 2
            last = last[: cut - 1] + last[cut] + last[cut - 1] + last[cut + 1 :]
        return last, first

    def _account_add(
        self, kind: str, person: SimPerson | None, role_code: str | None, *, typo: bool = False, **name: str
    ) -> SimAccount:
        bases = {"staff": 100_000, "student": 3_000_000, "parent": 5_000_000, "other": 7_000_000}
        counter = self._counters[kind] = self._counters.get(kind, 0) + 1
        user_id = str(bases[kind] + self.school_index * 50_000 + counter)
        if person is not None and not name:
            last, first = self._seen_name(person, typo=typo)
        else:
            last, first = name["last_name"], name["first_name"]
        account = SimAccount(user_id, first, last, role_code, person.person_id if person else None)
        self.accounts[user_id] = account
        return account

    def _joined(self, *, late: bool = False, early: bool = False) -> datetime:
        """Return when a member joined: staff before 1 September, most others in the first weeks, a few later."""
        rng = self._rng
        if early:
            day = self.academic_year_start - timedelta(days=rng.randint(2, 12))
            return moscow_at(day, rng.randint(9, 18), rng.randrange(60), rng.randrange(60))
        if late:
            start = max(self.history_start.astimezone(MOSCOW).date(), self.academic_year_start)
            span = (self.history_end.astimezone(MOSCOW).date() - start).days * 0.6
            day = start + timedelta(days=rng.randrange(max(int(span), 1)))
            return moscow_at(day, rng.randint(8, 21), rng.randrange(60), rng.randrange(60))
        day = self.academic_year_start - timedelta(days=7) + timedelta(days=int(rng.triangular(0, 25, 6)))
        return moscow_at(day, rng.randint(8, 21), rng.randrange(60), rng.randrange(60))

    def _chat_add(self, title: str, kind: str, class_name: str | None, owner: str | None, **extra) -> SimChat:
        local_id = 100 + self.school_index * 1000 + len(self.chats) + 1
        chat = SimChat(
            chat_id=str(2_000_000_000 + local_id),
            local_id=local_id,
            title=title,
            kind=kind,
            class_name=class_name,
            owner_id=owner,
            admin_ids=[owner] if owner else [],
            **extra,
        )
        self.chats.append(chat)
        self._chat_members[chat.chat_id] = {}
        return chat

    def _join(self, chat: SimChat, user_id: str | None, *, admin: bool = False, late: bool = False) -> None:
        if user_id is None or user_id in self._chat_members[chat.chat_id]:
            return
        owner = user_id == chat.owner_id
        admin = admin or owner or user_id in chat.admin_ids
        if admin and user_id not in chat.admin_ids:
            chat.admin_ids.append(user_id)
        joined_at = self._joined(late=late and not owner, early=user_id in self._staff_user_ids)
        if owner:
            joined_at = min(joined_at, moscow_at(self.academic_year_start - timedelta(days=8), 10, 0))
        membership = SimMembership(
            chat_id=chat.chat_id,
            user_id=user_id,
            joined_at=joined_at,
            is_admin=admin,
            is_owner=owner,
            invited_by=chat.owner_id or user_id,
        )
        self._chat_members[chat.chat_id][user_id] = membership
        self.memberships.append(membership)
        if late and not owner:
            self._late_joins.append(membership)

    def _platform_build(self) -> None:
        rng = self._rng
        self._counters: dict[str, int] = {}
        self._chat_members: dict[str, dict[str, SimMembership]] = {}
        self._late_joins: list[SimMembership] = []
        self._staff_user_ids: set[str] = set()
        self.staff_account: dict[str, str] = {}
        teachers = [person for person in self.staff if person.teaches]
        extra_teachers = [person for person in teachers if not person.class_teacher_of and person.subject is not None]
        non_teaching = [person for person in self.staff if not person.teaches and person.position != "директор"]
        without_account = {rng.choice(extra_teachers).person_id}
        if rng.random() < 0.5:
            without_account.add(rng.choice(non_teaching).person_id)
        with_account = [person for person in self.staff if person.person_id not in without_account]
        pending = {person.person_id for person in rng.sample(with_account[2:], 2)}
        unknown_role = rng.choice([person for person in non_teaching if person.person_id not in without_account])
        for person in with_account:
            if person.person_id in pending:
                role = None
            elif person is unknown_role:
                role = UNKNOWN_ROLE_CODE
            elif person.position.startswith(("директор", "заместитель")):
                role = STAFF_ROLE_ADMIN
            else:
                role = "teacher" if person.teaches else "employee"
            self.staff_account[person.person_id] = self._account_add("staff", person, role).user_id
        self._staff_user_ids = set(self.staff_account.values())
        director = self.staff_account[self.staff[0].person_id]
        deputy = self.staff_account[self.staff[1].person_id]

        staff_chat = self._chat_add(f"Педагоги {self._school_genitive}", "staff", None, director)
        staff_chat.admin_ids.append(deputy)
        for person in with_account:
            self._join(staff_chat, self.staff_account[person.person_id])
        self.staff_chat = staff_chat

        self.students_chat: dict[str, SimChat] = {}
        self.parents_chat: dict[str, SimChat] = {}
        self.student_account: dict[str, str] = {}
        self.parent_account: dict[str, str] = {}
        not_admin_classes = set(rng.sample(self.classes, 3))
        latin_class = rng.choice([name for name in self.classes[15:] if name[-1] in "АВ"])
        low_students = set(rng.sample(self.classes[:12], 3) + rng.sample(self.classes[12:], 2))
        low_parents = set(rng.sample(self.classes, 5))
        students_by_class: dict[str, list[SimPerson]] = {}
        for person in self.students:
            students_by_class.setdefault(person.class_name, []).append(person)
        parents_of: dict[str, list[SimPerson]] = {}
        for parent in self.parents:
            for child_id in parent.children:
                parents_of.setdefault(child_id, []).append(parent)
        typo_students = {rng.choice(students_by_class[name]).person_id for name in rng.sample(self.classes, 3)}
        parent_decided: dict[str, bool] = {}  # parent person_id -> has an account with the parent role

        for class_name in self.classes:
            grade, letter = class_name[:-1], class_name[-1]
            teacher = self.class_teacher[class_name]
            teacher_account = self.staff_account.get(teacher.person_id)
            owner = teacher_account if class_name not in not_admin_classes else deputy
            title_letter = letter
            if class_name == latin_class:
                title_letter = {"А": "A", "В": "B"}.get(letter, letter)
            formats = rng.choice(data.STUDENTS_CHAT_TITLES)
            title = formats.format(g=grade, L=title_letter, l=title_letter.lower())
            students_chat = self._chat_add(title, "class", class_name, owner)
            parents_title = rng.choice(data.PARENTS_CHAT_TITLES).format(g=grade, L=letter, l=letter.lower())
            parents_chat = self._chat_add(parents_title, "parents", class_name, owner)
            self.students_chat[class_name] = students_chat
            self.parents_chat[class_name] = parents_chat
            for chat in (students_chat, parents_chat):
                self._join(chat, owner)
                self._join(chat, teacher_account)

            students = students_by_class[class_name]
            size = len(students)
            students_target = self._target(size, low=class_name in low_students)
            chosen = rng.sample(students, students_target)
            chosen_ids = {person.person_id for person in chosen}
            for person in students:
                if person.person_id in chosen_ids:
                    typo = person.person_id in typo_students
                    account = self._account_add("student", person, "student", typo=typo)
                elif rng.random() < 0.4:
                    account = self._account_add("student", person, None)
                else:
                    continue
                self.student_account[person.person_id] = account.user_id
                self._join(students_chat, account.user_id, late=rng.random() < 0.06)
            self.activation[class_name] = {"enrolled": size, "students": students_target, "parents": 0}
            self._class_parents_build(class_name, students, parents_of, parent_decided, low=class_name in low_parents)
        self._extras_build(students_by_class, director, deputy)

    def _target(self, size: int, *, low: bool) -> int:
        """Return how many of `size` people are activated: under 90% when `low`, at least 90% otherwise."""
        rng = self._rng
        if low:
            return min(int(size * rng.uniform(0.68, 0.86)), -(-size * 9 // 10) - 1)
        return max(-(-size * 9 // 10), round(size * rng.uniform(0.9, 1.0)))

    def _class_parents_build(
        self,
        class_name: str,
        students: list[SimPerson],
        parents_of: dict[str, list[SimPerson]],
        parent_decided: dict[str, bool],
        *,
        low: bool,
    ) -> None:
        rng = self._rng
        chat = self.parents_chat[class_name]
        target = self._target(len(students), low=low)
        active = 0
        undecided: list[SimPerson] = []
        for person in students:
            parents = parents_of.get(person.person_id, [])
            if any(parent_decided.get(parent.person_id) for parent in parents):
                active += 1
            elif parents and all(parent.person_id not in parent_decided for parent in parents):
                undecided.append(person)
        rng.shuffle(undecided)
        for person in undecided:
            parents = parents_of[person.person_id]
            if active < target:
                active += 1
                chosen = [parent for parent in parents if parent.gender == "f"] or parents[:1]
                if len(parents) == 2 and rng.random() < 0.4:
                    chosen = parents
                elif len(parents) == 2 and rng.random() < 0.2:
                    chosen = [parent for parent in parents if parent.gender == "m"]
                for parent in parents:
                    parent_decided[parent.person_id] = parent in chosen
            else:
                for parent in parents:
                    parent_decided[parent.person_id] = False
                if rng.random() < 0.4:
                    account = self._account_add("parent", parents[0], None)
                    self.parent_account[parents[0].person_id] = account.user_id
            for parent in parents:
                if parent_decided[parent.person_id] and parent.person_id not in self.parent_account:
                    account = self._account_add("parent", parent, "parent")
                    self.parent_account[parent.person_id] = account.user_id
        for person in students:
            for parent in parents_of.get(person.person_id, []):
                self._join(chat, self.parent_account.get(parent.person_id), late=rng.random() < 0.05)
        self.activation[class_name]["parents"] = active

    def _extras_build(self, students_by_class: dict[str, list[SimPerson]], director: str, deputy: str) -> None:
        """Add subject chats, the channel, odd chats, strangers, a duplicate account, subject teachers' seats."""
        rng = self._rng
        for assignment in self.assignments:
            if int(assignment.class_name[:-1]) >= 5:
                chat = self.students_chat[assignment.class_name]
                self._join(chat, self.staff_account.get(assignment.person_id))
        candidates = [a for a in self.assignments if int(a.class_name[:-1]) >= 5 and a.person_id in self.staff_account]
        self.subject_chats: list[SimChat] = []
        for assignment in rng.sample(candidates, min(len(candidates), rng.randint(18, 24))):
            grade, letter = assignment.class_name[:-1], assignment.class_name[-1]
            title = rng.choice(data.SUBJECT_CHAT_TITLES).format(g=grade, L=letter, subject=assignment.subject)
            owner = self.staff_account[assignment.person_id]
            chat = self._chat_add(title, "subject", assignment.class_name, owner)
            self.subject_chats.append(chat)
            self._join(chat, owner)
            for person in students_by_class[assignment.class_name]:
                account = self.student_account.get(person.person_id)
                if account and self.accounts[account].role_code and rng.random() < 0.85:
                    self._join(chat, account)
        channel = self._chat_add(f"{self.school_name} — новости", "channel", None, director, is_channel=True)
        channel.admin_ids.append(deputy)
        self.channel = channel
        for membership in list(self._chat_members[self.staff_chat.chat_id].values()):
            self._join(channel, membership.user_id)
        for user_id in sorted(self.parent_account.values()):
            if rng.random() < 0.5:
                self._join(channel, user_id)
        olympiad_teacher = next(a.person_id for a in self.assignments if a.subject == "Математика")
        olympiad = self._chat_add(
            f"Олимпиада {self.today.year}", "other", None, self.staff_account.get(olympiad_teacher)
        )
        self._join(olympiad, olympiad.owner_id)
        seniors = [p for p in self.students if int(p.class_name[:-1]) >= 7 and p.person_id in self.student_account]
        for person in rng.sample(seniors, min(len(seniors), 15)):
            self._join(olympiad, self.student_account[person.person_id])
        self.odd_chats = [olympiad]
        if rng.random() < 0.6:
            council = self._chat_add("Совет старшеклассников", "other", None, deputy)
            self._join(council, deputy)
            for person in rng.sample(seniors, min(len(seniors), 10)):
                self._join(council, self.student_account[person.person_id])
            self.odd_chats.append(council)
        # Members on no roster: student-role guests in class chats, a grandmother in a parents chat.
        for class_name in rng.sample(self.classes, 2):
            gender = rng.choice("mf")
            names = data.MALE_CHILD_NAMES if gender == "m" else data.FEMALE_CHILD_NAMES
            surname = rng.choice(data.SURNAMES[-40:])
            last = surname if gender == "m" else data.surname_feminine(surname)
            stranger = self._account_add("other", None, "student", last_name=last, first_name=rng.choice(names))
            self._join(self.students_chat[class_name], stranger.user_id, late=True)
        grandmother = self._account_add(
            "other", None, "parent", last_name=data.surname_feminine(rng.choice(data.SURNAMES)), first_name="Валентина"
        )
        self._join(self.parents_chat[rng.choice(self.classes)], grandmother.user_id)
        # One student registered twice: two accounts for one person (linking must not guess).
        registered = [
            p
            for p in self.students
            if p.person_id in self.student_account and self.accounts[self.student_account[p.person_id]].role_code
        ]
        twice = rng.choice(registered)
        duplicate = self._account_add("student", twice, "student")
        self._join(self.students_chat[twice.class_name], duplicate.user_id, late=True)
        self.duplicate_person_id = twice.person_id
