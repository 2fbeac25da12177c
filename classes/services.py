"""Writes to the roster: schools and their academic years."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from classes import clock
from classes.audit_changes import by_whom
from classes.audit_changes import changes_text
from classes.audit_context import audit_scope
from classes.audit_context import current_address
from classes.models import AcademicYear
from classes.models import AuditEntry
from classes.models import Holiday
from classes.models import Municipality
from classes.models import Quarter
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import TeachingAssignment

SETTINGS_SCHOOL = "settings.school"
SETTINGS_CALENDAR = "settings.calendar"

DEFAULT_MUNICIPALITY_CODE = "default"
DEFAULT_MUNICIPALITY_NAME = "Муниципалитет"

# The usual Russian school calendar as (month, day); `True` marks a date in the year's second calendar year.
_QUARTERS = [
    (1, (9, 1), (10, 24), False),
    (2, (11, 5), (12, 28), False),
    (3, (1, 12), (3, 20), True),
    (4, (3, 30), (5, 26), True),
]
_HOLIDAYS = [
    ("осенние каникулы", (10, 25), False, (11, 3), False),
    ("зимние каникулы", (12, 29), False, (1, 11), True),
    ("весенние каникулы", (3, 21), True, (3, 29), True),
    ("летние каникулы", (5, 27), True, (8, 31), True),
]


def _municipality_get_or_create(*, municipality: str | None) -> Municipality:
    if municipality is None or not municipality.strip():
        found, _created = Municipality.objects.get_or_create(
            code=DEFAULT_MUNICIPALITY_CODE, defaults={"name": DEFAULT_MUNICIPALITY_NAME}
        )
        return found
    value = municipality.strip()
    found = Municipality.objects.filter(code=value).first()
    found = found or Municipality.objects.filter(name=value).order_by("pk").first()
    if found is not None:
        return found
    code_field = Municipality._meta.get_field("code")
    if len(value) <= code_field.max_length and not any(char.isspace() for char in value):
        code = value
    else:
        code = slugify(value, allow_unicode=True)[: code_field.max_length] or "municipality"
    base, suffix = code, 2
    while Municipality.objects.filter(code=code).exists():
        tail = f"-{suffix}"
        code = base[: code_field.max_length - len(tail)] + tail
        suffix += 1
    created = Municipality(code=code, name=value)
    created.full_clean()
    created.save()
    return created


def _short_name(name: str) -> str:
    return name[: School._meta.get_field("short_name").max_length].strip()


def school_create(
    *, code: str, name: str, municipality: str | None = None, timezone: str | None = None
) -> tuple[School, bool]:
    """Create the school with this code, or update its name, municipality and time zone; return (school, created).

    The municipality is found by code or name and created when missing (none given: the default
    municipality for a new school, the current one for an existing school). A new school gets the
    current academic year with the usual quarters and holidays.
    """
    code = code.strip()
    name = name.strip()
    with transaction.atomic():
        school = School.objects.select_for_update().filter(code=code).first()
        created = school is None
        if created:
            school = School(code=code, full_name=name, short_name=_short_name(name))
            school.municipality = _municipality_get_or_create(municipality=municipality)
            if timezone:
                school.timezone = timezone
            school.full_clean()
            school.save()
        else:
            changed: list[str] = []
            if school.full_name != name:
                # Keep a short name an administrator chose; follow the full name otherwise.
                if school.short_name == _short_name(school.full_name):
                    school.short_name = _short_name(name)
                    changed.append("short_name")
                school.full_name = name
                changed.append("full_name")
            if municipality is not None:
                found = _municipality_get_or_create(municipality=municipality)
                if found.pk != school.municipality_id:
                    school.municipality = found
                    changed.append("municipality")
            if timezone and school.timezone != timezone:
                school.timezone = timezone
                changed.append("timezone")
            if changed:
                school.full_clean()
                school.save(update_fields=changed)
        academic_year_current(school=school, on=clock.today(school.tz))
    return school, created


def academic_year_starting_year(on: date) -> int:
    """Return the calendar year in which the academic year containing `on` began (on 1 September)."""
    return on.year if on.month >= 9 else on.year - 1


def academic_year_create_default(*, school: School, on: date) -> AcademicYear:
    """Return the school's academic year containing `on`, creating it with the usual quarters and holidays.

    Idempotent: an existing year of that name is returned as it is (an administrator may have edited it).
    """
    first = academic_year_starting_year(on)
    second = first + 1
    name = f"{first}/{second}"
    with transaction.atomic():
        existing = AcademicYear.objects.filter(school=school, name=name).first()
        if existing is not None:
            return existing
        year = AcademicYear(school=school, name=name, starts_on=date(first, 9, 1), ends_on=date(second, 8, 31))
        year.full_clean()
        year.save()

        def day(month_day: tuple[int, int], in_second_year: bool) -> date:
            return date(second if in_second_year else first, *month_day)

        quarters = [
            Quarter(year=year, number=number, starts_on=day(start, late), ends_on=day(end, late))
            for number, start, end, late in _QUARTERS
        ]
        holidays = [
            Holiday(year=year, name=holiday_name, starts_on=day(start, start_late), ends_on=day(end, end_late))
            for holiday_name, start, start_late, end, end_late in _HOLIDAYS
        ]
        for item in (*quarters, *holidays):
            item.full_clean(exclude=["year"])
        Quarter.objects.bulk_create(quarters)
        Holiday.objects.bulk_create(holidays)
    return year


def academic_year_current(*, school: School, on: date) -> AcademicYear:
    """Return the school's academic year containing `on`; create the default one if there is none."""
    year = AcademicYear.objects.current_on(on).filter(school=school).order_by("-starts_on").first()
    if year is not None:
        return year
    return academic_year_create_default(school=school, on=on)


