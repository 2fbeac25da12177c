"""A straightforward count of the metrics, for tests: plain Python loops over `.values()` rows.

Written from DESIGN.md ("Definitions") without reports.selectors, reports.services or classes.calendar,
so a test can hold `metrics_compute --json` against it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections import defaultdict
from datetime import date
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from activation.models import SferumAccount
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from classes.models import THRESHOLD_FIELDS
from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Holiday
from classes.models import Parent
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.models.school import THRESHOLD_DEFAULTS


def _rate(numerator: int, denominator: int, target: Decimal | None = None) -> dict:
    if denominator == 0:
        rate, passes = None, None
    else:
        # Half up, in integers: floor(n × 10000 / d + 1/2) / 10000.
        rate = ((2 * numerator * 10000 + denominator) // (2 * denominator)) / 10000
        passes = None if target is None else numerator * 10000 >= int(target * 10000) * denominator
    return {"numerator": numerator, "denominator": denominator, "rate": rate, "passes": passes}


def _burst_count(times: list) -> int:
    in_burst = set()
    for start in times:
        inside = [index for index, at in enumerate(times) if start <= at <= start + timedelta(minutes=2)]
        if len(inside) >= 3:
            in_burst.update(inside)
    return len(in_burst)


def _suspicion(messages: list[dict]) -> dict[str, int]:
    """Emoji-only messages, and near-duplicates and bursts of each author account (a teacher may have two)."""
    hashes = Counter((m["author_id"], m["text_hash"]) for m in messages if m["text_hash"])
    authors = {m["author_id"] for m in messages}
    return {
        "emoji_only": sum(1 for m in messages if m["emoji_only"]),
        "duplicates": sum(count for count in hashes.values() if count > 1),
        "bursts": sum(
            _burst_count(sorted(m["sent_at"] for m in messages if m["author_id"] == author)) for author in authors
        ),
    }


MATERIAL_BITS = {"documents": 1, "videos": 2, "links": 4, "photos": 8}  # as chats.materials stores them
CALL_BIT = 16


def _materials(messages: list[dict]) -> dict[str, int]:
    """Messages carrying each kind of material: a message counts once per kind it carries."""
    return {key: sum(1 for m in messages if m["attachments"] & bit) for key, bit in MATERIAL_BITS.items()}


def _flags(messages: list[dict]) -> list[str]:
    total = len(messages)
    if not total:
        return []
    return [name for name, count in _suspicion(messages).items() if 2 * count >= total]


def independent_count(code: str, monday: date, today: date) -> dict:
    """Return the figures of the school for the week starting `monday` and the day `today`."""
    # the school's own thresholds and targets, its municipality's for those it leaves empty, then the region's
    settings = [
        *THRESHOLD_FIELDS,
        *(f"municipality__{name}" for name in THRESHOLD_FIELDS),
        *(f"municipality__region__{name}" for name in THRESHOLD_FIELDS),
    ]
    school = School.objects.filter(code=code).values("id", "timezone", *settings)[0]
    sid = school["id"]
    zone = ZoneInfo(school["timezone"])

    def setting(name):
        for key in (name, "municipality__" + name, "municipality__region__" + name):
            if school[key] is not None:
                return school[key]
        return THRESHOLD_DEFAULTS[name]

    threshold = setting("activity_threshold")
    sunday = monday + timedelta(days=6)
    weekdays = [monday + timedelta(days=n) for n in range(5)]
    years = {y["id"]: y for y in AcademicYear.objects.values()}
    holidays = [
        (h["starts_on"], h["ends_on"]) for h in Holiday.objects.values() if years[h["year_id"]]["school_id"] == sid
    ]
    days = [d for d in weekdays if not any(a <= d <= b for a, b in holidays)]
    member_days = days or weekdays
    if setting("short_week_scaling") and 0 < len(days) < 5:  # a short week: ceil(threshold × days ÷ 5)
        threshold = math.ceil(Fraction(threshold * len(days), 5))

    classes = [c for c in SchoolClass.objects.values() if c["school_id"] == sid]
    leaders = set()
    for c in classes:
        year = years[c["year_id"]]
        if c["class_teacher_id"] and year["starts_on"] <= sunday and year["ends_on"] >= monday:
            leaders.add(c["class_teacher_id"])
    accounts = list(SferumAccount.objects.values())
    staff_of_account = {a["id"]: a["staff_id"] for a in accounts if a["staff_id"]}
    school_chats = {c["id"] for c in Chat.objects.values("id", "school_id") if c["school_id"] == sid}

    channels = {c["id"] for c in Chat.objects.values("id", "school_id", "kind") if c["kind"] == "channel"}
    week = monday.isocalendar()[:2]
    by_staff = defaultdict(list)
    by_people = []  # the week's messages by people in the school's chats (the school's materials, channel posts)
    calls = 0
    for m in Message.objects.values(
        "chat_id", "author_id", "from_bot", "kind", "sent_at", "emoji_only", "text_hash", "attachments"
    ):
        in_week = m["sent_at"].astimezone(zone).date().isocalendar()[:2] == week
        if m["chat_id"] in school_chats and in_week and m["kind"] != "service":
            calls += bool(m["attachments"] & CALL_BIT)
            if not m["from_bot"]:
                by_people.append(m)
        if m["chat_id"] not in school_chats or m["from_bot"] or m["kind"] == "service":
            continue
        staff_id = staff_of_account.get(m["author_id"])
        if staff_id is None:
            continue
        if m["sent_at"].astimezone(zone).date().isocalendar()[:2] != week:
            continue
        by_staff[staff_id].append(m)

    absent = defaultdict(set)
    for a in StaffAbsence.objects.values():
        for d in weekdays:
            if a["starts_on"] <= d <= a["ends_on"]:
                absent[a["staff_id"]].add(d)

    def employed(s, d):
        return s["employed_from"] <= d and (s["employed_to"] is None or s["employed_to"] >= d)

    staff_rows = [s for s in Staff.objects.values() if s["school_id"] == sid]
    teachers = {}
    suspicion = {}
    for s in staff_rows:
        if not (s["teaches"] or s["id"] in leaders):
            continue
        if not any(employed(s, d) for d in member_days):
            continue
        count = len(by_staff[s["id"]])
        if not days:
            status = "not_evaluated"
        elif all(d in absent[s["id"]] for d in days if employed(s, d)):
            status = "excused"
        elif count >= threshold:
            status = "active"
        else:
            status = "inactive"
        teachers[s["person_id"]] = {
            "messages": count,
            "status": status,
            "account": any(a["staff_id"] == s["id"] for a in accounts),
            "flags": _flags(by_staff[s["id"]]),
            "materials": _materials(by_staff[s["id"]]),
        }
        suspicion[s["person_id"]] = _suspicion(by_staff[s["id"]])
    judged = [t for t in teachers.values() if t["status"] in ("active", "inactive")]
    active_teachers = _rate(sum(1 for t in judged if t["status"] == "active"), len(judged))
    del active_teachers["passes"]

    # Activation on `today`.
    def active_account(role_codes, field, person_id):
        return any(a[field] == person_id and a["role_code"] in role_codes and a["status"] == "active" for a in accounts)

    employed_today = [s for s in staff_rows if employed(s, today)]
    staff_rate = _rate(
        sum(1 for s in employed_today if active_account(("teacher", "admin", "employee"), "staff_id", s["id"])),
        len(employed_today),
        setting("staff_target"),
    )
    parents = {p["id"]: p for p in Parent.objects.values()}
    parents_of = defaultdict(list)
    for link in Parent.children.through.objects.values():
        parents_of[link["student_id"]].append(parents[link["parent_id"]])
    staff_by_id = {s["id"]: s for s in Staff.objects.values()}
    chats = list(Chat.objects.values())
    memberships = list(ChatMembership.objects.values())
    enrollments = list(Enrollment.objects.values())
    class_rows = []
    totals = {"students": [0, 0], "parents": [0, 0]}
    for c in sorted(classes, key=lambda c: (c["grade"], c["letter"])):
        year = years[c["year_id"]]
        if not year["starts_on"] <= today <= year["ends_on"]:
            continue
        students = {
            e["student_id"]
            for e in enrollments
            if e["school_class_id"] == c["id"]
            and e["starts_on"] <= today
            and (e["ends_on"] is None or e["ends_on"] >= today)
        }
        activated = sum(1 for st in students if active_account(("student",), "student_id", st))
        with_parent = 0
        for st in students:
            for p in parents_of[st]:
                not_left = p["left_on"] is None or p["left_on"] > today
                if not_left and active_account(("parent",), "parent_id", p["id"]):
                    with_parent += 1
                    break
        totals["students"][0] += activated
        totals["students"][1] += len(students)
        totals["parents"][0] += with_parent
        totals["parents"][1] += len(students)
        teacher_accounts = {
            a["id"] for a in accounts if c["class_teacher_id"] and a["staff_id"] == c["class_teacher_id"]
        }

        def admin_of(kind, c=c, teacher_accounts=teacher_accounts):
            ids = {ch["id"] for ch in chats if ch["school_class_id"] == c["id"] and ch["kind"] == kind}
            return any(
                m["chat_id"] in ids and m["is_admin"] and m["left_at"] is None and m["account_id"] in teacher_accounts
                for m in memberships
            )

        teacher = staff_by_id.get(c["class_teacher_id"])
        student_rate = _rate(activated, len(students), setting("students_target"))
        parent_rate = _rate(with_parent, len(students), setting("parents_target"))
        class_rows.append(
            {
                "class": f"{c['grade']}{c['letter']}",
                "class_teacher": teacher["person_id"] if teacher else None,
                "students": student_rate,
                "parents": parent_rate,
                "has_students_chat": any(ch["school_class_id"] == c["id"] and ch["kind"] == "class" for ch in chats),
                "has_parents_chat": any(ch["school_class_id"] == c["id"] and ch["kind"] == "parents" for ch in chats),
                "class_teacher_is_admin": admin_of("class") and admin_of("parents"),
            }
        )
    return {
        "evaluated": bool(days),
        "threshold": threshold,
        "teachers": teachers,
        "suspicion": suspicion,
        "active_teachers": active_teachers,
        "materials": _materials(by_people),
        "channel_posts": sum(1 for m in by_people if m["chat_id"] in channels),
        "calls": calls,
        "staff": staff_rate,
        "students": _rate(*totals["students"], setting("students_target")),
        "parents": _rate(*totals["parents"], setting("parents_target")),
        "classes": class_rows,
    }


def independent_staff_not_activated(school_id: int, today: date) -> set[int]:
    """Return the ids of the school's staff employed on `today` with no activated profile (DESIGN.md: an account
    with the role teacher, admin or employee and the status active linked to them)."""
    accounts = list(SferumAccount.objects.values("staff_id", "role_code", "status"))
    staff_roles = ("teacher", "admin", "employee")
    found = set()
    for staff in Staff.objects.values():
        if staff["school_id"] != school_id:
            continue
        employed = staff["employed_from"] <= today and (staff["employed_to"] is None or staff["employed_to"] >= today)
        activated = any(
            a["staff_id"] == staff["id"] and a["role_code"] in staff_roles and a["status"] == "active" for a in accounts
        )
        if employed and not activated:
            found.add(staff["id"])
    return found
