"""Weekly teacher activity (DESIGN.md, "Definitions": week, counted message, active teacher)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from fractions import Fraction

from django.db import connection
from django.db.models import BooleanField
from django.db.models import Case
from django.db.models import Count
from django.db.models import Exists
from django.db.models import F
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Value
from django.db.models import When
from django.db.models import Window
from django.db.models.functions import Lag
from django.db.models.functions import Lead
from django.utils.translation import gettext as _

from activation.models import SferumAccount
from chats.horizon import history_horizons
from chats.message_marks import BURST_SIZE
from chats.message_marks import BURST_SPAN
from chats.models import Message
from chats.models import ReportedActivity
from classes.calendar import school_days
from classes.calendar import week_bounds
from classes.calendar import week_days
from classes.calendar import week_label
from classes.calendar import week_start as iso_week_start
from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.models import staff_employed_on_any_filter
from reports.models import WeeklyActivity
from reports.rates import Rate
from reports.week_status import threshold_note
from reports.week_status import week_not_evaluated_reason

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
    def threshold_note(self) -> str:
        """Return why the week's threshold is lower than the school's, like «threshold 2 instead of 3: …», or ""."""
        return threshold_note(
            threshold=self.threshold, full=self.school.effective_activity_threshold, school_days=len(self.school_days)
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


def teacher_status(
    *,
    staff: Staff,
    school_days: Sequence[date],
    evaluated: bool,
    absent: Collection[date],
    messages: int,
    threshold: int,
) -> TeacherStatus:
    """Return the teacher's status of the week (DESIGN.md, "Active teacher").

    Not evaluated when the week is not; excused when absent on every school day they are employed; otherwise
    active from `threshold` counted messages on. The one rule for the school's weeks and a teacher's own.
    """
    if not evaluated:
        return TeacherStatus.NOT_EVALUATED
    if all(day in absent for day in school_days if staff.is_employed_on(day)):
        return TeacherStatus.EXCUSED
    if messages >= threshold:
        return TeacherStatus.ACTIVE
    return TeacherStatus.INACTIVE


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
    """Annotate each message with `in_burst`: it is one of BURST_SIZE or more of its author's within BURST_SPAN.

    In the time order of the author account's messages in the school's chats (of the week: `messages` are
    one week's), a message is in a burst when one of the runs of BURST_SIZE consecutive messages that contain
    it (starting 0, 1, … BURST_SIZE − 1 messages before it) spans at most BURST_SPAN. The same definition as
    the marks stored with the messages (chats.message_marks), computed live.
    """
    window = {"partition_by": [F("author_id"), F("chat__school_id")], "order_by": [F("sent_at").asc(), F("pk").asc()]}
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
    """Annotate each message with `in_burst` and `near_duplicate` (another of its author's has its text hash)."""
    return _with_burst_mark(messages).annotate(
        copies=Window(Count("pk"), partition_by=[F("author_id"), F("chat__school_id"), F("text_hash")]),
        near_duplicate=Case(
            When(Q(copies__gte=2) & ~Q(text_hash=""), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _message_counts(*, school_ids: Collection[int], start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Return {staff id: counts} of the week in one aggregate query.

    The innermost query is the ORM one that marks each counted message as in a burst or not (the
    mark the teacher's message list shows). Around it, one pass groups by author, school and text hash
    (a group of two or more with a hash is near-duplicates, every copy counted) and one sums per
    teacher. Django cannot group over window expressions, hence the thin SQL wrapper.
    """
    names = ("author__staff_id", "author_id", "chat__school_id", "text_hash", "emoji_only", "in_burst")
    marked = _with_burst_mark(counted_messages(school_ids=school_ids, start=start, end=end)).order_by().values(*names)
    inner_sql, params = marked.query.sql_with_params()
    staff, author, school, text_hash, emoji, burst = (connection.ops.quote_name(name) for name in names)
    sql = (
        "SELECT same.staff_id, SUM(same.n), SUM(same.emoji), "  # noqa: S608 - quoted aliases; values are parameters
        "SUM(CASE WHEN same.text_hash <> '' AND same.n > 1 THEN same.n ELSE 0 END), SUM(same.burst) "
        f"FROM (SELECT marked.{staff} AS staff_id, marked.{text_hash} AS text_hash, COUNT(*) AS n, "
        f"SUM(CASE WHEN marked.{emoji} THEN 1 ELSE 0 END) AS emoji, "
        f"SUM(CASE WHEN marked.{burst} THEN 1 ELSE 0 END) AS burst "
        f"FROM ({inner_sql}) marked "
        f"GROUP BY marked.{staff}, marked.{author}, marked.{school}, marked.{text_hash}) same "
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
    *, schools: Sequence[School], week_start: date, holidays: dict[int, list[tuple[date, date]]] | None = None
) -> dict[int, SchoolWeek]:
    """Return {school id: SchoolWeek} of the ISO week that starts on `week_start`, computed live.

    Set-based: one query each for holidays (none when the caller gives every school's: {school id: [(first,
    last)]}), teachers (with their absences and reported counts), history horizons, and one aggregate query of
    messages per time zone among the schools, whatever their numbers of classes and teachers. Schools come with
    their municipality (for the inherited threshold).
    """
    monday = iso_week_start(week_start)
    school_ids = [school.pk for school in schools]
    if not school_ids:
        return {}
    if holidays is None:
        holidays = _holidays_of_week(school_ids=school_ids, monday=monday)
    days_by_school = {school.pk: school_days(monday, holidays.get(school.pk, [])) for school in schools}
    days = week_days(monday)
    absences = {
        f"absent_{index}": Exists(
            StaffAbsence.objects.filter(staff_id=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day)
        )
        for index, day in enumerate(days)
    }
    reported_count = ReportedActivity.objects.filter(staff_id=OuterRef("pk"), week_start=monday).values("messages")
    teachers = list(
        teachers_of_week(days_by_school=days_by_school, monday=monday).annotate(
            reported=Subquery(reported_count[:1]), **absences
        )
    )
    absent = {
        staff.pk: {day for index, day in enumerate(days) if getattr(staff, f"absent_{index}")} for staff in teachers
    }
    counts: dict[int, dict[str, int]] = {}
    by_zone: dict[str, list[int]] = defaultdict(list)
    for school in schools:
        by_zone[school.timezone].append(school.pk)
    for zone, zone_school_ids in by_zone.items():
        start, end = week_bounds(monday, zone)
        counts.update(_message_counts(school_ids=zone_school_ids, start=start, end=end))

    horizons = history_horizons(school_ids=school_ids)
    weeks = {
        school.pk: SchoolWeek(
            school=school,
            week_start=monday,
            threshold=school.activity_threshold_for(len(days_by_school[school.pk])),
            school_days=days_by_school[school.pk],
            teachers=[],
            history_from=horizons.get(school.pk),
        )
        for school in schools
    }
    for staff in teachers:
        week = weeks[staff.school_id]
        found = counts.get(staff.pk, {})
        # A weekly report (files backend) replaces message counting for the teachers and weeks it covers.
        messages = staff.reported if staff.reported is not None else found.get("messages", 0)
        status = teacher_status(
            staff=staff,
            school_days=week.school_days,
            evaluated=week.evaluated,
            absent=absent[staff.pk],
            messages=messages,
            threshold=week.threshold,
        )
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


def _holidays_of_week(*, school_ids: list[int], monday: date) -> dict[int, list[tuple[date, date]]]:
    """Return {school id: [(first, last)]} of the holidays that touch the week's Monday to Friday (one query)."""
    holidays: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for school_id, first, last in (
        Holiday.objects.filter(
            year__school_id__in=school_ids, starts_on__lte=monday + timedelta(days=4), ends_on__gte=monday
        )
        .order_by()
        .values_list("year__school_id", "starts_on", "ends_on")
    ):
        holidays[school_id].append((first, last))
    return holidays


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