def audit_record(**fields) -> AuditEntry:
    """Write one audit entry (who, when, what, from where): audit_entry's fields, checked and saved."""
    entry = audit_entry(**fields)
    entry.full_clean()
    entry.save()
    return entry


def audit_entry(
    *,
    user,
    action: str,
    description: str,
    rows: int = 0,
    school: School | None = None,
    municipality=None,
    region=None,
    username: str = "",
    login=None,
) -> AuditEntry:
    """Return an unsaved audit entry (who, when, what, from where) in the narrowest scope given.

    The wider scopes follow from the narrower (a school's municipality and region); the address is the
    request's being served (classes.audit_context), none in background work. `username` names who acted
    when there is no login (a failed login's typed name); `login` is the login an access change concerns.
    """
    return AuditEntry(
        user=user if getattr(user, "pk", None) else None,
        username=(getattr(user, "username", "") or username)[:150],
        action=action,
        description=description[:500],
        rows=rows,
        login=login,
        address=current_address(),
        **audit_scope(school=school, municipality=municipality, region=region),
    )


# ---------------------------------------------------------------------------
# Class management and the school profile (the school administrator's pages)
# ---------------------------------------------------------------------------


CLASSES_CREATE = "classes.create"
CLASS_TEACHER = "classes.teacher"
CLASS_ASSIGNMENTS = "classes.assignments"


def classes_create(
    *, school: School, year: AcademicYear, grades: list[int], letters: str, user=None
) -> tuple[list[SchoolClass], list[str]]:
    """Create the classes grade × letter of the academic year that do not exist yet; return (created, existing names).

    Letters are given together, like «АБВ» (spaces and commas are ignored). All or nothing: one invalid class
    (a grade outside 1–11, a letter that is not a Cyrillic capital) creates none and raises ValidationError.
    """
    if year.school_id != school.pk:
        raise ValidationError({"year": _("The academic year belongs to another school.")})
    wanted_letters = [letter for letter in dict.fromkeys(letters.upper()) if not letter.isspace() and letter != ","]
    if not grades or not wanted_letters:
        raise ValidationError(_("Choose at least one grade and one letter."))
    existing = {
        (grade, letter)
        for grade, letter in SchoolClass.objects.filter(school=school, year=year).values_list("grade", "letter")
    }
    created: list[SchoolClass] = []
    skipped: list[str] = []
    with transaction.atomic():
        for grade in sorted(set(grades)):
            for letter in wanted_letters:
                if (grade, letter) in existing:
                    skipped.append(f"{grade}{letter}")
                    continue
                school_class = SchoolClass(school=school, year=year, grade=grade, letter=letter)
                school_class.full_clean()
                school_class.save()
                created.append(school_class)
        if created:
            names = ", ".join(school_class.name for school_class in created)
            description = f"Created {len(created)} classes of {year.name}: {names}."
            audit_record(user=user, action=CLASSES_CREATE, description=description, rows=len(created), school=school)
    return created, skipped


def class_teacher_assign(*, school_class: SchoolClass, staff: Staff | None, user=None) -> SchoolClass:
    """Make the staff member the class teacher of the class (None: the class has none); a change is audited."""
    before = school_class.class_teacher_id
    if before != (staff.pk if staff else None):
        with transaction.atomic():
            school_class.class_teacher = staff
            school_class.full_clean()
            school_class.save(update_fields=["class_teacher"])
            audit_record(
                user=user,
                action=CLASS_TEACHER,
                description=(
                    f"Class {school_class.name} (id {school_class.pk}): class teacher "
                    f"staff {before or '—'} → {staff.pk if staff else '—'}."
                ),
                school=school_class.school,
            )
    return school_class


