"""A deterministic, seeded simulated school: its official roster and its Sferum side (the `simulator` backend).

`SimulatedSchool(seed=42, school_index=0, today=date(2026, 11, 30), hash_key=b"...")` builds, in memory and in
well under a second, one school from `random.Random(f"{seed}-{school_index}")` (never the global generator and
never the clock: `today` is given):

- the official roster (`roster_rows()`, `roster_csv()` in the columns of roster-format.md): classes 1А–11В,
  20–30 students each, parents (siblings and twins share parents), class teachers, subject teachers,
  non-teaching staff, a director and a deputy; namesakes across classes;
- the platform: chats (`chats`), accounts (`accounts`), memberships (`memberships`) and message metadata
  (`messages`) for the complete weeks before `today`, Moscow school hours, holidays sparse.

It implements `sferum_api.types.Backend` (`name = "simulator"`): `list_chats()`, `list_members(chat_id)` and
`iter_messages(chat_id, after_cursor=..., since=...)`, newest first, with `stats` counting simulated pages of 200.
Message texts are rendered from templates in memory and only their `text_digest(text, key=hash_key)` reaches a
`MessageInfo`.

Serving the same school over the VK wire format (a loopback test server): everything is plain data here.
- `messages.getConversations`: one item per `SimChat` in `chats`: `peer.id = int(chat.chat_id)`,
  `peer.local_id = chat.local_id`, `chat_settings` from `title`, `owner_id`, `admin_ids`, `is_channel`.
- `messages.getConversationMembers`: `members_of(chat_id)` gives `SimMembership` rows (`user_id`,
  `joined_at`, `is_admin`, `is_owner`, `invited_by`); the profiles are `accounts[user_id]` (`role_code`
  None: no `educational_profile`).
- `messages.getHistory`: `messages_of(chat_id)` (oldest first; serve reversed) gives `SimMessage` rows: `id`
  = `message_id`, `conversation_message_id`, `date` = `sent_at` in unix seconds, `from_id` = `author_id`
  (a bot: `BOT_ID`, negative), `text` = `message_text(message)`, attachments from `WIRE_ATTACHMENTS[kind]`,
  a service event as `action = {"type": message.action}`.
A VK client reading that server with the same `hash_key` yields the same `MessageInfo`s as this backend.

Tests can change the platform between two syncs: `member_remove`, `member_add`, `message_add`, and make a
call fail with `fault_inject(method, chat_id, error)`; `page_overlap` re-serves the last messages of a page at
the top of the next one, as a live chat does while it is paged.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import simulator_data as data
from .errors import ChatAccessError
from .text import text_digest
from .types import ChatInfo, Member, MessageInfo, Profile, RequestStats

MOSCOW = ZoneInfo("Europe/Moscow")
LETTERS = "АБВ"
GRADES = range(1, 12)
PAGE_SIZE = 200
HISTORY_WEEKS = 13
BOT_ID = "-187654321"
ROSTER_COLUMNS = (
    "role",
    "person_id",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "class",
    "position",
    "teaches",
    "class_teacher_of",
    "children",
    "phone",
    "email",
)
WIRE_ATTACHMENTS = {"document": "doc", "video": "video", "link": "link", "photo": "photo", "call": "call"}
STAFF_ROLE_ADMIN = "admin"
UNKNOWN_ROLE_CODE = "methodist"  # one staff profile carries a role code the project does not know


@dataclass
class SimPerson:
    """One row of the official roster."""

    role: str  # staff / student / parent
    person_id: str
    last_name: str
    first_name: str
    patronymic: str = ""
    gender: str = "m"
    birth_date: date | None = None
    class_name: str = ""
    position: str = ""
    teaches: bool = True
    class_teacher_of: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    subject: int | None = None  # index into simulator_data.SUBJECTS (staff)

    def roster_row(self) -> dict[str, str]:
        """Return the person as a roster row (roster-format.md columns)."""
        return {
            "role": self.role,
            "person_id": self.person_id,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "patronymic": self.patronymic,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "class": self.class_name,
            "position": self.position,
            "teaches": ("yes" if self.teaches else "no") if self.role == "staff" else "",
            "class_teacher_of": ";".join(self.class_teacher_of),
            "children": ";".join(self.children),
            "phone": self.phone,
            "email": self.email,
        }


@dataclass
class SimAccount:
    """A platform account; `person_id` is the simulator's truth about who it is (None: nobody on the roster)."""

    user_id: str
    first_name: str
    last_name: str
    role_code: str | None
    person_id: str | None

    def profile(self) -> Profile:
        return Profile(
            user_id=self.user_id, first_name=self.first_name, last_name=self.last_name, role_code=self.role_code
        )


