"""The school's roster: municipalities, schools, academic years, classes, people, logins.

One module per topic; every model is imported here, so `from classes.models import X` finds it.
"""

from .audit import AuditEntry
from .calendar import AcademicYear, Holiday, Quarter, academic_year_current_filter
from .people import (
    CLASS_LETTERS,
    Enrollment,
    Parent,
    Person,
    SchoolClass,
    Staff,
    StaffAbsence,
    Student,
    TeachingAssignment,
    enrollment_current_filter,
    parent_on_roster_filter,
    staff_employed_filter,
    staff_employed_on_any_filter,
)
from .roster import RosterChange, RosterImport, RosterMapping, RosterUpload
from .school import (
    DEFAULT_TIMEZONE,
    THRESHOLD_FIELDS,
    InheritedThresholds,
    Municipality,
    School,
    Thresholds,
    target_validators,
    validate_timezone,
)
from .users import User

__all__ = [
    "CLASS_LETTERS",
    "DEFAULT_TIMEZONE",
    "THRESHOLD_FIELDS",
    "AcademicYear",
    "AuditEntry",
    "Enrollment",
    "Holiday",
    "InheritedThresholds",
    "Municipality",
    "Parent",
    "Person",
    "Quarter",
    "RosterChange",
    "RosterImport",
    "RosterMapping",
    "RosterUpload",
    "School",
    "SchoolClass",
    "Staff",
    "StaffAbsence",
    "Student",
    "TeachingAssignment",
    "Thresholds",
    "User",
    "academic_year_current_filter",
    "enrollment_current_filter",
    "parent_on_roster_filter",
    "staff_employed_filter",
    "staff_employed_on_any_filter",
    "target_validators",
    "validate_timezone",
]
