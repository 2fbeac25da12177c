"""Reads of the activation layer: a class's students and parents and how far each is from activated.

A student is activated when a Sferum account with the role student and the status active is linked to
them; a student's parents count when at least one parent (not left the roster) has an account with the
role parent and the status active (DESIGN.md, "Definitions"). Everyone else gets the status that says
what is missing and a short sentence saying what to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from enum import StrEnum

from django.db.models import BooleanField
from django.db.models import Case
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from classes.access import classes_for_user
from classes.models import Enrollment
from classes.models import Parent
from classes.models import SchoolClass
from classes.models import TeachingAssignment
from classes.models import User
from classes.models import parent_on_roster_filter

from .invites import CLASS_AUDIENCES
from .models import InviteLink
from .models import SferumAccount

Audience = InviteLink.Audience
AccountStatus = SferumAccount.Status


class ActivationStatus(StrEnum):
    """How far a person (or a student's parents) is from an activated profile, most advanced first."""

    ACTIVE = "active"
    PENDING = "pending"
    BLOCKED = "blocked"
    INVITED = "invited"
    NOT_INVITED = "not_invited"
    NO_PARENT = "no_parent"

    @property
    def label(self) -> Promise:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ActivationStatus.ACTIVE: _("activated"),
    ActivationStatus.PENDING: _("pending: role not confirmed"),
    ActivationStatus.BLOCKED: _("blocked"),
    ActivationStatus.INVITED: _("invited"),
    ActivationStatus.NOT_INVITED: _("not invited"),
    ActivationStatus.NO_PARENT: _("no parent on the roster"),
}

# What to do, per audience and status: one short sentence for the teacher.
ADVICE = {
    Audience.STUDENTS: {
        ActivationStatus.PENDING: _("Ask the student to finish registration in the «Ученик» role."),
        ActivationStatus.BLOCKED: _("The Sferum account is blocked; contact the school administrator."),
        ActivationStatus.INVITED: _("Remind the student to open the invite link and register in the «Ученик» role."),
        ActivationStatus.NOT_INVITED: _("Give the student the class invite link or the QR sheet."),
    },
    Audience.PARENTS: {
        ActivationStatus.PENDING: _("Ask the parent to finish registration in the «Родитель» role."),
        ActivationStatus.BLOCKED: _("The parent's Sferum account is blocked; contact the school administrator."),
        ActivationStatus.INVITED: _("Remind the parents to open the invite link and register in the «Родитель» role."),
        ActivationStatus.NOT_INVITED: _("Give the parents the parents' invite link or the QR sheet at the meeting."),
        ActivationStatus.NO_PARENT: _("No parent is on the roster; ask the school administrator to add one."),
    },
}

_RANK = {status: rank for rank, status in enumerate(ActivationStatus)}


def person_status(*, accounts: Iterable[tuple[str, str]], role: str, invited: bool) -> ActivationStatus:
    """Return a person's status from their linked accounts' (role, status) pairs.

    Active with the right role wins; an account active in another role or not yet confirmed is
    pending; then blocked, then invited (by the account's status, or by a current invite link of
    the class for the audience); else not invited.
    """
    found = ActivationStatus.INVITED if invited else ActivationStatus.NOT_INVITED
    for role_code, status in accounts:
        if status == AccountStatus.ACTIVE and role_code == role:
            return ActivationStatus.ACTIVE
        if status in (AccountStatus.ACTIVE, AccountStatus.PENDING):
            candidate = ActivationStatus.PENDING
        elif status == AccountStatus.BLOCKED:
            candidate = ActivationStatus.BLOCKED
        elif status == AccountStatus.INVITED:
            candidate = ActivationStatus.INVITED
        else:
            continue
        if _RANK[candidate] < _RANK[found]:
            found = candidate
    return found


@dataclass
class ParentRow:
    parent_id: int
    name: str
    status: ActivationStatus

    @property
    def advice(self) -> Promise | str:
        return ADVICE[Audience.PARENTS].get(self.status, "")


@dataclass
class StudentRow:
    """One student of the class: their own status and their parents'."""

    student_id: int
    name: str
    status: ActivationStatus
    parents: list[ParentRow] = field(default_factory=list)
    parents_status: ActivationStatus = ActivationStatus.NO_PARENT

    @property
    def advice(self) -> Promise | str:
        return ADVICE[Audience.STUDENTS].get(self.status, "")

    @property
    def parents_advice(self) -> Promise | str:
        return ADVICE[Audience.PARENTS].get(self.parents_status, "")