@dataclass
class SimChat:
    chat_id: str  # the VK peer id, 2000000000 + local_id
    local_id: int
    title: str
    kind: str  # what the simulator meant: class / parents / subject / staff / channel / school / other
    class_name: str | None
    is_channel: bool = False
    owner_id: str | None = None
    admin_ids: list[str] = field(default_factory=list)

    def info(self, members_count: int) -> ChatInfo:
        return ChatInfo(
            chat_id=self.chat_id,
            title=self.title,
            is_channel=self.is_channel,
            owner_id=self.owner_id,
            admin_ids=tuple(self.admin_ids),
            members_count=members_count,
        )


@dataclass
class SimMembership:
    chat_id: str
    user_id: str
    joined_at: datetime
    is_admin: bool = False
    is_owner: bool = False
    invited_by: str | None = None


@dataclass
class SimMessage:
    """One message's metadata and the recipe of its text (never the text itself)."""

    message_id: int
    conversation_message_id: int
    chat_id: str
    sent_at: datetime  # aware, UTC
    author_id: str | None  # None: a bot
    kind: str = "text"
    group: str = "teacher"  # template group, see message_text()
    template: int = 0
    variant: int = 0
    action: str = ""  # service events: chat_invite_user, chat_pin_message
    literal: str | None = None  # a text given by a test through message_add()

    @property
    def from_bot(self) -> bool:
        return self.author_id is None


@dataclass(frozen=True)
class SimAbsence:
    person_id: str
    kind: str  # sick / leave
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class SimAssignment:
    person_id: str
    class_name: str
    subject: str


_TEMPLATES: dict[str, list[str]] = {
    "teacher": data.TEACHER_TEXTS,
    "publication": data.TEACHER_PUBLICATION_TEXTS,
    "parent": data.PARENT_TEXTS,
    "student": data.STUDENT_TEXTS,
    "staff": data.STAFF_TEXTS,
    "channel": data.CHANNEL_TEXTS,
    "bot": data.BOT_TEXTS,
    "emoji": data.PADDING_EMOJI,
    "repeat": [data.PADDING_REPEATED],
    "service": [""],
}


def message_text(message: SimMessage) -> str:
    """Render a simulated message's text from its template (in memory only; never stored)."""
    if message.literal is not None:
        return message.literal
    templates = _TEMPLATES[message.group]
    template = templates[message.template % len(templates)]
    v = message.variant
    return template.format(
        s=data.SUBJECTS[v % len(data.SUBJECTS)][2],
        n=v % 37 + 1,
        a=v % 200 + 1,
        b=v % 200 + 4,
        d=data.WEEKDAYS[v % len(data.WEEKDAYS)],
        t=data.TOPICS[v % len(data.TOPICS)],
        h=8 + v % 10,
        r=100 + v % 230,
    )


def _name_key(last_name: str, first_name: str) -> tuple[str, str]:
    return last_name.casefold().replace("ё", "е"), first_name.casefold().replace("ё", "е")


def _moscow(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=MOSCOW).astimezone(UTC)


