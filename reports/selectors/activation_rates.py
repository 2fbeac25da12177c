"""Activation rates and chat coverage (DESIGN.md, "Definitions": activated profile, rates)."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.db.models import Exists
from django.db.models import OuterRef
from django.db.models import QuerySet

from activation.models import SferumAccount
from activation.staff_status import staff_activated
from chats.models import Chat
from chats.models import ChatMembership
from classes.models import Enrollment
from classes.models import Municipality
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import academic_year_current_filter
from classes.models import parent_on_roster_filter
from reports.rates import Rate


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

    def below_target(self, group: str) -> bool:
        """Return True when the class's students' or parents' rate fails its target (not when it has no data)."""
        return getattr(self, group).passes is False


@dataclass(frozen=True)
class ClassesBelowTarget:
    """How many classes fail their target: for students, for parents, and either (a class failing both counts once).

    A class without students has no data and fails nothing. The targets are the school's settings.
    """

    any: int = 0
    students: int = 0
    parents: int = 0

    def __add__(self, other: ClassesBelowTarget) -> ClassesBelowTarget:
        return ClassesBelowTarget(
            any=self.any + other.any, students=self.students + other.students, parents=self.parents + other.parents
        )


def classes_below_target(classes: Sequence[ClassActivation]) -> ClassesBelowTarget:
    """Return how many of the classes are below target for students, for parents, and for either."""
    students = {c.class_id for c in classes if c.below_target("students")}
    parents = {c.class_id for c in classes if c.below_target("parents")}
    return ClassesBelowTarget(any=len(students | parents), students=len(students), parents=len(parents))


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
    def below_target(self) -> ClassesBelowTarget:
        return classes_below_target(self.classes)

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
        return self._sum("staff", self.municipality.effective_staff_target)

    @property
    def students(self) -> Rate:
        return self._sum("students", self.municipality.effective_students_target)

    @property
    def parents(self) -> Rate:
        return self._sum("parents", self.municipality.effective_parents_target)


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
        SchoolClass.objects.current_on(day)
        .filter(school_id__in=list(school_ids))
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
            academic_year_current_filter(day, prefix="school_class__year__"),
            school_class__school_id__in=list(school_ids),
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
    activated = staff_activated()
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
