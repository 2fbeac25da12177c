"""What a login may see: its schools and a teacher's classes, for the home page."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from django.db.models import Count
from django.db.models import QuerySet

from classes import clock
from classes.access import classes_for_user
from classes.access import schools_for_user
from classes.models import School
from classes.models import SchoolClass
from classes.models import User
from classes.models import enrollment_current_filter


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
