"""Read-side queries of the classes app's pages."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Holiday
from classes.models import Quarter
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.models import TeachingAssignment
from classes.models import staff_employed_filter
from classes.queries import aggregate_per_row


def classes_of_year(*, year: AcademicYear, day: date) -> QuerySet[SchoolClass]:
    """Return the year's classes with their class teacher, students enrolled on the day and assignments count."""
    enrolled = aggregate_per_row(
        Enrollment.objects.current_on(day), "school_class_id", Count("student_id", distinct=True)
    )
    assignments = aggregate_per_row(TeachingAssignment.objects.all(), "school_class_id", Count("pk"))
    return (
        SchoolClass.objects.filter(year=year)
        .select_related("class_teacher")
        .annotate(students=Coalesce(enrolled, 0), assignment_count=Coalesce(assignments, 0))
        .order_by("grade", "letter")
    )


def staff_for_class_teacher_choice(*, school_class: SchoolClass, day: date) -> QuerySet[Staff]:
    """Return the staff a class's form offers: those of its school employed on the day, and its current class
    teacher whatever their employment dates, by name."""
    return (
        Staff.objects.filter(school_id=school_class.school_id)
        .filter(staff_employed_filter(day) | Q(pk=school_class.class_teacher_id))
        .order_by("last_name", "first_name", "patronymic", "person_id")
    )


def school_calendar(*, school: School) -> dict[str, list]:
    """Return the school's calendar: `quarters` and `holidays` of its academic years, newest year first, and
    staff `absences`, latest first (three queries whatever their numbers)."""
    return {
        "quarters": list(
            Quarter.objects.filter(year__school=school).select_related("year").order_by("-year__starts_on", "number")
        ),
        "holidays": list(
            Holiday.objects.filter(year__school=school).select_related("year").order_by("-year__starts_on", "starts_on")
        ),
        "absences": list(
            StaffAbsence.objects.filter(staff__school=school)
            .select_related("staff")
            .order_by("-starts_on", "staff__last_name")
        ),
    }
