"""The region benchmark's data set: municipalities, schools, people, accounts, chats and a week of messages.

Written with COPY on PostgreSQL (reports.bench_load); the same rows go through executemany on SQLite, where a small
size is the only sensible one. The data set stays in the configured database under a fresh code (BENCH-Rn): point
DATABASE_URL at a database of its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from itertools import accumulate

from activation.models import Backend
from activation.models import SferumAccount
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from chats.partitions import message_partitions_ensure
from classes import clock
from classes.calendar import last_complete_week
from classes.calendar import week_bounds
from classes.models import CLASS_LETTERS
from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Municipality
from classes.models import Parent
from classes.models import Region
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from reports.bench_load import TableLoad
from reports.bench_load import bulk_load

TIMEZONE = "Europe/Moscow"
SCHOOLS_PER_BLOCK = 30
WEEK_SECONDS = 7 * 24 * 3600
HASH_POOL = 200_000
REGION_SIZES = {
    "schools": 1500,
    "municipalities": 40,
    "teachers": 60_000,
    "messages": 10_000_000,
    "classes": 33,
    "students_per_class": 25,
}


@dataclass
class RegionSizes:
    schools: int
    municipalities: int
    teachers: int
    messages: int
    classes: int
    students_per_class: int
    seed: int = 1


@dataclass
class RegionData:
    code: str
    region: Region
    municipalities: list[Municipality]
    schools: list[School]
    week_start: date
    today: date
    counts: dict[str, int]


def _municipalities_and_schools(sizes: RegionSizes, prefix: str) -> tuple[list[Municipality], list[School]]:
    region = Region.objects.create(code=prefix, name=f"Benchmark region {prefix}")
    municipalities = Municipality.objects.bulk_create(
        Municipality(region=region, code=f"{prefix}-M{index:02d}", name=f"Benchmark municipality {index}")
        for index in range(sizes.municipalities)
    )
    schools = School.objects.bulk_create(
        School(
            municipality=municipalities[index % len(municipalities)],
            code=f"{prefix}-{index:04d}",
            full_name=f"Benchmark school {index}",
            short_name=f"Bench {index}",
            timezone=TIMEZONE,
        )
        for index in range(sizes.schools)
    )
    return municipalities, schools


def _people(sizes: RegionSizes, schools: list[School], first_year: int, rng: random.Random) -> dict:
    """Write years, staff, classes, students, enrollments and parents; return the ids the next steps need."""
    years = AcademicYear.objects.bulk_create(
        AcademicYear(
            school=school,
            name=f"{first_year}/{first_year + 1}",
            starts_on=date(first_year, 9, 1),
            ends_on=date(first_year + 1, 8, 31),
        )
        for school in schools
    )
    staff = TableLoad(Staff, ["school_id", "person_id", "last_name", "first_name", "employed_from", "teaches"])
    staff_ids = staff.ids(sizes.teachers)
    staff_school = [schools[index % len(schools)].pk for index in range(sizes.teachers)]
    staff.write(
        (pk, school_id, f"T-{pk}", f"Учитель{pk}", "Имя", date(2020, 9, 1), rng.random() < 0.95)
        for pk, school_id in zip(staff_ids, staff_school, strict=True)
    )
    staff_by_school: dict[int, list[int]] = {school.pk: [] for school in schools}
    for pk, school_id in zip(staff_ids, staff_school, strict=True):
        staff_by_school[school_id].append(pk)
    letters = CLASS_LETTERS[: max(1, -(-sizes.classes // 11))]
    classes = TableLoad(SchoolClass, ["school_id", "year_id", "grade", "letter", "class_teacher_id"])
    class_rows = []
    for school, year in zip(schools, years, strict=True):
        teachers = staff_by_school[school.pk]
        for index, pk in zip(range(sizes.classes), classes.ids(sizes.classes), strict=True):
            teacher = teachers[index] if index < len(teachers) else None
            class_rows.append((pk, school.pk, year.pk, 1 + index % 11, letters[index // 11], teacher))
    classes.write(class_rows)
    per_class = sizes.students_per_class
    students = TableLoad(Student, ["school_id", "person_id", "last_name", "first_name"])
    enrollments = TableLoad(Enrollment, ["student_id", "school_class_id", "starts_on"])
    parents = TableLoad(Parent, ["school_id", "person_id", "last_name", "first_name"])
    links = TableLoad(Parent.children.through, ["parent_id", "student_id"])
    student_ids = students.ids(len(class_rows) * per_class)
    starts = date(first_year, 9, 1)
    student_school = [row[1] for row in class_rows for _n in range(per_class)]
    students.write(
        (pk, school_id, f"S-{pk}", "Ученик", str(pk)) for pk, school_id in zip(student_ids, student_school, strict=True)
    )
    enrollments.write(
        (pk, student, class_rows[index // per_class][0], starts)
        for index, (pk, student) in enumerate(zip(enrollments.ids(len(student_ids)), student_ids, strict=True))
    )
    parent_ids = parents.ids(len(student_ids))
    parents.write(
        (pk, school_id, f"P-{pk}", "Родитель", "Имя") for pk, school_id in zip(parent_ids, student_school, strict=True)
    )
    links.write(
        (pk, parent, student)
        for pk, parent, student in zip(links.ids(len(student_ids)), parent_ids, student_ids, strict=True)
    )
    for load in (staff, classes, students, enrollments, parents, links):
        load.finish()
    return {
        "staff": list(zip(staff_ids, staff_school, strict=True)),
        "classes": class_rows,
        "students": list(zip(student_ids, student_school, strict=True)),
        "parents": list(zip(parent_ids, student_school, strict=True)),
    }


def _accounts(people: dict, schools: list[School], rng: random.Random) -> tuple[list, list, dict[int, int]]:
    """Write the accounts (each school has its own activation level).

    Return the teachers' and the others' (account id, school id) and {staff id: account id}.
    """
    level = {school.pk: rng.uniform(0.8, 1.0) for school in schools}
    accounts = TableLoad(
        SferumAccount,
        ["school_id", "backend", "platform_user_id", "role_code", "status", "staff_id", "student_id", "parent_id"],
    )
    active, pending = SferumAccount.Status.ACTIVE, SferumAccount.Status.PENDING
    roles = (
        ("staff", SferumAccount.RoleCode.TEACHER, 1.0, 0),
        ("students", SferumAccount.RoleCode.STUDENT, 0.95, 1),
        ("parents", SferumAccount.RoleCode.PARENT, 0.9, 2),
    )
    teachers: list[tuple[int, int]] = []
    staff_account: dict[int, int] = {}
    others: list[tuple[int, int]] = []
    rows = []
    for key, role, chance, slot in roles:
        for person, school_id in people[key]:
            if rng.random() >= 0.97:
                continue
            pk = accounts.ids(1)[0]
            links = [None, None, None]
            links[slot] = person
            status = active if rng.random() < chance * level[school_id] else pending
            rows.append((pk, school_id, Backend.SIMULATOR, f"{key}-{person}", role, status, *links))
            (teachers if slot == 0 else others).append((pk, school_id))
            if slot == 0:
                staff_account[person] = pk
    accounts.write(rows)
    accounts.finish()
    return teachers, others, staff_account


def _chats(classes: list[tuple], teacher_account: dict[int, int]) -> dict[int, list[int]]:
    """Write two chats per class (students, parents) with the class teacher as admin; return chat ids by school."""
    chats = TableLoad(Chat, ["school_id", "backend", "platform_id", "kind", "school_class_id", "title"])
    memberships = TableLoad(ChatMembership, ["chat_id", "account_id", "is_admin"])
    chat_rows, member_rows = [], []
    by_school: dict[int, list[int]] = {}
    for class_id, school_id, _year, grade, letter, teacher in classes:
        for kind in (Chat.Kind.CLASS, Chat.Kind.PARENTS):
            pk = chats.ids(1)[0]
            chat_rows.append(
                (pk, school_id, Backend.SIMULATOR, f"{class_id}-{kind}", kind, class_id, f"{grade}{letter} {kind}")
            )
            by_school.setdefault(school_id, []).append(pk)
            if teacher in teacher_account:
                member_rows.append((memberships.ids(1)[0], pk, teacher_account[teacher], True))
    chats.write(chat_rows)
    memberships.write(member_rows)
    chats.finish()
    memberships.finish()
    return by_school


def _messages(
    sizes: RegionSizes, teachers: list, others: list, chats_by_school: dict[int, list[int]], rng: random.Random, start
) -> int:
    """Write the week's messages school by school: half by teachers (one in six writes almost nothing), half by
    students and parents; about 1 % from bots, 3 % service events, 5 % emoji-only, texts from a pool (copies).

    Each block of schools is written in (chat, time) order, as a sync stores them, so the chat indexes append.
    """
    messages = TableLoad(
        Message,
        [
            "chat_id",
            "sent_at",
            "author_id",
            "from_bot",
            "kind",
            "text_length",
            "emoji_only",
            "text_hash",
            "platform_id",
        ],
    )
    teachers_of: dict[int, tuple[list[int], list[float]]] = {}
    for account, school_id in teachers:
        teachers_of.setdefault(school_id, ([], []))[0].append(account)
    for ids, weights in teachers_of.values():
        weights.extend(accumulate(0.02 if rng.random() < 1 / 6 else rng.uniform(0.5, 1.5) for _t in ids))
    others_of: dict[int, list[int]] = {}
    for account, school_id in others:
        others_of.setdefault(school_id, []).append(account)
    hashes = [f"{rng.getrandbits(256):064x}" for _h in range(HASH_POOL)]
    school_ids = sorted(chats_by_school)
    each, extra = divmod(sizes.messages, len(school_ids))
    written = 0
    for first in range(0, len(school_ids), SCHOOLS_PER_BLOCK):
        block = []
        for index in range(first, min(first + SCHOOLS_PER_BLOCK, len(school_ids))):
            school_id = school_ids[index]
            count = each + (index < extra)
            teacher_ids, weights = teachers_of.get(school_id, ([], []))
            by_teachers = count // 2 if teacher_ids else 0
            pool = others_of.get(school_id) or teacher_ids
            if not pool:
                continue
            authors = rng.choices(teacher_ids, cum_weights=weights, k=by_teachers) if by_teachers else []
            authors += rng.choices(pool, k=count - by_teachers)
            block.extend(
                zip(
                    rng.choices(chats_by_school[school_id], k=count),
                    (rng.randrange(WEEK_SECONDS) for _m in range(count)),
                    authors,
                    (rng.random() for _m in range(count)),
                    rng.choices(hashes, k=count),
                    strict=False,
                )
            )
        block.sort()
        written += messages.write(_message_rows(block, messages.ids(len(block)), start))
    messages.finish()
    return written


def _message_rows(block: list[tuple], ids: range, start):
    """Yield the rows of a block of (chat, second of the week, author, random flag, text hash)."""
    text, service = Message.Kind.TEXT, Message.Kind.SERVICE
    for pk, (chat, second, author, flag, text_hash) in zip(ids, block, strict=True):
        yield (
            pk,
            chat,
            start + timedelta(seconds=second),
            author,
            flag < 0.01,
            service if flag > 0.97 else text,
            1 + int(flag * 299),
            0.01 <= flag < 0.06,
            text_hash,
            str(pk),
        )


def region_generate(*, sizes: RegionSizes) -> RegionData:
    """Write the data set in one transaction and return what the measurements need."""
    rng = random.Random(sizes.seed)
    today = clock.today(TIMEZONE)
    monday = last_complete_week(today)
    start, _end = week_bounds(monday, TIMEZONE)
    first_year = today.year if today.month >= 9 else today.year - 1
    with bulk_load():
        number = 1
        while Municipality.objects.filter(code__startswith=f"BENCH-R{number}-").exists():
            number += 1
        prefix = f"BENCH-R{number}"
        municipalities, schools = _municipalities_and_schools(sizes, prefix)
        people = _people(sizes, schools, first_year, rng)
        teachers, others, staff_account = _accounts(people, schools, rng)
        chats_by_school = _chats(people["classes"], staff_account)
        # The week's month partitions first (the daily beat job's work), so the messages land where a region's do.
        for day in (monday, monday + timedelta(days=6)):
            message_partitions_ensure(months_ahead=0, today=day)
        written = _messages(sizes, teachers, others or teachers, chats_by_school, rng, start)
    return RegionData(
        code=prefix,
        region=municipalities[0].region,
        municipalities=municipalities,
        schools=list(School.objects.filter(municipality__in=municipalities).select_related("municipality__region")),
        week_start=monday,
        today=today,
        counts={
            "municipalities": len(municipalities),
            "schools": len(schools),
            "teachers": len(people["staff"]),
            "classes": len(people["classes"]),
            "students": len(people["students"]),
            "parents": len(people["parents"]),
            "accounts": len(teachers) + len(others),
            "chats": sum(len(chats) for chats in chats_by_school.values()),
            "messages": written,
        },
    )


def region_data(*, code: str) -> RegionData:
    """Return a region generated before (code BENCH-Rn) to measure again without generating it."""
    region = Region.objects.get(code=code)
    municipalities = list(Municipality.objects.filter(region=region).order_by("code"))
    schools = list(
        School.objects.filter(municipality__region=region).select_related("municipality__region").order_by("code")
    )
    today = clock.today(TIMEZONE)
    school_ids = [school.pk for school in schools]
    return RegionData(
        code=code,
        region=region,
        municipalities=municipalities,
        schools=schools,
        week_start=last_complete_week(today),
        today=today,
        counts={
            "municipalities": len(municipalities),
            "schools": len(schools),
            "teachers": Staff.objects.filter(school_id__in=school_ids).count(),
            "messages": Message.objects.filter(chat__school_id__in=school_ids).count(),
        },
    )
