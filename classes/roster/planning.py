"""Plan a roster import: load the school, then decide in memory who arrives, changes, moves and leaves.

A fixed number of queries loads the school, whatever its size; nothing is written here (`classes.roster.writing`
writes a plan). A plan that would make too many people leave, or empty a class, is held (`HOLD_SHARE_*`).
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from classes.class_names import class_name_format
from classes.models import Enrollment
from classes.models import Parent
from classes.models import RosterImport
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from classes.roster.dating import person_since
from classes.roster.results import ClassChanges
from classes.roster.results import RosterImportResult
from classes.roster.validation import PersonRow
from classes.roster.validation import Roster
from classes.services import academic_year_current

# A file that would make more than this share of the school's current people leave is held.
HOLD_SHARE_NUMERATOR, HOLD_SHARE_DENOMINATOR = 1, 10

ClassKey = tuple[int, str]


def _changed(obj: Any, values: dict[str, Any]) -> set[str]:
    """Set the values on obj; return the names of the fields whose value changed."""
    changed = set()
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    return changed


def _row_name(row: PersonRow) -> str:
    values = row.values
    return " ".join(values.get(part, "") for part in ("last_name", "first_name", "patronymic") if values.get(part))


def _left_on(*, on: date, started: date) -> date:
    """Return the last day of someone who is gone on `on`: the day before, but not before they started."""
    return max(on - timedelta(days=1), started)


class RosterPlan:
    """The changes a roster makes to a school, decided in memory; `roster_plan_write` writes them."""

    def __init__(self, *, school: School, roster: Roster, on: date) -> None:
        self.school = school
        self.roster = roster
        self.on = on
        self.result = RosterImportResult(status=RosterImport.Status.OK.value)

    def plan(self) -> RosterImportResult:
        """Decide every change in memory and whether the file is held; write nothing."""
        self._load()
        self._plan_staff()
        self._plan_students()
        self._plan_parents()
        self._plan_classes()
        self._hold_check()
        return self.result

    # Loading: a fixed number of queries, whatever the size of the school.

    def _load(self) -> None:
        school = self.school
        self.year = academic_year_current(school=school, on=self.on)
        self.classes: dict[ClassKey, SchoolClass] = {
            (c.grade, c.letter): c for c in SchoolClass.objects.filter(school=school, year=self.year)
        }
        self.class_keys_by_pk = {c.pk: key for key, c in self.classes.items()}
        self.staff: dict[str, Staff] = {s.person_id: s for s in Staff.objects.filter(school=school)}
        self.staff_ids_by_pk = {s.pk: s.person_id for s in self.staff.values()}
        self.students: dict[str, Student] = {s.person_id: s for s in Student.objects.filter(school=school)}
        self.student_ids_by_pk = {s.pk: s.person_id for s in self.students.values()}
        enrollments = Enrollment.objects.filter(student__school=school).filter(ends_on__isnull=True)
        self.open_enrollments: dict[int, Enrollment] = {e.student_id: e for e in enrollments}
        starting_today = Enrollment.objects.filter(student__school=school, starts_on=self.on, ends_on__isnull=False)
        self.closed_today: dict[int, Enrollment] = {e.student_id: e for e in starting_today}
        self.parents: dict[str, Parent] = {p.person_id: p for p in Parent.objects.filter(school=school)}
        self.links: dict[int, dict[int, int]] = {}  # parent pk -> {student pk: link pk}
        links = Parent.children.through.objects.filter(parent__school=school)
        for link_pk, parent_pk, student_pk in links.values_list("pk", "parent_id", "student_id"):
            self.links.setdefault(parent_pk, {})[student_pk] = link_pk
        # The school's first roster: nobody on it yet, so its people count from the start of the year.
        self.first = not (self.staff or self.students or self.parents)
        # The people on the roster on the import's day (the models' rules): not those who start later.
        self.current_people = (
            sum(1 for staff in self.staff.values() if staff.is_employed_on(self.on))
            + sum(1 for enrollment in self.open_enrollments.values() if enrollment.is_current_on(self.on))
            + sum(1 for parent in self.parents.values() if parent.is_on_roster_on(self.on))
        )

    # Planning: decide every change in memory; nothing is written yet.

    def _since(self, row: PersonRow) -> date:
        return person_since(person=row, first=self.first, year_start=self.year.starts_on, on=self.on)

    def _employed(self, staff: Staff) -> bool:
        """Return True unless the staff member left before the import's day (one who starts later has not)."""
        return not staff.has_left_before(self.on)

    def _plan_staff(self) -> None:
        counts = self.result.staff
        self.staff_new: list[Staff] = []
        self.staff_changed: dict[str, Staff] = {}
        self.staff_update_fields: set[str] = set()
        self.staff_returning: list[Staff] = []
        in_file = set()
        for row in self.roster.staff:
            in_file.add(row.person_id)
            staff = self.staff.get(row.person_id)
            if staff is None:
                self.staff_new.append(
                    Staff(school=self.school, person_id=row.person_id, employed_from=self._since(row), **row.values)
                )
                counts["added"] += 1
                continue
            changed = _changed(staff, row.values)
            if not self._employed(staff):  # they left and are back
                staff.employed_to = None
                changed.add("employed_to")
                self.staff_returning.append(staff)
            if changed:
                self.staff_changed[row.person_id] = staff
                self.staff_update_fields |= changed
                counts["updated"] += 1
        self.staff_leaving = [
            staff for person_id, staff in self.staff.items() if person_id not in in_file and self._employed(staff)
        ]
        for staff in self.staff_leaving:
            staff.employed_to = _left_on(on=self.on, started=staff.employed_from)
        counts["left"] = len(self.staff_leaving)

    def _plan_students(self) -> None:
        counts = self.result.students
        self.student_new: list[Student] = []
        self.student_changed: list[Student] = []
        self.student_update_fields: set[str] = set()
        self.enroll: list[tuple[str, ClassKey, date]] = []  # (person_id, class, first day): a new enrollment
        self.enroll_close: list[Enrollment] = []
        self.enroll_reclass: list[tuple[Enrollment, ClassKey]] = []
        self.enroll_reopen: list[tuple[Enrollment, ClassKey]] = []
        # Per class: (change, student's name), for the preview.
        self.class_events: list[tuple[ClassKey | None, str, str]] = []
        in_file = set()
        for row in self.roster.students:
            in_file.add(row.person_id)
            key = row.school_class
            student = self.students.get(row.person_id)
            if student is None:
                self.student_new.append(Student(school=self.school, person_id=row.person_id, **row.values))
                self.enroll.append((row.person_id, key, self._since(row)))
                counts["added"] += 1
                self.class_events.append((key, "added", _row_name(row)))
                continue
            changed = _changed(student, row.values)
            if changed:
                self.student_changed.append(student)
                self.student_update_fields |= changed
            enrollment = self.open_enrollments.get(student.pk)
            if enrollment is None:  # they left and are back
                reopened = self.closed_today.get(student.pk)
                if reopened is not None:
                    self.enroll_reopen.append((reopened, key))
                else:
                    self.enroll.append((row.person_id, key, self.on))
                counts["updated"] += 1
                self.class_events.append((key, "added", _row_name(row)))
                continue
            if changed:
                counts["updated"] += 1
            if self.class_keys_by_pk.get(enrollment.school_class_id) == key:
                if changed:
                    self.class_events.append((key, "updated", _row_name(row)))
                continue
            counts["moved"] += 1
            self.class_events.append(
                (self.class_keys_by_pk.get(enrollment.school_class_id), "moved_out", _row_name(row))
            )
            self.class_events.append((key, "moved_in", _row_name(row)))
            if enrollment.starts_on >= self.on:
                self.enroll_reclass.append((enrollment, key))
            else:
                enrollment.ends_on = _left_on(on=self.on, started=enrollment.starts_on)
                self.enroll_close.append(enrollment)
                self.enroll.append((row.person_id, key, self.on))
        for student_pk, enrollment in self.open_enrollments.items():
            if self.student_ids_by_pk[student_pk] not in in_file:
                enrollment.ends_on = _left_on(on=self.on, started=enrollment.starts_on)
                self.enroll_close.append(enrollment)
                counts["left"] += 1
                student = self.students[self.student_ids_by_pk[student_pk]]
                self.class_events.append(
                    (self.class_keys_by_pk.get(enrollment.school_class_id), "left", student.full_name)
                )
        self.target_classes = {row.school_class for row in self.roster.students}

    def _plan_parents(self) -> None:
        counts = self.result.parents
        self.parent_new: list[Parent] = []
        self.parent_changed: list[Parent] = []
        self.parent_update_fields: set[str] = set()
        self.children: dict[str, list[str]] = {}  # parent person_id -> children's person_ids, where they change
        in_file = set()
        for row in self.roster.parents:
            in_file.add(row.person_id)
            parent = self.parents.get(row.person_id)
            if parent is None:
                self.parent_new.append(Parent(school=self.school, person_id=row.person_id, **row.values))
                self.children[row.person_id] = row.children
                counts["added"] += 1
                continue
            changed = _changed(parent, {**row.values, "left_on": None})
            if changed:
                self.parent_changed.append(parent)
                self.parent_update_fields |= changed
            current = {self.student_ids_by_pk[pk] for pk in self.links.get(parent.pk, {})}
            if current != set(row.children):
                self.children[row.person_id] = row.children
            if changed or row.person_id in self.children:
                counts["updated"] += 1
        self.parent_leaving = [
            parent for person_id, parent in self.parents.items() if person_id not in in_file and parent.left_on is None
        ]
        for parent in self.parent_leaving:
            parent.left_on = self.on
        counts["left"] = len(self.parent_leaving)

    def _plan_classes(self) -> None:
        counts = self.result.classes
        wanted = set(self.target_classes)
        for row in self.roster.staff:
            wanted.update(row.class_teacher_of)
        self.class_new = sorted(wanted - set(self.classes))
        counts["added"] = len(self.class_new)
        leaving = {staff.person_id for staff in self.staff_leaving}
        if self.roster.leads_classes:
            self.class_teachers: dict[ClassKey, str | None] = dict.fromkeys(self.classes)
            for row in self.roster.staff:
                self.class_teachers.update(dict.fromkeys(row.class_teacher_of, row.person_id))
        else:  # the file does not say; only a class teacher who leaves stops leading their class
            self.class_teachers = {
                key: None
                for key, school_class in self.classes.items()
                if self.staff_ids_by_pk.get(school_class.class_teacher_id) in leaving
            }
        self.class_teachers_changed = {
            key: person_id
            for key, person_id in self.class_teachers.items()
            if key in self.classes and self.staff_ids_by_pk.get(self.classes[key].class_teacher_id) != person_id
        }
        counts["updated"] = len(self.class_teachers_changed)

    def _hold_check(self) -> None:
        result = self.result
        result.current_people = self.current_people
        result.would_leave = result.staff["left"] + result.students["left"] + result.parents["left"]
        filled = {self.class_keys_by_pk.get(e.school_class_id) for e in self.open_enrollments.values()}
        result.emptied_classes = [class_name_format(*key) for key in sorted(filled - self.target_classes - {None})]
        too_many = result.would_leave * HOLD_SHARE_DENOMINATOR > result.current_people * HOLD_SHARE_NUMERATOR
        if too_many or result.emptied_classes:
            result.status = RosterImport.Status.HELD.value

    def class_changes_list(self) -> list[ClassChanges]:
        """Return the planned changes per class, in class order (classes the file creates marked new)."""
        changes: dict[ClassKey, ClassChanges] = {}
        for key, change, name in self.class_events:
            if key is None:
                continue
            if key not in changes:
                changes[key] = ClassChanges(name=class_name_format(*key), new_class=key not in self.classes)
            getattr(changes[key], change).append(name)
        for entry in changes.values():
            for names in (entry.added, entry.moved_in, entry.updated, entry.moved_out, entry.left):
                names.sort()
        return [changes[key] for key in sorted(changes)]