def teaching_assignments_replace(
    *, school_class: SchoolClass, assignments: list[tuple[Staff, str]], user=None
) -> tuple[int, int]:
    """Make the class's teaching assignments exactly the (teacher, subject) pairs given; return (added, removed).

    A change is audited (how many added and removed)."""
    wanted = {(staff.pk, subject.strip()) for staff, subject in assignments if subject.strip()}
    staff_by_id = {staff.pk: staff for staff, _subject in assignments}
    with transaction.atomic():
        current = {
            (row.staff_id, row.subject): row
            for row in TeachingAssignment.objects.select_for_update().filter(school_class=school_class)
        }
        removed = [row.pk for key, row in current.items() if key not in wanted]
        added = []
        for staff_id, subject in sorted(wanted - set(current)):
            staff = staff_by_id[staff_id]
            if staff.school_id != school_class.school_id:
                raise ValidationError({"staff": _("The teacher works at another school.")})
            assignment = TeachingAssignment(staff=staff, school_class=school_class, subject=subject)
            assignment.full_clean()
            added.append(assignment)
        TeachingAssignment.objects.filter(pk__in=removed).delete()
        TeachingAssignment.objects.bulk_create(added)
        if added or removed:
            audit_record(
                user=user,
                action=CLASS_ASSIGNMENTS,
                description=(
                    f"Class {school_class.name} (id {school_class.pk}): {len(added)} teaching assignments added, "
                    f"{len(removed)} removed."
                ),
                school=school_class.school,
            )
    return len(added), len(removed)


SCHOOL_PROFILE_FIELDS = (
    "full_name",
    "short_name",
    "address",
    "description",
    "contacts",
    "timezone",
    "activity_threshold",
    "staff_target",
    "students_target",
    "parents_target",
    "short_week_scaling",
)


# The profile's free texts: the audit log names them changed, without their values.
SCHOOL_PROFILE_TEXTS = ("full_name", "short_name", "address", "description", "contacts")


def school_profile_update(*, school: School, data: dict, user=None) -> School:
    """Update the school's profile fields present in `data` (names, address, contacts, time zone, thresholds).

    A change is audited (`settings.school`) in its transaction: the fields changed, thresholds old → new.
    """
    changes = {}
    for name in SCHOOL_PROFILE_FIELDS:
        if name in data and getattr(school, name) != data[name]:
            changes[name] = (getattr(school, name), data[name])
            setattr(school, name, data[name])
    if changes:
        school.full_clean()
        with transaction.atomic():
            school.save(update_fields=list(changes))
            text = changes_text(changes, named=SCHOOL_PROFILE_TEXTS)
            audit_record(
                user=user,
                action=SETTINGS_SCHOOL,
                description=f"Changed the profile of the school {school.code}{by_whom(user)}: {text}.",
                school=school,
            )
    return school


# ---------------------------------------------------------------------------
# The school calendar (staff absences, holidays, quarters)
# ---------------------------------------------------------------------------

# The fields an audit entry of a calendar entry shows (ids, never a name of a person).
_CALENDAR_FIELDS = ("year_id", "staff_id", "number", "name", "kind", "starts_on", "ends_on")


def _calendar_school(entry: Model) -> School:
    if isinstance(entry, AcademicYear):
        return entry.school
    owner = entry.year if hasattr(entry, "year_id") else entry.staff
    return owner.school


def _calendar_values(entry: Model) -> dict:
    return {name: getattr(entry, name) for name in _CALENDAR_FIELDS if hasattr(entry, name)}


def _calendar_audit(*, entry: Model, user, verb: str, text: str) -> None:
    kind = entry._meta.verbose_name
    audit_record(
        user=user,
        action=SETTINGS_CALENDAR,
        description=f"{verb} the {kind} {entry.pk} of the school calendar{by_whom(user)}: {text}.",
        school=_calendar_school(entry),
    )


def calendar_entry_save(*, entry: Model, user=None) -> Model:
    """Validate (the model's rules: dates in order, inside the year, no overlap) and save a calendar entry.

    An entry added or changed is audited (`settings.calendar`) in its transaction, with the values changed.
    """
    entry.full_clean()
    with transaction.atomic():
        before = type(entry).objects.filter(pk=entry.pk).first() if entry.pk else None
        entry.save()
        after = _calendar_values(entry)
        if before is None:
            text = changes_text({name: (None, value) for name, value in after.items()})
            _calendar_audit(entry=entry, user=user, verb="Added", text=text)
        else:
            old = _calendar_values(before)
            changed = {name: (old[name], after[name]) for name in after if old[name] != after[name]}
            if changed:
                _calendar_audit(entry=entry, user=user, verb="Changed", text=changes_text(changed))
    return entry


def calendar_entry_delete(*, entry: Model, user=None) -> None:
    """Delete a calendar entry (weeks already stored keep their figures until they are built again); audited."""
    with transaction.atomic():
        text = changes_text({name: (value, None) for name, value in _calendar_values(entry).items()})
        school = _calendar_school(entry)
        pk = entry.pk
        entry.delete()
        audit_record(
            user=user,
            action=SETTINGS_CALENDAR,
            description=f"Deleted the {entry._meta.verbose_name} {pk} of the school calendar{by_whom(user)}: {text}.",
            school=school,
        )
