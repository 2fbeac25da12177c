"""The school administrator's dashboard (and the nightly school summaries the overviews read): today's figures and
the last week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from fractions import Fraction
from functools import cached_property

from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery

from chats.mapping import chat_members_count
from chats.models import Chat
from chats.models import SyncRun
from classes.calendar import last_complete_week
from classes.models import School
from classes.models import SchoolClass
from classes.models import TeachingAssignment
from classes.rates import sorted_missing_last
from reports.rates import Rate

from .activation_rates import ClassActivation
from .activation_rates import SchoolActivation
from .activation_rates import activation_compute
from .history import activation_snapshots_of_days
from .weekly_activity import SchoolWeek
from .weekly_activity import TeacherStatus
from .weekly_activity import weekly_activity_compute

ACTIVATION_GROUPS = ("staff", "students", "parents")
# How a class teacher's last week sorts in the classes table: the ones to look at first.
TEACHER_STATUS_ORDER = {
    TeacherStatus.INACTIVE: 0,
    TeacherStatus.ACTIVE: 1,
    TeacherStatus.EXCUSED: 2,
    TeacherStatus.NOT_EVALUATED: 3,
    None: 4,
}


class PartOf:
    """A read-only attribute of the same name on one of the object's parts: `staff = PartOf("activation")` reads
    `obj.activation.staff`."""

    def __init__(self, part: str) -> None:
        self.part = part

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(getattr(obj, self.part), self.name)


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

    # Today's rates, the last complete week's active teachers, and how many classes are below target today (the
    # same count on the dashboard and the overview), read from the activation and the week.
    staff = PartOf("activation")
    students = PartOf("activation")
    parents = PartOf("activation")
    active_teachers = PartOf("week")
    below_target = PartOf("activation")

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


def school_metrics_compute(
    *,
    schools: Sequence[School],
    today: Callable[[School], date],
    week_ago: bool = True,
    holidays: dict[int, list[tuple[date, date]]] | None = None,
) -> dict[int, SchoolMetrics]:
    """Return {school id: SchoolMetrics}: each school's activation on its own today and its last complete week (the
    school dashboard live; reports.summaries stores them nightly for the overviews).

    The same selectors `metrics_compute` uses (activation_compute, weekly_activity_compute), called once per
    distinct day among the schools (schools in one time zone share it), plus one query for the snapshots of
    seven days earlier (left out with `week_ago=False`, for a caller that reads them with more history).
    `today` gives a school's date (its time zone); schools come with their municipality. `holidays` are every
    school's, when the caller has read them (weekly_activity_compute).
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
        weeks.update(weekly_activity_compute(schools=week_schools, week_start=monday, holidays=holidays))
    before = (
        activation_snapshots_of_days(
            scope="school", days_by_id={school_id: day - timedelta(days=7) for school_id, day in days.items()}
        )
        if week_ago
        else {}
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
    # Every key is (missing, value…): `sorted_missing_last` puts rows without a value last in either direction.
    "class": lambda row: (False, row.grade, row.letter),
    "class_teacher": lambda row: (row.class_teacher_name is None, row.class_teacher_name or ""),
    "students": lambda row: row.students.sort_key,
    "parents": lambda row: row.parents.sort_key,
    "chats": lambda row: (False, row.chats_present, row.class_teacher_is_admin),
    "teacher_active": lambda row: (False, TEACHER_STATUS_ORDER[row.teacher_status]),
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
        failing = {group: school_class.below_target(group) for group in ("students", "parents")}
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
    return sorted_missing_last(ordered, CLASS_ROW_SORTS[key], descending=sort.startswith("-"))


def sync_runs_last(*, school_ids: Collection[int]) -> dict[int, SyncRun]:
    """Return {school id: the school's latest sync run}, in one query."""
    latest = SyncRun.objects.filter(school_id=OuterRef("school_id")).order_by("-started_at", "-pk").values("pk")[:1]
    runs = SyncRun.objects.filter(school_id__in=list(school_ids), pk=Subquery(latest))
    return {run.school_id: run for run in runs}


def sync_runs_last_and_held(*, school: School) -> tuple[SyncRun | None, list[SyncRun]]:
    """Return the school's latest sync run and its held runs nobody has confirmed yet, newest first, in one query."""
    held = Q(status=SyncRun.Status.HELD, confirmed_at__isnull=True)
    latest = SyncRun.objects.filter(school=school).order_by("-started_at", "-pk").values("pk")[:1]
    runs = list(SyncRun.objects.filter(Q(pk=Subquery(latest)) | held, school=school).order_by("-started_at", "-pk"))
    return (runs[0] if runs else None), [
        run for run in runs if run.status == SyncRun.Status.HELD and not run.confirmed_at
    ]


def class_teachers_of_class(*, school_class: SchoolClass) -> QuerySet[TeachingAssignment]:
    """Return the class's teaching assignments with their teachers, by subject."""
    return (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("staff")
        .order_by("subject", "staff__last_name", "staff__first_name", "pk")
    )


def chats_of_class(*, school_class: SchoolClass) -> QuerySet[Chat]:
    """Return the class's chats with their current member counts, by kind and title."""
    return (
        Chat.objects.filter(school_class=school_class)
        .annotate(members=chat_members_count())
        .order_by("kind", "title", "pk")
    )
