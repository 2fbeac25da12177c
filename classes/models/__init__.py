"""The school's roster: municipalities, schools, academic years, classes, people, logins.

One module per topic; every model is imported here, so `from classes.models import X` finds it.
"""

from .api_tokens import ApiToken
from .audit import AuditEntry
from .calendar import AcademicYear
from .calendar import Holiday
from .calendar import Quarter
from .calendar import academic_year_current_filter
from .help import HelpRequest
from .people import CLASS_LETTERS
from .people import Enrollment
from .people import Parent
from .people import Person
from .people import SchoolClass
from .people import Staff
from .people import StaffAbsence
from .people import Student
from .people import TeachingAssignment
from .people import enrollment_current_filter
from .people import parent_on_roster_filter
from .people import staff_employed_filter
from .people import staff_employed_on_any_filter
from .roster import RosterChange
from .roster import RosterImport
from .roster import RosterMapping
from .roster import RosterUpload
from .school import DEFAULT_TIMEZONE
from .school import THRESHOLD_FIELDS
from .school import InheritedThresholds
from .school import Municipality
from .school import Region
from .school import School
from .school import Thresholds
from .school import target_validators
from .school import validate_timezone
from .users import User

__all__ = [
    "CLASS_LETTERS",
    "DEFAULT_TIMEZONE",
    "THRESHOLD_FIELDS",
    "AcademicYear",
    "ApiToken",
    "AuditEntry",
    "Enrollment",
    "HelpRequest",
    "Holiday",
    "InheritedThresholds",
    "Municipality",
    "Parent",
    "Person",
    "Quarter",
    "Region",
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
