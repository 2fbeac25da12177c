"""The metrics benchmark: generate a municipality-sized data set, then time the jobs against the floor.

Not a test. The data set goes into the configured database under a fresh municipality code
(BENCH-n) and stays there; point DATABASE_URL at a database of its own.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from django.db import connection
from django.db import transaction

from activation.models import Backend
from activation.models import SferumAccount
from chats.message_marks import message_marks_refresh
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from classes import clock
from classes.calendar import last_complete_week
from classes.calendar import week_bounds
from classes.calendar import week_label
from classes.models import CLASS_LETTERS
from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Municipality
from classes.models import Parent
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from reports.selectors import MunicipalityActivation
from reports.selectors import activation_compute
from reports.services import activation_snapshot_build_municipality
from reports.services import weekly_activity_build_many

BATCH = 5000
TIMEZONE = "Europe/Moscow"
SCALES = {
    "municipality": {"schools": 30, "teachers": 1200, "messages": 200_000, "classes": 33, "students_per_class": 25},
    "school": {"schools": 1, "teachers": 40, "messages": 7_000, "classes": 33, "students_per_class": 25},
}


@dataclass
class BenchSizes:
    schools: int
    teachers: int
    messages: int
    classes: int
    students_per_class: int
    seed: int = 1


@dataclass
class BenchData:
    municipality: Municipality
    schools: list[School]
    week_start: date
    today: date
    counts: dict[str, int]


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def bench_generate(*, sizes: BenchSizes) -> BenchData:
    """Write the data set: schools, classes, staff, students, parents, accounts, chats and the week's messages."""
    rng = random.Random(sizes.seed)
    today = clock.today(TIMEZONE)
    monday = last_complete_week(today)
    start, end = week_bounds(monday, TIMEZONE)
    week_seconds = int((end - start).total_seconds())
    first_year = today.year if today.month >= 9 else today.year - 1
    with transaction.atomic():
        number = Municipality.objects.filter(code__startswith="BENCH-").count() + 1
        while Municipality.objects.filter(code=f"BENCH-{number}").exists():
            number += 1
        prefix = f"BENCH-{number}"
        municipality = Municipality.objects.create(code=prefix, name=f"Benchmark {number}")
        schools = _bulk(
            School,
            [
                School(
                    municipality=municipality,
                    code=f"{prefix}-{index:03d}",
                    full_name=f"Benchmark school {index}",
                    short_name=f"Bench {index}",
                    timezone=TIMEZONE,
                )
                for index in range(sizes.schools)
            ],
        )
        years = _bulk(
            AcademicYear,
            [
                AcademicYear(
                    school=school,
                    name=f"{first_year}/{first_year + 1}",
                    starts_on=date(first_year, 9, 1),
                    ends_on=date(first_year + 1, 8, 31),
                )
                for school in schools
            ],
        )
        staff = _bulk(
            Staff,
            [
                Staff(
                    school=schools[index % sizes.schools],
                    person_id=f"T-{index:05d}",
                    last_name=f"Учитель{index}",
                    first_name="Имя",
                    employed_from=date(2020, 9, 1),
                    teaches=rng.random() < 0.95,
                )
                for index in range(sizes.teachers)
            ],
        )
        staff_by_school: dict[int, list[Staff]] = {school.pk: [] for school in schools}
        for member in staff:
            staff_by_school[member.school_id].append(member)
        letters = CLASS_LETTERS[: max(1, -(-sizes.classes // 11))]
        classes = _bulk(
            SchoolClass,
            [
                SchoolClass(
                    school=school,
                    year=year,
                    grade=1 + index % 11,
                    letter=letters[index // 11],
                    class_teacher=staff_by_school[school.pk][index]
                    if index < len(staff_by_school[school.pk])
                    else None,
                )
                for school, year in zip(schools, years, strict=True)
                for index in range(sizes.classes)
            ],
        )
        students = _bulk(
            Student,
            [
                Student(
                    school_id=school_class.school_id,
                    person_id=f"S-{school_class.pk}-{n}",
                    last_name="Ученик",
                    first_name=str(n),
                )
                for school_class in classes
                for n in range(sizes.students_per_class)
            ],
        )
        per_class = sizes.students_per_class
        _bulk(
            Enrollment,
            [
                Enrollment(student=student, school_class=classes[index // per_class], starts_on=date(first_year, 9, 1))
                for index, student in enumerate(students)
            ],
        )
        parents = _bulk(
            Parent,
            [
                Parent(school_id=student.school_id, person_id=f"P-{student.pk}", last_name="Родитель", first_name="Имя")
                for student in students
            ],
        )
        _bulk(
            Parent.children.through,
            [
                Parent.children.through(parent_id=parent.pk, student_id=student.pk)
                for parent, student in zip(parents, students, strict=True)
            ],
        )
        accounts: list[SferumAccount] = []

        def account(person_field: str, person, role: str, chance: float) -> None:
            if rng.random() < 0.97:
                accounts.append(
                    SferumAccount(
                        school_id=person.school_id,
                        backend=Backend.SIMULATOR,
                        platform_user_id=f"{person_field}-{person.pk}",
                        role_code=role,
                        status=SferumAccount.Status.ACTIVE if rng.random() < chance else SferumAccount.Status.PENDING,
                        **{person_field: person},
                    )
                )

        for member in staff:
            account("staff", member, SferumAccount.RoleCode.TEACHER, 0.95)
        for student in students:
            account("student", student, SferumAccount.RoleCode.STUDENT, 0.9)
        for parent in parents:
            account("parent", parent, SferumAccount.RoleCode.PARENT, 0.85)
        accounts = _bulk(SferumAccount, accounts)
        teacher_accounts: dict[int, list[SferumAccount]] = {school.pk: [] for school in schools}
        others: dict[int, list[SferumAccount]] = {school.pk: [] for school in schools}
        account_of_staff: dict[int, SferumAccount] = {}
        for item in accounts:
            if item.staff_id:
                teacher_accounts[item.school_id].append(item)
                account_of_staff[item.staff_id] = item
            else:
                others[item.school_id].append(item)
        chats = _bulk(
            Chat,
            [
                Chat(
                    school_id=school_class.school_id,
                    backend=Backend.SIMULATOR,
                    platform_id=f"{school_class.pk}-{kind}",
                    kind=kind,
                    school_class=school_class,
                    title=f"{school_class.name} {kind}",
                )
                for school_class in classes
                for kind in (Chat.Kind.CLASS, Chat.Kind.PARENTS)
            ],
        )
        _bulk(
            ChatMembership,
            [
                ChatMembership(chat=chat, account=account_of_staff[chat.school_class.class_teacher_id], is_admin=True)
                for chat in chats
                if chat.school_class.class_teacher_id in account_of_staff
            ],
        )
        chats_by_school: dict[int, list[Chat]] = {school.pk: [] for school in schools}
        for chat in chats:
            chats_by_school[chat.school_id].append(chat)
        messages: list[Message] = []
        written = 0
        for index in range(sizes.messages):
            school = schools[index % sizes.schools]
            pool = teacher_accounts[school.pk] if rng.random() < 0.5 or not others[school.pk] else others[school.pk]
            if not pool or not chats_by_school[school.pk]:
                continue
            kind = Message.Kind.SERVICE if rng.random() < 0.03 else Message.Kind.TEXT
            messages.append(
                Message(
                    chat=rng.choice(chats_by_school[school.pk]),
                    platform_id=str(index),
                    author=rng.choice(pool),
                    from_bot=rng.random() < 0.01,
                    sent_at=start + timedelta(seconds=rng.randrange(week_seconds)),
                    kind=kind,
                    text_length=rng.randrange(1, 300),
                    emoji_only=rng.random() < 0.05,
                    text_hash=f"{rng.randrange(10**6):064x}",
                )
            )
            if len(messages) >= BATCH:
                written += len(Message.objects.bulk_create(messages, batch_size=BATCH))
                messages = []
        written += len(Message.objects.bulk_create(messages, batch_size=BATCH))
    loaded = [School, Staff, SchoolClass, Student, Enrollment, Parent, Parent.children.through, SferumAccount]
    _analyze([*loaded, Chat, ChatMembership, Message])
    return BenchData(
        municipality=municipality,
        schools=list(School.objects.filter(municipality=municipality).select_related("municipality__region")),
        week_start=monday,
        today=today,
        counts={
            "schools": len(schools),
            "teachers": len(staff),
            "classes": len(classes),
            "students": len(students),
            "parents": len(parents),
            "accounts": len(accounts),
            "chats": len(chats),
            "messages": written,
        },
    )


def _analyze(models: list) -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum would in production."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


FLOOR_TABLE = "bench_weekly_floor"


def marks_run(*, schools: list[School]) -> dict:
    """Mark the schools' unmarked messages as their syncs would (chats.message_marks); return the time and rows.

    Generated messages are written without marks; a sync marks what it stores, school by school.
    """
    began = time.perf_counter()
    rows = message_marks_refresh(school_ids=[school.pk for school in schools])
    figures = {"marks_seconds": round(time.perf_counter() - began, 2), "marks_rows": rows}
    if rows and connection.vendor == "postgresql":
        # The old row versions leave the table and the partial index of unmarked messages (until then every
        # lookup of it visits them), and the planner learns the marks.
        figures["marks_vacuum_seconds"] = vacuum_analyze(Message)
    return figures


def vacuum_analyze(model) -> float:
    """Do what autovacuum does after a mass update of the model's table (PostgreSQL); return the seconds.

    Inside a transaction (the tests run the bench in one) VACUUM cannot run: the statistics alone then.
    """
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    return round(time.perf_counter() - began, 2)


def floor_run(*, schools: list[School], week_start: date) -> float:
    """Run the issue's floor over the schools' week (in the benchmarks' time zone); return its seconds.

    One `INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE` that counts the week's counted messages per
    staff member with an account (a superset of the teachers the job evaluates) into a scratch table shaped like
    the stored rows' key (a temporary table, one row per staff id): what any weekly job must at least do, read
    the week's messages once and upsert one row per teacher.
    """
    start, end = week_bounds(week_start, TIMEZONE)
    message, chat, account = (model._meta.db_table for model in (Message, Chat, SferumAccount))
    ids = [school.pk for school in schools]
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"INSERT INTO {FLOOR_TABLE} (staff_id, messages) SELECT a.staff_id, COUNT(*) FROM {message} m "  # noqa: S608
        f"JOIN {chat} c ON c.id = m.chat_id JOIN {account} a ON a.id = m.author_id "
        f"WHERE c.school_id IN ({placeholders}) AND m.sent_at >= %s AND m.sent_at < %s "
        "AND m.kind <> %s AND NOT m.from_bot AND a.staff_id IS NOT NULL GROUP BY a.staff_id "
        "ON CONFLICT (staff_id) DO UPDATE SET messages = excluded.messages"
    )
    bounds = [connection.ops.adapt_datetimefield_value(value) for value in (start, end)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {FLOOR_TABLE} (staff_id integer PRIMARY KEY, messages integer)"
        )
        began = time.perf_counter()
        with transaction.atomic():
            cursor.execute(sql, [*ids, *bounds, Message.Kind.SERVICE])
        return time.perf_counter() - began


def floor_agreement(*, schools: list[School], week_start: date) -> dict:
    """Compare the job's stored week with the last floor run: every stored teacher's count must equal the floor's.

    Staff the floor counted but the job does not evaluate (they neither teach nor lead a class) are reported.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT staff_id, messages FROM {FLOOR_TABLE}")  # noqa: S608 - a constant name
        counted = dict(cursor.fetchall())
    stored = dict(
        WeeklyActivity.objects.filter(school__in=schools, week_start=week_start).values_list("staff_id", "messages")
    )
    return {
        "teachers_evaluated": len(stored),
        "teachers_with_messages": len(counted),
        "counts_agree": all(messages == counted.get(staff_id, 0) for staff_id, messages in stored.items()),
        "staff_counted_by_floor_only": len(counted.keys() - stored.keys()),
    }


def activation_agreement(*, municipality: Municipality, day: date) -> dict:
    """Compare the municipality's stored snapshot of the day with the live computation (activation_compute).

    The stored rows count the activation flags that triggers keep on the enrollments; the live computation
    counts from the accounts themselves: a load that skipped the triggers without setting the flags shows here.
    """
    schools = list(School.objects.filter(municipality=municipality).select_related("municipality__region"))
    live = MunicipalityActivation(
        municipality=municipality, day=day, schools=list(activation_compute(schools=schools, day=day).values())
    )
    stored = {
        row.group: (row.numerator, row.denominator)
        for row in ActivationSnapshot.objects.filter(day=day, scope="municipality", scope_id=municipality.pk)
    }
    expected = {name: (getattr(live, name).numerator, getattr(live, name).denominator) for name in stored}
    return {"activation_agrees": bool(stored) and stored == expected, "activation_students": stored.get("students")}


def bench_data(*, code: str) -> BenchData:
    """Return an existing data set (municipality code BENCH-n) to time again without generating it."""
    municipality = Municipality.objects.get(code=code)
    schools = list(School.objects.filter(municipality=municipality).select_related("municipality__region"))
    today = clock.today(TIMEZONE)
    school_ids = [school.pk for school in schools]
    counts = {
        "schools": len(schools),
        "teachers": Staff.objects.filter(school_id__in=school_ids).count(),
        "messages": Message.objects.filter(chat__school_id__in=school_ids).count(),
    }
    return BenchData(
        municipality=municipality, schools=schools, week_start=last_complete_week(today), today=today, counts=counts
    )


def bench_run(*, sizes: BenchSizes, scale: str, reuse: str | None = None) -> dict:
    """Generate the data set (or reuse one), time the floor, the weekly job, the floor again and the activation
    job; return the figures. `ratio` is the weekly job over the faster of the two floor runs."""
    began = time.perf_counter()
    data = bench_data(code=reuse) if reuse else bench_generate(sizes=sizes)
    generated = time.perf_counter() - began
    # The sync marks the messages it stores (bursts, near-duplicates); the generated ones are marked here.
    marked = marks_run(schools=data.schools)

    floor = floor_run(schools=data.schools, week_start=data.week_start)

    began = time.perf_counter()
    weekly_activity_build_many(schools=data.schools, week_start=data.week_start)
    weekly = time.perf_counter() - began

    floor_after = floor_run(schools=data.schools, week_start=data.week_start)
    agreement = floor_agreement(schools=data.schools, week_start=data.week_start)

    began = time.perf_counter()
    activation_snapshot_build_municipality(municipality=data.municipality, day=data.today)
    activation = time.perf_counter() - began
    agreement.update(activation_agreement(municipality=data.municipality, day=data.today))

    fastest = min(floor, floor_after)
    return {
        "scale": scale,
        "database": connection.vendor,
        "municipality": data.municipality.code,
        "week": week_label(data.week_start),
        **data.counts,
        **agreement,
        "generate_seconds": round(generated, 3),
        **marked,
        "weekly_activity_seconds": round(weekly, 4),
        "floor_seconds": round(floor, 4),
        "floor_after_seconds": round(floor_after, 4),
        "ratio": round(weekly / fastest, 2) if fastest else None,
        "activation_seconds": round(activation, 4),
    }