class SimulatedSchool:
    """A whole simulated school: roster, chats, members and messages; also the `simulator` Backend."""

    name = "simulator"

    def __init__(self, *, seed: int, school_index: int, today: date, hash_key: bytes, page_overlap: int = 0):
        self.seed = seed
        self.school_index = school_index
        self.today = today
        self.hash_key = hash_key
        self.page_overlap = page_overlap
        self.stats = RequestStats()
        self.faults: dict[tuple[str, str | None], Exception] = {}
        self._rng = random.Random(f"{seed}-{school_index}")
        self.school_name, self._school_genitive = data.SCHOOL_NAMES[school_index % len(data.SCHOOL_NAMES)]
        first = today.year if today.month >= 9 else today.year - 1
        self.academic_year_start = date(first, 9, 1)
        monday = today - timedelta(days=today.weekday())
        self.history_end = datetime.combine(monday, time(0), tzinfo=MOSCOW).astimezone(UTC)
        self.history_start = self.history_end - timedelta(weeks=HISTORY_WEEKS)
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

    # ----- roster ---------------------------------------------------------------------------------------

    def _adult_male(self) -> tuple[str, str, str]:
        return self._rng.choice(data.MALE_ADULT_NAMES)

    def _staff_person(self, used: set[tuple[str, str]], **fields) -> SimPerson:
        rng = self._rng
        while True:
            gender = fields.pop("gender", None) or ("f" if rng.random() < 0.82 else "m")
            surname = rng.choice(data.SURNAMES)
            father = self._adult_male()
            if gender == "f":
                last, first, patronymic = data.surname_feminine(surname), rng.choice(data.FEMALE_ADULT_NAMES), father[2]
            else:
                last, first, patronymic = surname, self._adult_male()[0], father[1]
            if _name_key(last, first) not in used:
                used.add(_name_key(last, first))
                break
        number = len(self.staff) + 1
        person = SimPerson(
            role="staff",
            person_id=f"T-{number:03d}",
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            gender=gender,
            email=f"t{number:03d}@demo-{self.school_index + 1}.example.org",
            **fields,
        )
        self.staff.append(person)
        return person

    def _roster_build(self) -> None:
        rng = self._rng
        used: set[tuple[str, str]] = set()
        self._staff_person(used, position="директор", teaches=False)
        self._staff_person(used, position="заместитель директора по УВР", teaches=True)
        self.class_teacher: dict[str, SimPerson] = {}
        core = [0, 1, 2, 3, 7, 6, 9, 5, 4, 10, 8]
        rng.shuffle(core)
        for index, class_name in enumerate(self.classes):
            grade = int(class_name[:-1])
            if grade <= 4:
                teacher = self._staff_person(
                    used, position="учитель начальных классов", gender="f", class_teacher_of=[class_name]
                )
            else:
                subject = core[index % len(core)]
                teacher = self._staff_person(
                    used,
                    position=f"учитель {data.SUBJECTS[subject][1]}",
                    class_teacher_of=[class_name],
                    subject=subject,
                )
            self.class_teacher[class_name] = teacher
        for subject in data.EXTRA_TEACHER_SUBJECTS[: rng.randint(14, 16)]:
            self._staff_person(used, position=f"учитель {data.SUBJECTS[subject][1]}", subject=subject)
        for position in data.NON_TEACHING_POSITIONS[: rng.randint(3, 5)]:
            self._staff_person(used, position=position, teaches=False)
        self._assignments_build()
        self._students_build()

    def _assignments_build(self) -> None:
        by_subject: dict[int, list[SimPerson]] = {}
        for person in self.staff:
            if person.subject is not None:
                by_subject.setdefault(person.subject, []).append(person)
        load: dict[str, int] = {}
        for class_name in self.classes:
            grade = int(class_name[:-1])
            if grade <= 4:
                self.assignments.append(
                    SimAssignment(self.class_teacher[class_name].person_id, class_name, "Начальные классы")
                )
                continue
            for subject, from_grade in ((0, 5), (1, 5), (3, 5), (7, 5), (6, 5), (9, 5), (4, 7), (10, 7), (5, 8)):
                teachers = by_subject.get(subject)
                if grade < from_grade or not teachers:
                    continue
                teacher = min(teachers, key=lambda person: (load.get(person.person_id, 0), person.person_id))
                load[teacher.person_id] = load.get(teacher.person_id, 0) + 1
                self.assignments.append(SimAssignment(teacher.person_id, class_name, data.SUBJECTS[subject][0]))

    def _birth_date(self, grade: int) -> date:
        first = self.academic_year_start.year - 7 - grade
        return date(first, 9, 1) + timedelta(days=self._rng.randrange(365))

    def _students_build(self) -> None:
        """Fill every class with students from families: siblings in other classes, twins, namesakes."""
        rng = self._rng
        sizes = {class_name: rng.randint(20, 30) for class_name in self.classes}
        slots: dict[str, list[SimPerson | None]] = {name: [None] * size for name, size in sizes.items()}
        student_keys: dict[str, set[tuple[str, str]]] = {name: set() for name in self.classes}
        parent_keys: dict[str, set[tuple[str, str]]] = {name: set() for name in self.classes}
        twins_class = rng.choice(self.classes[6:30])
        namesake_classes = rng.sample(self.classes[9:], 3)
        families: list[dict] = []

        def child(family: dict, class_name: str, gender: str, first_name: str | None = None) -> SimPerson | None:
            surname = family["surname"]
            last = surname if gender == "m" else data.surname_feminine(surname)
            names = data.MALE_CHILD_NAMES if gender == "m" else data.FEMALE_CHILD_NAMES
            for _attempt in range(20):
                first = first_name or rng.choice(names)
                if _name_key(last, first) not in student_keys[class_name]:
                    break
                first_name = None
            else:
                return None
            student_keys[class_name].add(_name_key(last, first))
            father = family["father_name"]
            person = SimPerson(
                role="student",
                person_id="",
                last_name=last,
                first_name=first,
                patronymic=father[1] if gender == "m" else father[2],
                gender=gender,
                birth_date=family.get("twins_birth") or self._birth_date(int(class_name[:-1])),
                class_name=class_name,
            )
            family["children"].append(person)
            return person

        def family_new(surname: str | None = None) -> dict:
            roll = rng.random()
            family = {
                "surname": surname or rng.choice(data.SURNAMES),
                "father_name": self._adult_male(),
                "mother": roll < 0.87,
                "father": roll < 0.42 or 0.87 <= roll < 0.97,
                "children": [],
            }
            families.append(family)
            return family

        for class_name in self.classes:
            grade = int(class_name[:-1])
            for index in range(sizes[class_name]):
                if slots[class_name][index] is not None:
                    continue
                gender = rng.choice("mf")
                if class_name == twins_class and index == 0:
                    family = family_new()
                    family["mother"] = family["father"] = True
                    family["twins_birth"] = self._birth_date(grade)
                    for twin_index, twin_gender in ((0, "m"), (1, rng.choice("mf"))):
                        slots[class_name][twin_index] = child(family, class_name, twin_gender)
                    continue
                if class_name in namesake_classes and index == 0:
                    source = self._namesake_source(slots, class_name)
                    surname = next(
                        name for name in data.SURNAMES if source.last_name in (name, data.surname_feminine(name))
                    )
                    family = family_new(surname)
                    slots[class_name][index] = child(family, class_name, source.gender, source.first_name)
                    continue
                family = family_new()
                slots[class_name][index] = child(family, class_name, gender)
                if rng.random() < 0.09:
                    others = [
                        name
                        for name in self.classes[self.classes.index(class_name) + 1 :]
                        if int(name[:-1]) != grade and None in slots[name]
                    ]
                    if others:
                        sibling_class = rng.choice(others)
                        sibling = child(family, sibling_class, rng.choice("mf"))
                        slots[sibling_class][slots[sibling_class].index(None)] = sibling
        # Number the students in class order, then build the parents of each family.
        for class_name in self.classes:
            for person in slots[class_name]:
                if person is None:  # a name clash nobody could fix; the class is one smaller
                    continue
                person.person_id = f"S-{1001 + len(self.students)}"
                self.students.append(person)
        for family in families:
            children = [person for person in family["children"] if person.person_id]
            if not children:
                continue
            classes = sorted({person.class_name for person in children})
            for role_gender in ("f", "m"):
                if not family["mother" if role_gender == "f" else "father"]:
                    continue
                parent = self._parent_person(family, role_gender, classes, parent_keys)
                if parent is not None:
                    parent.children = [person.person_id for person in children]
        self._families = [[p for p in family["children"] if p.person_id] for family in families]
        self._families = [children for children in self._families if children]

    def _namesake_source(self, slots: dict[str, list[SimPerson | None]], class_name: str) -> SimPerson:
        grade = int(class_name[:-1])
        for other in self.classes:
            if int(other[:-1]) < grade and slots[other][1] is not None:
                return slots[other][1]
        raise AssertionError("no namesake source")  # pragma: no cover

    def _parent_person(
        self, family: dict, gender: str, classes: list[str], parent_keys: dict[str, set[tuple[str, str]]]
    ) -> SimPerson | None:
        """Return a new parent of the family, or None when a namesake parent in the same class rules it out."""
        rng = self._rng
        surname = family["surname"]
        for _attempt in range(30):
            if gender == "f":
                last, first = data.surname_feminine(surname), rng.choice(data.FEMALE_ADULT_NAMES)
                patronymic = self._adult_male()[2]
            else:  # the father's name is fixed by the children's patronymic
                last, first = surname, family["father_name"][0]
                patronymic = self._adult_male()[1]
            key = _name_key(last, first)
            if all(key not in parent_keys[name] for name in classes):
                break
            if gender == "m":
                return None
        else:
            return None
        for name in classes:
            parent_keys[name].add(key)
        number = len(self.parents)
        person = SimPerson(
            role="parent",
            person_id=f"P-{2001 + number}",
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            gender=gender,
            phone=f"+79{rng.randrange(10**9):09d}",
        )
        self.parents.append(person)
        return person

    def roster_rows(self) -> list[dict[str, str]]:
        """Return the official roster: staff, then students, then parents, in roster-format.md columns."""
        return [person.roster_row() for person in (*self.staff, *self.students, *self.parents)]

    def roster_csv(self) -> bytes:
        """Return the roster as a `;`-separated utf-8 CSV file with a header row."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=ROSTER_COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.roster_rows())
        return buffer.getvalue().encode("utf-8")

    # ----- platform -------------------------------------------------------------------------------------

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
            return _moscow(day, rng.randint(9, 18), rng.randrange(60), rng.randrange(60))
        if late:
            start = max(self.history_start.astimezone(MOSCOW).date(), self.academic_year_start)
            span = (self.history_end.astimezone(MOSCOW).date() - start).days * 0.6
            day = start + timedelta(days=rng.randrange(max(int(span), 1)))
            return _moscow(day, rng.randint(8, 21), rng.randrange(60), rng.randrange(60))
        day = self.academic_year_start - timedelta(days=7) + timedelta(days=int(rng.triangular(0, 25, 6)))
        return _moscow(day, rng.randint(8, 21), rng.randrange(60), rng.randrange(60))

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
            joined_at = min(joined_at, _moscow(self.academic_year_start - timedelta(days=8), 10, 0))
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

    # ----- messages -------------------------------------------------------------------------------------

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
        return _moscow(day, hour, rng.randrange(60), rng.randrange(60))

    def _post(self, chat: SimChat, author: str | None, sent_at: datetime, group: str, kind: str = "text", **kw) -> None:
        if not (self.history_start <= sent_at < self.history_end):
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
        self._ids_assign()

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

    def _index(self) -> None:
        self._by_chat: dict[str, list[SimMessage]] = {chat.chat_id: [] for chat in self.chats}
        for message in self.messages:
            self._by_chat[message.chat_id].append(message)
        self._infos: dict[tuple[str, int], MessageInfo] = {}

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

    # ----- changes between syncs (tests) ----------------------------------------------------------------

    def member_remove(self, chat_id: str, user_id: str) -> None:
        membership = self._chat_members[chat_id].pop(user_id)
        self.memberships.remove(membership)

    def member_add(
        self, chat_id: str, account: SimAccount, *, joined_at: datetime, is_admin: bool = False
    ) -> SimMembership:
        self.accounts.setdefault(account.user_id, account)
        membership = SimMembership(chat_id=chat_id, user_id=account.user_id, joined_at=joined_at, is_admin=is_admin)
        self._chat_members[chat_id][account.user_id] = membership
        self.memberships.append(membership)
        return membership

    def message_add(
        self, chat_id: str, *, author_id: str | None, sent_at: datetime, text: str = "", kind: str = "text"
    ) -> SimMessage:
        """Post a message now (its id is above every earlier one)."""
        chat_messages = self._by_chat[chat_id]
        last_id = max((m.message_id for m in self.messages), default=0)
        last_seq = chat_messages[-1].conversation_message_id if chat_messages else 0
        message = SimMessage(
            message_id=last_id + 1,
            conversation_message_id=last_seq + 1,
            chat_id=chat_id,
            sent_at=sent_at,
            author_id=author_id,
            kind=kind,
            group="service" if kind == "service" else "teacher",
            literal=text,
        )
        self.messages.append(message)
        chat_messages.append(message)
        return message

    def fault_inject(self, method: str, chat_id: str | None, error: Exception) -> None:
        """Make `method` ("list_chats", "list_members", "iter_messages") raise `error` (for that chat)."""
        self.faults[(method, chat_id)] = error

    def _fault(self, method: str, chat_id: str | None) -> None:
        error = self.faults.get((method, chat_id)) or self.faults.get((method, None))
        if error is not None:
            raise error

    # ----- the Backend protocol -------------------------------------------------------------------------

    def list_chats(self) -> Iterator[ChatInfo]:
        self._fault("list_chats", None)
        for start in range(0, max(len(self.chats), 1), PAGE_SIZE):
            self.stats.requests += 1
            for chat in self.chats[start : start + PAGE_SIZE]:
                yield chat.info(len(self._chat_members[chat.chat_id]))

    def list_members(self, chat_id: str) -> list[Member]:
        self._fault("list_members", chat_id)
        if chat_id not in self._chat_members:
            raise ChatAccessError(chat_id, "chat not found (917)")
        members = self.members_of(chat_id)
        self.stats.requests += max(1, -(-len(members) // PAGE_SIZE))
        return [
            Member(
                profile=self.accounts[m.user_id].profile(),
                joined_at=m.joined_at,
                is_admin=m.is_admin,
                is_owner=m.is_owner,
            )
            for m in members
        ]

    def message_info(self, message: SimMessage) -> MessageInfo:
        """Return what a backend reports of a simulated message (the text digested, then dropped)."""
        key = (message.chat_id, message.message_id)
        info = self._infos.get(key)
        if info is None:
            length, emoji_only, digest = text_digest(message_text(message), key=self.hash_key)
            info = MessageInfo(
                message_id=str(message.message_id),
                cursor=message.message_id,
                chat_id=message.chat_id,
                sent_at=message.sent_at,
                author_id=message.author_id,
                kind=message.kind,
                text_length=length,
                emoji_only=emoji_only,
                text_hash=digest,
                from_bot=message.from_bot,
            )
            self._infos[key] = info
        return info

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        self._fault("iter_messages", chat_id)
        if chat_id not in self._by_chat:
            raise ChatAccessError(chat_id, "chat not found (917)")
        newest_first = self._by_chat[chat_id][::-1]
        offset = 0
        while True:
            self.stats.requests += 1
            page = newest_first[offset : offset + PAGE_SIZE]
            if offset and self.page_overlap:
                page = newest_first[max(offset - self.page_overlap, 0) : offset] + page
            if not page:
                return
            for message in page:
                if after_cursor is not None and message.message_id <= after_cursor:
                    return
                if since is not None and message.sent_at < since:
                    return
                yield self.message_info(message)
            offset += PAGE_SIZE
            if offset >= len(newest_first):
                return
