"""Read-side queries of the reports layer."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lag, Lead
from django.utils.translation import gettext as _

from activation.models import SferumAccount
from chats.horizon import history_horizons
from chats.models import Chat, ChatMembership, Message, ReportedActivity, SyncRun
from classes import clock
from classes.access import classes_for_user, schools_for_user
from classes.calendar import last_complete_week, school_days, week_bounds, week_days, week_label
from classes.calendar import week_start as iso_week_start
from classes.models import (
    AcademicYear,
    Enrollment,
    Holiday,
    Municipality,
    School,
    SchoolClass,
    Staff,
    StaffAbsence,
    TeachingAssignment,
    User,
    enrollment_current_filter,
    parent_on_roster_filter,
    staff_employed_on_any_filter,
)
from reports.models import ActivationSnapshot, WeeklyActivity
from reports.rates import Rate
from reports.week_status import week_not_evaluated_reason


@dataclass
class UserScope:
    """What a login may see: schools and classes."""

    role: str
    role_label: str
    schools: list[School] = field(default_factory=list)
    classes: list[SchoolClass] = field(default_factory=list)


def classes_for_teacher(*, user: User, day: date) -> QuerySet[SchoolClass]:
    """Return the classes a teacher leads or teaches (classes_for_user's), with their students enrolled on the day."""
    if user.role != User.Role.TEACHER:
        return SchoolClass.objects.none()
    current = enrollment_current_filter(day, prefix="enrollments__")
    return (
        classes_for_user(user=user)
        .annotate(students=Count("enrollments", filter=current, distinct=True))
        .order_by("grade", "letter")
    )


def scope_for_user(*, user: User) -> UserScope:
    """Return what the login may see, for the home page (a teacher's classes with their students of today)."""
    role_label = user.get_role_display() if user.role else ("superuser" if user.is_superuser else "")
    schools = list(schools_for_user(user=user))
    # A teacher sees their own school only (none once their employment ended): its day is theirs.
    day = clock.today(schools[0].tz) if schools else clock.today()
    return UserScope(
        role=user.role,
        role_label=role_label,
        schools=schools,
        classes=list(classes_for_teacher(user=user, day=day)),
    )


# ---------------------------------------------------------------------------
# Weekly teacher activity (DESIGN.md, "Definitions": week, counted message, active teacher)
# ---------------------------------------------------------------------------

BURST_SIZE = 3
BURST_SPAN = timedelta(minutes=2)
SUSPICIOUS_SHARE = Fraction(1, 2)


class TeacherStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    EXCUSED = "excused"
    NOT_EVALUATED = "not_evaluated"


@dataclass
class TeacherWeek:
    """One teacher's week: the count, the status and the counts behind the suspicious-activity flag."""

    staff_id: int
    person_id: str
    name: str
    has_account: bool
    status: TeacherStatus
    messages: int = 0
    emoji_only: int = 0
    duplicates: int = 0
    bursts: int = 0

    @property
    def flags(self) -> list[str]:
        """Return the reasons for the flag: the kinds that make at least half of the counted messages."""
        if not self.messages:
            return []
        kinds = (("emoji_only", self.emoji_only), ("duplicates", self.duplicates), ("bursts", self.bursts))
        return [kind for kind, count in kinds if Fraction(count, self.messages) >= SUSPICIOUS_SHARE]

    @property
    def suspicious(self) -> bool:
        return bool(self.flags)

    def flag_explanations(self) -> list[str]:
        """Return one sentence per reason for the flag, like "4 of 6 messages are emoji-only."."""
        sentences = {
            "emoji_only": _("%(count)d of %(total)d messages are emoji-only."),
            "duplicates": _("%(count)d of %(total)d messages repeat the text of another message of the week."),
            "bursts": _("%(count)d of %(total)d messages fall in bursts of three or more within two minutes."),
        }
        counts = {"emoji_only": self.emoji_only, "duplicates": self.duplicates, "bursts": self.bursts}
        return [sentences[flag] % {"count": counts[flag], "total": self.messages} for flag in self.flags]


@dataclass
class SchoolWeek:
    """A school's teachers in one ISO week of its time zone."""

    school: School
    week_start: date
    threshold: int
    school_days: list[date]
    teachers: list[TeacherWeek]
    history_from: datetime | None = None  # the school's history horizon (chats.horizon); None: no bound

    @property
    def week(self) -> str:
        return week_label(self.week_start)

    @property
    def reason(self) -> str | None:
        """Return why the week is not evaluated (`no_school_day`, `no_history`), or None when it is."""
        return week_not_evaluated_reason(
            school_days=self.school_days, week_start=self.week_start, tz=self.school.tz, history_from=self.history_from
        )

    @property
    def evaluated(self) -> bool:
        """Return False for a week with no school day, or one that starts before the school's message history."""
        return self.reason is None

    @property
    def active_teachers(self) -> Rate:
        """Return active teachers over evaluated teachers (excused ones are left out)."""
        evaluated = [t for t in self.teachers if t.status in (TeacherStatus.ACTIVE, TeacherStatus.INACTIVE)]
        return Rate(sum(t.status == TeacherStatus.ACTIVE for t in evaluated), len(evaluated))


def counted_messages(*, school_ids: Collection[int], start: datetime, end: datetime) -> QuerySet[Message]:
    """Return the messages that count for teachers: user messages by staff-linked accounts in [start, end).

    Service events and bot messages never count; a platform message is stored once per chat.
    """
    return Message.objects.filter(
        chat__school_id__in=list(school_ids),
        sent_at__gte=start,
        sent_at__lt=end,
        from_bot=False,
        author__staff__isnull=False,
    ).exclude(kind=Message.Kind.SERVICE)


def _with_burst_mark(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Annotate each message with `in_burst`: it is one of BURST_SIZE or more of its teacher's within BURST_SPAN.

    In the teacher's time order, a message is in a burst when one of the runs of BURST_SIZE
    consecutive messages that contain it (starting 0, 1, … BURST_SIZE − 1 messages before it)
    spans at most BURST_SPAN.
    """
    window = {"partition_by": [F("author__staff_id")], "order_by": [F("sent_at").asc(), F("pk").asc()]}
    neighbours = {}
    for offset in range(1, BURST_SIZE):
        neighbours[f"burst_before_{offset}"] = Window(Lag("sent_at", offset), **window)
        neighbours[f"burst_after_{offset}"] = Window(Lead("sent_at", offset), **window)

    def at(offset: int) -> str:
        return "sent_at" if offset == 0 else f"burst_{'before' if offset < 0 else 'after'}_{abs(offset)}"

    runs = Q()
    for before in range(BURST_SIZE):
        first, last = at(-before), at(BURST_SIZE - 1 - before)
        runs |= Q(**{f"{last}__lte": F(first) + BURST_SPAN})
    return messages.annotate(**neighbours).annotate(
        in_burst=Case(When(runs, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def _with_suspicion_marks(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Annotate each message with `in_burst` and `near_duplicate` (another of its teacher's has its text hash)."""
    return _with_burst_mark(messages).annotate(
        copies=Window(Count("pk"), partition_by=[F("author__staff_id"), F("text_hash")]),
        near_duplicate=Case(
            When(Q(copies__gte=2) & ~Q(text_hash=""), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _message_counts(*, school_ids: Collection[int], start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Return {staff id: counts} of the week in one aggregate query.

    The innermost query is the ORM one that marks each counted message as in a burst or not (the
    mark the teacher's message list shows). Around it, one pass groups by teacher and text hash
    (a group of two or more with a hash is near-duplicates, every copy counted) and one sums per
    teacher. Django cannot group over window expressions, hence the thin SQL wrapper.
    """
    marked = (
        _with_burst_mark(counted_messages(school_ids=school_ids, start=start, end=end))
        .order_by()
        .values("author__staff_id", "text_hash", "emoji_only", "in_burst")
    )
    inner_sql, params = marked.query.sql_with_params()
    staff, text_hash, emoji, burst = (
        connection.ops.quote_name(name) for name in ("author__staff_id", "text_hash", "emoji_only", "in_burst")
    )
    sql = (
        "SELECT same.staff_id, SUM(same.n), SUM(same.emoji), "  # noqa: S608 - quoted aliases; values are parameters
        "SUM(CASE WHEN same.text_hash <> '' AND same.n > 1 THEN same.n ELSE 0 END), SUM(same.burst) "
        f"FROM (SELECT marked.{staff} AS staff_id, marked.{text_hash} AS text_hash, COUNT(*) AS n, "
        f"SUM(CASE WHEN marked.{emoji} THEN 1 ELSE 0 END) AS emoji, "
        f"SUM(CASE WHEN marked.{burst} THEN 1 ELSE 0 END) AS burst "
        f"FROM ({inner_sql}) marked GROUP BY marked.{staff}, marked.{text_hash}) same "
        "GROUP BY same.staff_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    keys = ("messages", "emoji_only", "duplicates", "bursts")
    return {staff_id: {key: int(value) for key, value in zip(keys, sums, strict=True)} for staff_id, *sums in rows}


def teachers_of_week(*, days_by_school: dict[int, list[date]], monday: date) -> QuerySet[Staff]:
    """Return staff who teach or lead a class and are employed on at least one of their school's days.

    For a school without school days that week, Monday to Friday stand in (its teachers show as not
    evaluated). Each row carries `has_account`: at least one Sferum account is linked to them.
    """
    sunday = monday + timedelta(days=6)
    schools_by_days: dict[tuple[date, ...], list[int]] = defaultdict(list)
    for school_id, days in days_by_school.items():
        schools_by_days[tuple(days or week_days(monday))].append(school_id)
    employed = Q(pk__in=[])
    for days, school_ids in schools_by_days.items():
        employed |= Q(school_id__in=school_ids) & staff_employed_on_any_filter(days)
    leads_a_class = Exists(
        SchoolClass.objects.filter(
            class_teacher_id=OuterRef("pk"), year__starts_on__lte=sunday, year__ends_on__gte=monday
        )
    )
    return (
        Staff.objects.filter(employed)
        .filter(Q(teaches=True) | leads_a_class)
        .annotate(has_account=Exists(SferumAccount.objects.filter(staff_id=OuterRef("pk"))))
        .only("pk", "school_id", "person_id", "last_name", "first_name", "patronymic", "employed_from", "employed_to")
    )


def weekly_activity_compute(
    *, schools: Sequence[School], week_start: date, horizons: dict[int, datetime] | None = None
) -> dict[int, SchoolWeek]:
    """Return {school id: SchoolWeek} of the ISO week that starts on `week_start`, computed live.

    Set-based: one query each for holidays, teachers, absences, history horizons and reported counts, and one
    aggregate query of messages per time zone among the schools, whatever their numbers of classes and teachers.
    Schools come with their municipality (for the inherited threshold). `horizons` ({school id: history
    horizon}, from chats.horizon.history_horizons) saves its query when a caller computes several weeks.
    """
    monday = iso_week_start(week_start)
    friday = monday + timedelta(days=4)
    school_ids = [school.pk for school in schools]
    if not school_ids:
        return {}
    holidays: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for school_id, first, last in (
        Holiday.objects.filter(year__school_id__in=school_ids, starts_on__lte=friday, ends_on__gte=monday)
        .order_by()
        .values_list("year__school_id", "starts_on", "ends_on")
    ):
        holidays[school_id].append((first, last))
    days_by_school = {school.pk: school_days(monday, holidays[school.pk]) for school in schools}
    teachers = list(teachers_of_week(days_by_school=days_by_school, monday=monday))
    absent: dict[int, set[date]] = defaultdict(set)
    for staff_id, first, last in (
        StaffAbsence.objects.filter(staff__school_id__in=school_ids, starts_on__lte=friday, ends_on__gte=monday)
        .order_by()
        .values_list("staff_id", "starts_on", "ends_on")
    ):
        absent[staff_id].update(day for day in week_days(monday) if first <= day <= last)
    counts: dict[int, dict[str, int]] = {}
    by_zone: dict[str, list[int]] = defaultdict(list)
    for school in schools:
        by_zone[school.timezone].append(school.pk)
    for zone, zone_school_ids in by_zone.items():
        start, end = week_bounds(monday, zone)
        counts.update(_message_counts(school_ids=zone_school_ids, start=start, end=end))
    # A weekly report (files backend) replaces message counting for the teachers and weeks it covers.
    reported = dict(
        ReportedActivity.objects.filter(school_id__in=school_ids, week_start=monday)
        .order_by()
        .values_list("staff_id", "messages")
    )

    if horizons is None:
        horizons = history_horizons(school_ids=school_ids)
    weeks = {
        school.pk: SchoolWeek(
            school=school,
            week_start=monday,
            threshold=school.effective_activity_threshold,
            school_days=days_by_school[school.pk],
            teachers=[],
            history_from=horizons.get(school.pk),
        )
        for school in schools
    }
    for staff in teachers:
        week = weeks[staff.school_id]
        employed_days = [day for day in week.school_days if staff.is_employed_on(day)]
        found = counts.get(staff.pk, {})
        messages = reported.get(staff.pk, found.get("messages", 0))
        if not week.evaluated:
            status = TeacherStatus.NOT_EVALUATED
        elif all(day in absent[staff.pk] for day in employed_days):
            status = TeacherStatus.EXCUSED
        elif messages >= week.threshold:
            status = TeacherStatus.ACTIVE
        else:
            status = TeacherStatus.INACTIVE
        week.teachers.append(
            TeacherWeek(
                staff_id=staff.pk,
                person_id=staff.person_id,
                name=staff.full_name,
                has_account=staff.has_account,
                status=status,
                messages=messages,
                emoji_only=found.get("emoji_only", 0),
                duplicates=found.get("duplicates", 0),
                bursts=found.get("bursts", 0),
            )
        )
    return weeks


def teacher_week_messages(*, staff: Staff, week_start: date) -> QuerySet[Message]:
    """Return the messages counted for the teacher in the week, oldest first, to explain the count and flag.

    Rows are dicts of `sent_at`, `chat_id`, `chat__title`, `chat__kind`, `kind`, `emoji_only`,
    `near_duplicate` and `in_burst` (never any text: none is stored). The filter is the one the
    weekly count uses, so the list is exactly as long as the count.
    """
    start, end = week_bounds(iso_week_start(week_start), staff.school.timezone)
    counted = counted_messages(school_ids=[staff.school_id], start=start, end=end).filter(author__staff_id=staff.pk)
    return (
        _with_suspicion_marks(counted)
        .values("sent_at", "chat_id", "chat__title", "chat__kind", "kind", "emoji_only", "near_duplicate", "in_burst")
        .order_by("sent_at", "pk")
    )


def weekly_activity_history(*, staff: Staff, year: AcademicYear) -> QuerySet[WeeklyActivity]:
    """Return the teacher's stored weeks that overlap the academic year, oldest first."""
    return WeeklyActivity.objects.filter(
        staff=staff, week_start__gte=iso_week_start(year.starts_on), week_start__lte=year.ends_on
    ).order_by("week_start")


# ---------------------------------------------------------------------------
# Activation rates and chat coverage (DESIGN.md, "Definitions": activated profile, rates)
# ---------------------------------------------------------------------------

STAFF_ROLES = (SferumAccount.RoleCode.TEACHER, SferumAccount.RoleCode.ADMIN, SferumAccount.RoleCode.EMPLOYEE)


@dataclass
class ClassActivation:
    """A class today: its students' and parents' activation and its chats."""

    class_id: int
    school_id: int
    name: str
    grade: int
    letter: str
    class_teacher_id: int | None
    class_teacher_person_id: str | None
    class_teacher_name: str | None
    students: Rate
    parents: Rate
    has_students_chat: bool
    has_parents_chat: bool
    class_teacher_admin_of_students_chat: bool
    class_teacher_admin_of_parents_chat: bool

    @property
    def class_teacher_is_admin(self) -> bool:
        """Return True when the class teacher is an admin of a students chat and of a parents chat."""
        return self.class_teacher_admin_of_students_chat and self.class_teacher_admin_of_parents_chat

    @property
    def covered(self) -> bool:
        """Return True when both chats exist and the class teacher administers both."""
        return self.has_students_chat and self.has_parents_chat and self.class_teacher_is_admin


@dataclass
class SchoolActivation:
    """A school's activation on a day: staff, and students and parents as sums over its classes."""

    school: School
    day: date
    staff: Rate
    classes: list[ClassActivation] = field(default_factory=list)

    @property
    def students(self) -> Rate:
        return sum((c.students for c in self.classes), Rate(0, 0)).with_target(self.school.effective_students_target)

    @property
    def parents(self) -> Rate:
        return sum((c.parents for c in self.classes), Rate(0, 0)).with_target(self.school.effective_parents_target)

    @property
    def classes_without_class_teacher(self) -> list[ClassActivation]:
        return [c for c in self.classes if c.class_teacher_id is None]


@dataclass
class MunicipalityActivation:
    """A municipality's activation on a day: sums of its schools' numerators over sums of denominators."""

    municipality: Municipality
    day: date
    schools: list[SchoolActivation]

    def _sum(self, group: str, target: Decimal) -> Rate:
        return sum((getattr(s, group) for s in self.schools), Rate(0, 0)).with_target(target)

    @property
    def staff(self) -> Rate:
        return self._sum("staff", self.municipality.staff_target)

    @property
    def students(self) -> Rate:
        return self._sum("students", self.municipality.students_target)

    @property
    def parents(self) -> Rate:
        return self._sum("parents", self.municipality.parents_target)


def classes_of_day(*, school_ids: Collection[int], day: date) -> QuerySet[SchoolClass]:
    """Return the classes of the schools' academic years that contain the day, with their chat coverage.

    Annotated: `has_students_chat`, `has_parents_chat` and whether the class teacher is a current
    admin of a students chat (kind "class") and of a parents chat of the class.
    """

    def chat_of(kind: str) -> QuerySet[Chat]:
        return Chat.objects.filter(school_class_id=OuterRef("pk"), kind=kind)

    def class_teacher_admin_of(kind: str) -> Exists:
        return Exists(
            ChatMembership.objects.filter(
                chat__school_class_id=OuterRef("pk"),
                chat__kind=kind,
                is_admin=True,
                left_at__isnull=True,
                account__staff_id=OuterRef("class_teacher_id"),
            )
        )

    return (
        SchoolClass.objects.filter(school_id__in=list(school_ids), year__starts_on__lte=day, year__ends_on__gte=day)
        .select_related("class_teacher")
        .annotate(
            has_students_chat=Exists(chat_of(Chat.Kind.CLASS)),
            has_parents_chat=Exists(chat_of(Chat.Kind.PARENTS)),
            class_teacher_admin_of_students_chat=class_teacher_admin_of(Chat.Kind.CLASS),
            class_teacher_admin_of_parents_chat=class_teacher_admin_of(Chat.Kind.PARENTS),
        )
        .order_by("school_id", "grade", "letter")
    )


def _class_enrollment_counts(*, school_ids: Collection[int], day: date) -> dict[int, dict[str, int]]:
    """Return {class id: enrolled, activated students, students with an activated parent} in one query."""
    student_active = Exists(
        SferumAccount.objects.filter(
            student_id=OuterRef("student_id"),
            role_code=SferumAccount.RoleCode.STUDENT,
            status=SferumAccount.Status.ACTIVE,
        )
    )
    parent_active = Exists(
        SferumAccount.objects.filter(
            parent__children=OuterRef("student_id"),
            role_code=SferumAccount.RoleCode.PARENT,
            status=SferumAccount.Status.ACTIVE,
        ).filter(parent_on_roster_filter(day, prefix="parent__"))
    )
    rows = (
        Enrollment.objects.current_on(day)
        .filter(
            school_class__school_id__in=list(school_ids),
            school_class__year__starts_on__lte=day,
            school_class__year__ends_on__gte=day,
        )
        .order_by()
        .values("school_class_id")
        .annotate(
            enrolled=Count("student_id", distinct=True),
            students=Count("student_id", filter=student_active, distinct=True),
            parents=Count("student_id", filter=parent_active, distinct=True),
        )
    )
    return {row.pop("school_class_id"): row for row in rows}


def _staff_counts(*, school_ids: Collection[int], day: date) -> dict[int, dict[str, int]]:
    """Return {school id: employed staff, activated staff} in one query."""
    activated = Exists(
        SferumAccount.objects.filter(
            staff_id=OuterRef("pk"), role_code__in=STAFF_ROLES, status=SferumAccount.Status.ACTIVE
        )
    )
    rows = (
        Staff.objects.employed_on(day)
        .filter(school_id__in=list(school_ids))
        .order_by()
        .values("school_id")
        .annotate(employed=Count("pk"), activated=Count("pk", filter=activated))
    )
    return {row.pop("school_id"): row for row in rows}


def activation_compute(*, schools: Sequence[School], day: date) -> dict[int, SchoolActivation]:
    """Return {school id: SchoolActivation} on the day, computed live in three queries for any number of schools.

    Staff: activated staff / staff employed on the day. A class: activated students / students
    enrolled on the day, and students with at least one activated parent (not left) / students
    enrolled. A school: sums over its classes. Schools come with their municipality (targets).
    """
    school_ids = [school.pk for school in schools]
    if not school_ids:
        return {}
    staff = _staff_counts(school_ids=school_ids, day=day)
    enrolled = _class_enrollment_counts(school_ids=school_ids, day=day)
    result = {
        school.pk: SchoolActivation(
            school=school,
            day=day,
            staff=Rate(
                staff.get(school.pk, {}).get("activated", 0),
                staff.get(school.pk, {}).get("employed", 0),
                school.effective_staff_target,
            ),
        )
        for school in schools
    }
    for school_class in classes_of_day(school_ids=school_ids, day=day):
        school = result[school_class.school_id].school
        counts = enrolled.get(school_class.pk, {})
        teacher = school_class.class_teacher
        result[school_class.school_id].classes.append(
            ClassActivation(
                class_id=school_class.pk,
                school_id=school_class.school_id,
                name=school_class.name,
                grade=school_class.grade,
                letter=school_class.letter,
                class_teacher_id=school_class.class_teacher_id,
                class_teacher_person_id=teacher.person_id if teacher else None,
                class_teacher_name=teacher.full_name if teacher else None,
                students=Rate(counts.get("students", 0), counts.get("enrolled", 0), school.effective_students_target),
                parents=Rate(counts.get("parents", 0), counts.get("enrolled", 0), school.effective_parents_target),
                has_students_chat=school_class.has_students_chat,
                has_parents_chat=school_class.has_parents_chat,
                class_teacher_admin_of_students_chat=school_class.class_teacher_admin_of_students_chat,
                class_teacher_admin_of_parents_chat=school_class.class_teacher_admin_of_parents_chat,
            )
        )
    return result


def municipality_timezones() -> dict[int, str]:
    """Return {municipality id: the time zone most of its schools use} (its day and its 06:00), in one query."""
    zones: dict[int, Counter] = defaultdict(Counter)
    for municipality_id, zone in School.objects.order_by().values_list("municipality_id", "timezone"):
        zones[municipality_id][zone] += 1
    return {municipality_id: timezone_most_used(counter) for municipality_id, counter in zones.items()}


def timezone_most_used(zones: Counter) -> str:
    """Return the time zone most schools use ({zone: schools}, not empty); on a tie, the first by name."""
    return sorted(zones.items(), key=lambda item: (-item[1], item[0]))[0][0]


# ---------------------------------------------------------------------------
# Dashboards: the school administrator's dashboard and the municipal overview
# ---------------------------------------------------------------------------

ACTIVATION_GROUPS = ("staff", "students", "parents")
# How a class teacher's last week sorts in the classes table: the ones to look at first.
TEACHER_STATUS_ORDER = {
    TeacherStatus.INACTIVE: 0,
    TeacherStatus.ACTIVE: 1,
    TeacherStatus.EXCUSED: 2,
    TeacherStatus.NOT_EVALUATED: 3,
    None: 4,
}


@dataclass
class SchoolMetrics:
    """A school's figures as `metrics_compute` reports them: today's activation and the last complete week.

    `week_ago` holds the school's stored activation snapshots of seven days earlier, by group (a group
    is missing when no snapshot was taken that day).
    """

    school: School
    day: date
    activation: SchoolActivation
    week: SchoolWeek
    week_ago: dict[str, Rate] = field(default_factory=dict)

    @property
    def staff(self) -> Rate:
        return self.activation.staff

    @property
    def students(self) -> Rate:
        return self.activation.students

    @property
    def parents(self) -> Rate:
        return self.activation.parents

    @property
    def active_teachers(self) -> Rate:
        return self.week.active_teachers

    def change(self, group: str) -> Fraction | None:
        """Return today's rate minus the rate of seven days earlier (a fraction), or None without both."""
        return getattr(self, group).change_since(self.week_ago.get(group))

    @property
    def changes(self) -> dict[str, Fraction | None]:
        return {group: self.change(group) for group in ACTIVATION_GROUPS}

    def teacher_status(self, staff_id: int | None) -> TeacherStatus | None:
        """Return the teacher's status in the week, or None when they are not one of the week's teachers."""
        if staff_id is None:
            return None
        return self._statuses.get(staff_id)

    @cached_property
    def _statuses(self) -> dict[int, TeacherStatus]:
        return {teacher.staff_id: teacher.status for teacher in self.week.teachers}


def activation_snapshots_of_days(*, scope: str, days_by_id: dict[int, date]) -> dict[int, dict[str, Rate]]:
    """Return {scope id: {group: Rate}} of the stored snapshots of each scope on its own day, in one query."""
    if not days_by_id:
        return {}
    ids_by_day: dict[date, list[int]] = defaultdict(list)
    for scope_id, day in days_by_id.items():
        ids_by_day[day].append(scope_id)
    condition = Q(pk__in=[])
    for day, scope_ids in ids_by_day.items():
        condition |= Q(day=day, scope_id__in=scope_ids)
    result: dict[int, dict[str, Rate]] = defaultdict(dict)
    for row in (
        ActivationSnapshot.objects.filter(condition, scope=scope)
        .order_by()
        .values("scope_id", "group", "numerator", "denominator", "target")
    ):
        result[row["scope_id"]][row["group"]] = Rate(row["numerator"], row["denominator"], row["target"])
    return dict(result)


def school_metrics_compute(*, schools: Sequence[School], today: Callable[[School], date]) -> dict[int, SchoolMetrics]:
    """Return {school id: SchoolMetrics}: each school's activation on its own today and its last complete week.

    The same selectors `metrics_compute` uses (activation_compute, weekly_activity_compute), called once per
    distinct day among the schools (schools in one time zone share it), plus one query for the snapshots of
    seven days earlier. `today` gives a school's date (its time zone); schools come with their municipality.
    """
    days = {school.pk: today(school) for school in schools}
    by_day: dict[date, list[School]] = defaultdict(list)
    for school in schools:
        by_day[days[school.pk]].append(school)
    activation: dict[int, SchoolActivation] = {}
    weeks: dict[int, SchoolWeek] = {}
    by_week: dict[date, list[School]] = defaultdict(list)
    for day, day_schools in by_day.items():
        activation.update(activation_compute(schools=day_schools, day=day))
        by_week[last_complete_week(day)].extend(day_schools)
    for monday, week_schools in by_week.items():
        weeks.update(weekly_activity_compute(schools=week_schools, week_start=monday))
    before = activation_snapshots_of_days(
        scope="school", days_by_id={school_id: day - timedelta(days=7) for school_id, day in days.items()}
    )
    return {
        school.pk: SchoolMetrics(
            school=school,
            day=days[school.pk],
            activation=activation[school.pk],
            week=weeks[school.pk],
            week_ago=before.get(school.pk, {}),
        )
        for school in schools
    }


@dataclass
class ClassRow:
    """A row of the dashboard's classes table: the class's activation and chats, its class teacher's week."""

    activation: ClassActivation
    teacher_status: TeacherStatus | None

    def __getattr__(self, name: str):
        # The row reads like its ClassActivation (name, students, parents, has_students_chat, …).
        if name == "activation":
            raise AttributeError(name)
        return getattr(self.activation, name)

    @property
    def chats_present(self) -> int:
        return int(self.activation.has_students_chat) + int(self.activation.has_parents_chat)


CLASS_ROW_SORTS: dict[str, Callable[[ClassRow], tuple]] = {
    "class": lambda row: (row.grade, row.letter),
    "class_teacher": lambda row: (row.class_teacher_name is None, row.class_teacher_name or ""),
    "students": lambda row: row.students.sort_key,
    "parents": lambda row: row.parents.sort_key,
    "chats": lambda row: (row.chats_present, row.class_teacher_is_admin),
    "teacher_active": lambda row: (TEACHER_STATUS_ORDER[row.teacher_status],),
}


def class_rows(
    *, metrics: SchoolMetrics, class_ids: Collection[int] | None = None, below_target: str = ""
) -> list[ClassRow]:
    """Return the school's classes as table rows, optionally only the given ids and those below target.

    `below_target`: "students", "parents", "any" (either fails) or "" (no condition).
    """
    rows = []
    for school_class in metrics.activation.classes:
        if class_ids is not None and school_class.class_id not in class_ids:
            continue
        failing = {
            "students": school_class.students.passes is False,
            "parents": school_class.parents.passes is False,
        }
        if below_target == "any" and not any(failing.values()):
            continue
        if below_target in failing and not failing[below_target]:
            continue
        rows.append(ClassRow(school_class, metrics.teacher_status(school_class.class_teacher_id)))
    return rows


def class_rows_sort(rows: list[ClassRow], sort: str) -> list[ClassRow]:
    """Return the rows sorted by a whitelisted column («students», or «-students» for descending)."""
    key = sort.removeprefix("-")
    if key not in CLASS_ROW_SORTS:
        return rows
    ordered = sorted(rows, key=lambda row: (row.grade, row.letter))
    return sorted(ordered, key=CLASS_ROW_SORTS[key], reverse=sort.startswith("-"))


def week_mondays(*, last_week: date, weeks: int) -> list[date]:
    """Return the Mondays of `weeks` ISO weeks ending with the one of `last_week`, oldest first."""
    last = iso_week_start(last_week)
    return [last - timedelta(days=7 * offset) for offset in range(weeks - 1, -1, -1)]


def weekly_activity_recent(
    *, school_ids: Collection[int], last_week: date, weeks: int = 8
) -> dict[int, list[WeeklyActivity | None]]:
    """Return {staff id: [stored week or None, …]} over the `weeks` weeks ending with `last_week`, in one query."""
    mondays = week_mondays(last_week=last_week, weeks=weeks)
    position = {monday: index for index, monday in enumerate(mondays)}
    result: dict[int, list[WeeklyActivity | None]] = defaultdict(lambda: [None] * len(mondays))
    for row in WeeklyActivity.objects.filter(
        school_id__in=list(school_ids), week_start__gte=mondays[0], week_start__lte=mondays[-1]
    ).only(
        "staff_id",
        "week_start",
        "messages",
        "threshold",
        "status",
        "suspicious",
        "emoji_only_messages",
        "duplicate_messages",
        "burst_messages",
    ):
        result[row.staff_id][position[row.week_start]] = row
    return dict(result)


def weekly_activity_trend(*, school_ids: Collection[int], last_week: date, weeks: int = 8) -> dict[int, list[Rate]]:
    """Return {school id: [active teachers over evaluated teachers per stored week]}, oldest first, in one query.

    A week without stored rows gives Rate(0, 0) ("no data").
    """
    mondays = week_mondays(last_week=last_week, weeks=weeks)
    position = {monday: index for index, monday in enumerate(mondays)}
    result: dict[int, list[Rate]] = {school_id: [Rate(0, 0)] * len(mondays) for school_id in school_ids}
    rows = (
        WeeklyActivity.objects.filter(
            school_id__in=list(school_ids), week_start__gte=mondays[0], week_start__lte=mondays[-1]
        )
        .order_by()
        .values("school_id", "week_start")
        .annotate(
            active=Count("pk", filter=Q(status=WeeklyActivity.Status.ACTIVE)),
            evaluated=Count("pk", filter=~Q(status=WeeklyActivity.Status.EXCUSED)),
        )
    )
    for row in rows:
        result[row["school_id"]][position[row["week_start"]]] = Rate(row["active"], row["evaluated"])
    return result


def activation_history(
    *, scope: str, scope_ids: Collection[int], first_day: date, last_day: date
) -> dict[int, dict[str, dict[date, Rate]]]:
    """Return {scope id: {group: {day: Rate}}} of the stored snapshots between the days, in one query."""
    result: dict[int, dict[str, dict[date, Rate]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        ActivationSnapshot.objects.filter(
            scope=scope, scope_id__in=list(scope_ids), day__gte=first_day, day__lte=last_day
        )
        .order_by("day")
        .values("scope_id", "group", "day", "numerator", "denominator", "target")
    ):
        result[row["scope_id"]][row["group"]][row["day"]] = Rate(row["numerator"], row["denominator"], row["target"])
    return result


def sync_runs_last(*, school_ids: Collection[int]) -> dict[int, SyncRun]:
    """Return {school id: the school's latest sync run}, in one query."""
    latest = SyncRun.objects.filter(school_id=OuterRef("school_id")).order_by("-started_at", "-pk").values("pk")[:1]
    runs = SyncRun.objects.filter(school_id__in=list(school_ids), pk=Subquery(latest))
    return {run.school_id: run for run in runs}


def sync_runs_held(*, school: School) -> QuerySet[SyncRun]:
    """Return the school's held sync runs nobody has confirmed yet, newest first."""
    return SyncRun.objects.filter(school=school, status=SyncRun.Status.HELD, confirmed_at__isnull=True).order_by(
        "-started_at", "-pk"
    )


def class_teachers_of_class(*, school_class: SchoolClass) -> QuerySet[TeachingAssignment]:
    """Return the class's teaching assignments with their teachers, by subject."""
    return (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("staff")
        .order_by("subject", "staff__last_name", "staff__first_name", "pk")
    )


def chats_of_class(*, school_class: SchoolClass) -> QuerySet[Chat]:
    """Return the class's chats with their current member counts, by kind and title."""
    members = (
        ChatMembership.objects.filter(chat_id=OuterRef("pk"), left_at__isnull=True)
        .order_by()
        .values("chat_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Chat.objects.filter(school_class=school_class)
        .annotate(members=Coalesce(Subquery(members), 0))
        .order_by("kind", "title", "pk")
    )


@dataclass
class TeacherWeekRow:
    """A teacher in the weekly activity table: stored weeks of a range, oldest first (None: nothing stored)."""

    staff: Staff
    weeks: list[WeeklyActivity | None]

    @property
    def counts(self) -> list[int | None]:
        return [week.messages if week is not None else None for week in self.weeks]


def weekly_activity_table(*, school: School, mondays: Sequence[date]) -> list[TeacherWeekRow]:
    """Return the school's teachers with a stored row in any of the weeks, by name, each with every week.

    Two queries whatever the number of teachers and weeks: the rows, and their teachers.
    """
    if not mondays:
        return []
    position = {monday: index for index, monday in enumerate(mondays)}
    by_staff: dict[int, list[WeeklyActivity | None]] = defaultdict(lambda: [None] * len(mondays))
    for row in WeeklyActivity.objects.filter(school=school, week_start__in=list(mondays)).order_by():
        by_staff[row.staff_id][position[row.week_start]] = row
    staff = Staff.objects.filter(pk__in=list(by_staff)).order_by("last_name", "first_name", "patronymic", "person_id")
    return [TeacherWeekRow(staff=person, weeks=by_staff[person.pk]) for person in staff]