@dataclass
class ClassRoster:
    """A class on a day: every enrolled student with their status and their parents' status."""

    school_class: SchoolClass
    day: date
    students: list[StudentRow]

    @property
    def enrolled(self) -> int:
        return len(self.students)

    @property
    def students_activated(self) -> int:
        return sum(row.status == ActivationStatus.ACTIVE for row in self.students)

    @property
    def parents_activated(self) -> int:
        return sum(row.parents_status == ActivationStatus.ACTIVE for row in self.students)

    @property
    def students_not_activated(self) -> list[StudentRow]:
        return [row for row in self.students if row.status != ActivationStatus.ACTIVE]

    @property
    def parents_not_activated(self) -> list[StudentRow]:
        return [row for row in self.students if row.parents_status != ActivationStatus.ACTIVE]


def class_roster(*, school_class: SchoolClass, day: date, now: datetime) -> ClassRoster:
    """Return the class's students enrolled on the day with their and their parents' statuses.

    Five queries whatever the size of the class: students, their accounts, their parents (not left
    the roster on the day), the parents' accounts, and the audiences with a current invite link.
    """
    enrollments = Enrollment.objects.current_on(day).filter(school_class=school_class)
    student_ids = enrollments.values("student_id")
    students = list(
        enrollments.order_by(
            "student__last_name", "student__first_name", "student__patronymic", "student__person_id"
        ).values_list("student_id", "student__last_name", "student__first_name", "student__patronymic")
    )
    student_accounts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for student_id, role_code, status in (
        SferumAccount.objects.filter(student_id__in=student_ids)
        .order_by()
        .values_list("student_id", "role_code", "status")
    ):
        student_accounts[student_id].append((role_code, status))
    links = Parent.children.through.objects.filter(student_id__in=student_ids).filter(
        parent_on_roster_filter(day, prefix="parent__")
    )
    parents_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for student_id, parent_id, *names in links.order_by(
        "parent__last_name", "parent__first_name", "parent__patronymic", "parent_id"
    ).values_list("student_id", "parent_id", "parent__last_name", "parent__first_name", "parent__patronymic"):
        parents_of[student_id].append((parent_id, " ".join(part for part in names if part)))
    parent_accounts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for parent_id, role_code, status in (
        SferumAccount.objects.filter(parent_id__in=links.values("parent_id"))
        .order_by()
        .values_list("parent_id", "role_code", "status")
    ):
        parent_accounts[parent_id].append((role_code, status))
    invited = set(
        InviteLink.objects.current(now)
        .filter(school_class=school_class)
        .order_by()
        .values_list("audience", flat=True)
        .distinct()
    )

    rows = []
    for student_id, *names in students:
        parents = [
            ParentRow(
                parent_id=parent_id,
                name=name,
                status=person_status(
                    accounts=parent_accounts[parent_id],
                    role=SferumAccount.RoleCode.PARENT,
                    invited=Audience.PARENTS in invited,
                ),
            )
            for parent_id, name in parents_of[student_id]
        ]
        parents_status = min((parent.status for parent in parents), key=_RANK.__getitem__, default=None)
        rows.append(
            StudentRow(
                student_id=student_id,
                name=" ".join(part for part in names if part),
                status=person_status(
                    accounts=student_accounts[student_id],
                    role=SferumAccount.RoleCode.STUDENT,
                    invited=Audience.STUDENTS in invited,
                ),
                parents=parents,
                parents_status=parents_status or ActivationStatus.NO_PARENT,
            )
        )
    return ClassRoster(school_class=school_class, day=day, students=rows)


def teacher_classes(*, user: User, day: date) -> QuerySet[SchoolClass]:
    """Return the teacher's classes of the academic year containing the day: the classes they lead first.

    Each class carries `led` (the teacher is its class teacher) and `my_assignments` (the teacher's
    subjects in it), with its school and municipality (for the targets).
    """
    return (
        classes_for_user(user=user)
        .current_on(day)
        .select_related("school__municipality__region")
        .annotate(
            led=Case(
                When(class_teacher_id=user.staff_id, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TeachingAssignment.objects.filter(staff_id=user.staff_id).order_by("subject"),
                to_attr="my_assignments",
            )
        )
        .order_by("-led", "grade", "letter")
    )


def invite_links_current(*, school_class: SchoolClass, now: datetime) -> dict[str, InviteLink]:
    """Return {audience: the current link} of the class's students and parents (the newest if several)."""
    found: dict[str, InviteLink] = {}
    for link in (
        InviteLink.objects.current(now)
        .filter(school_class=school_class, audience__in=CLASS_AUDIENCES)
        .order_by("audience", "-created_at", "-pk")
    ):
        found.setdefault(link.audience, link)
    return found
