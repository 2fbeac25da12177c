"""Read-side queries of the reports layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from classes.models import School, SchoolClass, User


@dataclass
class UserScope:
    """What a login may see: schools and classes."""

    role: str
    role_label: str
    schools: list[School] = field(default_factory=list)
    classes: list[SchoolClass] = field(default_factory=list)


def schools_for_user(*, user: User) -> QuerySet[School]:
    """Return the schools a login may see (a municipality's, one school's, a teacher's own)."""
    schools = School.objects.select_related("municipality")
    if user.is_superuser:
        return schools.all()
    if user.role == User.Role.MUNICIPAL_ADMIN:
        return schools.filter(municipality_id=user.municipality_id)
    if user.role in (User.Role.SCHOOL_ADMIN, User.Role.TEACHER):
        return schools.filter(pk=user.school_id)
    return schools.none()


def classes_for_teacher(*, user: User) -> QuerySet[SchoolClass]:
    """Return the classes a teacher leads or teaches, with their student counts."""
    if user.role != User.Role.TEACHER or not user.staff_id:
        return SchoolClass.objects.none()
    return (
        SchoolClass.objects.filter(Q(class_teacher_id=user.staff_id) | Q(assignments__staff_id=user.staff_id))
        .distinct()
        .select_related("year")
        .annotate(students=Count("enrollments", filter=Q(enrollments__ends_on__isnull=True), distinct=True))
        .order_by("grade", "letter")
    )


def scope_for_user(*, user: User) -> UserScope:
    """Return what the login may see, for the home page."""
    role_label = user.get_role_display() if user.role else ("superuser" if user.is_superuser else "")
    return UserScope(
        role=user.role,
        role_label=role_label,
        schools=list(schools_for_user(user=user)),
        classes=list(classes_for_teacher(user=user)),
    )
