"""Arrivals and departures: a class teacher reports, an administrator processes, a later import or sync confirms.

States: reported → processed (the administrator changed Sferum and/or the roster) → confirmed (a roster import
or a Sferum sync after the processing agrees). A report not processed within the school's number of school days
(`School.effective_roster_change_overdue_days`, default 3) is overdue. The roster import confirms here; the
Sferum side is checked by the reports layer (it may read chats), which calls `roster_change_confirm`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField
from django.db.models import Case
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext as _

from classes import clock
from classes.models import Enrollment
from classes.models import RosterChange
from classes.models import School
from classes.models import SchoolClass
from classes.models import Student
from classes.models import User
from classes.names import PersonName
from classes.names import candidates_narrow
from classes.names import name_key
from classes.school_days import SchoolCalendar
from classes.services import audit_record

OPEN_STATES = (RosterChange.State.REPORTED, RosterChange.State.PROCESSED)


class RosterChangeError(Exception):
    """The change cannot be made; the message says why and what to do."""


# Audit actions: a change reported (by a teacher or an administrator), a change processed.
CHANGE_REPORT = "roster.change.report"
CHANGE_PROCESS = "roster.change.process"

# ---------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------


def students_of_class(*, school_class: SchoolClass, day: date) -> QuerySet[Student]:
    """Return the students enrolled in the class on the day, by name."""
    enrolled = Enrollment.objects.current_on(day).filter(school_class=school_class).values("student_id")
    return Student.objects.filter(pk__in=enrolled).order_by("last_name", "first_name", "patronymic", "person_id")


def roster_change_overdue_cutoff(*, school: School, day: date, calendar: SchoolCalendar | None = None) -> datetime:
    """Return the moment before which a still reported change is overdue on the day.

    A change reported on day d is due by the N-th school day after d (N: the school's setting) and overdue
    on any later day; that holds exactly when d is before the N-th school day before `day`.
    """
    calendar = calendar or SchoolCalendar.for_school(school)
    return calendar.overdue_cutoff(day=day, school_days=school.effective_roster_change_overdue_days, tz=school.tz)


def roster_changes_for_school(
    *, school: School, day: date, states: tuple[str, ...] | None = None, calendar: SchoolCalendar | None = None
) -> QuerySet:
    """Return the school's changes, newest first, annotated `overdue`, with class, student and users."""
    cutoff = roster_change_overdue_cutoff(school=school, day=day, calendar=calendar)
    changes = RosterChange.objects.filter(school=school)
    if states:
        changes = changes.filter(state__in=states)
    return changes.select_related("school_class", "student", "reported_by", "processed_by", "confirmed_by").annotate(
        overdue=Case(
            When(state=RosterChange.State.REPORTED, reported_at__lt=cutoff, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def roster_changes_overdue(*, school: School, day: date) -> QuerySet[RosterChange]:
    """Return the school's changes still reported (not processed) after their school days ran out, oldest first."""
    cutoff = roster_change_overdue_cutoff(school=school, day=day)
    return (
        RosterChange.objects.filter(school=school, state=RosterChange.State.REPORTED, reported_at__lt=cutoff)
        .select_related("school_class", "student", "reported_by")
        .order_by("reported_at", "pk")
    )


def roster_changes_for_class(*, school_class: SchoolClass) -> QuerySet[RosterChange]:
    """Return the class's changes, newest first."""
    return RosterChange.objects.filter(school_class=school_class).select_related(
        "student", "reported_by", "processed_by", "confirmed_by"
    )


def roster_changes_for_student(*, student: Student) -> QuerySet[RosterChange]:
    """Return the changes reported about the student (a departure, or an arrival matched to them), oldest first."""
    return (
        RosterChange.objects.filter(student=student)
        .select_related("school_class", "reported_by", "processed_by", "confirmed_by")
        .order_by("reported_at", "pk")
    )


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


def _saved(change: RosterChange) -> RosterChange:
    try:
        change.full_clean()
    except ValidationError as exc:
        raise RosterChangeError(" ".join(exc.messages)) from exc
    change.save()
    return change


def roster_change_report_departure(
    *, school_class: SchoolClass, student: Student, on: date, reason: str, user: User | None
) -> RosterChange:
    """Record that the student left the class on the day, for the reason given; state reported."""
    today = clock.today(school_class.school.tz)
    with transaction.atomic():
        if not students_of_class(school_class=school_class, day=today).filter(pk=student.pk).exists():
            raise RosterChangeError(
                _("%(name)s is not in class %(class)s; choose a student of the class.")
                % {"name": student.full_name, "class": school_class.name}
            )
        if RosterChange.objects.filter(
            student=student, kind=RosterChange.Kind.DEPARTURE, state__in=OPEN_STATES
        ).exists():
            raise RosterChangeError(
                _("The departure of %(name)s is already reported; the administrators are dealing with it.")
                % {"name": student.full_name}
            )
        change = RosterChange(
            school_id=school_class.school_id,
            school_class=school_class,
            kind=RosterChange.Kind.DEPARTURE,
            student=student,
            happened_on=on,
            reason=reason.strip(),
            last_name=student.last_name,
            first_name=student.first_name,
            patronymic=student.patronymic,
            birth_date=student.birth_date,
            reported_by=user,
            reported_at=clock.now(),
        )
        return _reported(_saved(change), user=user)


def roster_change_report_arrival(
    *,
    school_class: SchoolClass,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    birth_date: date | None,
    on: date,
    user: User | None,
) -> RosterChange:
    """Record that a student arrived in the class on the day; state reported."""
    key = name_key(last_name, first_name)
    with transaction.atomic():
        open_arrivals = RosterChange.objects.filter(
            school_class=school_class, kind=RosterChange.Kind.ARRIVAL, state__in=OPEN_STATES
        ).values_list("last_name", "first_name", "birth_date")
        for other_last, other_first, other_birth in open_arrivals:
            if name_key(other_last, other_first) == key and (
                other_birth == birth_date or None in (other_birth, birth_date)
            ):
                raise RosterChangeError(
                    _("The arrival of %(name)s is already reported; the administrators are dealing with it.")
                    % {"name": f"{last_name} {first_name}"}
                )
        change = RosterChange(
            school_id=school_class.school_id,
            school_class=school_class,
            kind=RosterChange.Kind.ARRIVAL,
            happened_on=on,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            patronymic=patronymic.strip(),
            birth_date=birth_date,
            reported_by=user,
            reported_at=clock.now(),
        )
        return _reported(_saved(change), user=user)


def roster_change_process(
    *, change: RosterChange, user: User | None, in_sferum: bool, in_roster: bool, note: str = ""
) -> RosterChange:
    """Mark a reported change processed: the administrator changed Sferum, the roster, or both."""
    if not (in_sferum or in_roster):
        raise RosterChangeError(_("Tick what you changed: Sferum, the roster, or both."))
    with transaction.atomic():
        locked = RosterChange.objects.select_for_update().get(pk=change.pk)
        if locked.state != RosterChange.State.REPORTED:
            raise RosterChangeError(_("This change is already processed; reload the page to see who did it."))
        locked.state = RosterChange.State.PROCESSED
        locked.processed_by = user
        locked.processed_at = clock.now()
        locked.changed_in_sferum = in_sferum
        locked.changed_in_roster = in_roster
        locked.processed_note = note.strip()[:500]
        locked.save(
            update_fields=[
                "state",
                "processed_by",
                "processed_at",
                "changed_in_sferum",
                "changed_in_roster",
                "processed_note",
            ]
        )
        done = [place for place, changed in (("Sferum", in_sferum), ("the roster", in_roster)) if changed]
        audit_record(
            user=user,
            action=CHANGE_PROCESS,
            description=f"Processed the {locked.kind} {locked.pk} of class {_class_name(locked)}: changed in "
            f"{' and '.join(done)}.",
            school=locked.school,
        )
    return locked


def _class_name(change: RosterChange) -> str:
    return change.school_class.name if change.school_class_id else "—"


def _reported(change: RosterChange, *, user: User | None) -> RosterChange:
    """Audit a reported change (its kind, id, class and day: never the child's name)."""
    audit_record(
        user=user,
        action=CHANGE_REPORT,
        description=f"Reported the {change.kind} {change.pk} in class {_class_name(change)} on "
        f"{change.happened_on:%Y-%m-%d}.",
        school=change.school,
    )
    return change


def roster_change_confirm(
    *, change: RosterChange, source: str, user: User | None = None, student: Student | None = None
) -> bool:
    """Mark a processed change confirmed by a roster import or a sync; return False if it was not processed."""
    fields = ["state", "confirmed_at", "confirmed_by", "confirmed_source"]
    updated = {
        "state": RosterChange.State.CONFIRMED,
        "confirmed_at": clock.now(),
        "confirmed_by": user,
        "confirmed_source": source,
    }
    if student is not None and change.student_id is None:
        updated["student"] = student
        fields.append("student")
    rows = RosterChange.objects.filter(pk=change.pk, state=RosterChange.State.PROCESSED).update(**updated)
    if rows:
        for name, value in updated.items():
            setattr(change, name, value)
    return bool(rows)


def arrival_student_find(change: RosterChange, enrolled: list[Student]) -> Student | None:
    """Return the one student among those enrolled who is the arrival (name, then birth date); None otherwise."""
    if change.student_id is not None:
        return next((student for student in enrolled if student.pk == change.student_id), None)
    key = name_key(change.last_name, change.first_name)
    same_name = [student for student in enrolled if name_key(student.last_name, student.first_name) == key]
    arrived = PersonName(change.last_name, change.first_name, change.patronymic, change.birth_date)
    found = candidates_narrow(arrived, same_name)
    return found[0] if len(found) == 1 else None


def roster_changes_confirm_from_roster(*, school: School, on: date, user: User | None = None) -> int:
    """Confirm the school's processed changes the roster of the day agrees with; return how many.

    A departure agrees when the student is no longer in that class; an arrival when one student of that
    name (and birth date, where both are known) is in the class. Called after every roster import that wrote.
    """
    changes = list(RosterChange.objects.filter(school=school, state=RosterChange.State.PROCESSED))
    if not changes:
        return 0
    enrolled: dict[int, list[Student]] = defaultdict(list)
    class_ids = {change.school_class_id for change in changes}
    current = Enrollment.objects.current_on(on).filter(school_class_id__in=class_ids).select_related("student")
    for enrollment in current:
        enrolled[enrollment.school_class_id].append(enrollment.student)
    confirmed = 0
    for change in changes:
        students = enrolled.get(change.school_class_id, [])
        if change.kind == RosterChange.Kind.DEPARTURE:
            agrees = all(student.pk != change.student_id for student in students)
            found = None
        else:
            found = arrival_student_find(change, students)
            agrees = found is not None
        if agrees:
            confirmed += roster_change_confirm(
                change=change, source=RosterChange.Source.ROSTER, user=user, student=found
            )
    return confirmed
