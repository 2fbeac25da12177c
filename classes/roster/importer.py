"""Import the official roster: a full list of the school's staff, students and parents (roster-format.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from django.db import transaction

from classes import clock
from classes.class_names import class_name_format
from classes.logins import staff_logins_follow_roster
from classes.models import Enrollment, Parent, RosterImport, School, SchoolClass, Staff, Student, User
from classes.roster.dating import person_since, roster_dates_check
from classes.roster.reading import RosterReadError, table_read
from classes.roster.validation import PersonRow, Roster, RowError, roster_validate
from classes.roster_changes import roster_changes_confirm_from_roster
from classes.services import academic_year_current

# A file that would make more than this share of the school's current people leave is held.
HOLD_SHARE_NUMERATOR, HOLD_SHARE_DENOMINATOR = 1, 10
_BATCH = 500

ClassKey = tuple[int, str]


def _class_counts() -> dict[str, int]:
    return {"added": 0, "updated": 0}


def _people_counts() -> dict[str, int]:
    return {"added": 0, "updated": 0, "left": 0}


def _student_counts() -> dict[str, int]:
    return {"added": 0, "updated": 0, "left": 0, "moved": 0}


@dataclass
class ClassChanges:
    """What a roster file changes in one class's students: the names of those added, moved in, and so on."""

    name: str
    added: list[str] = field(default_factory=list)
    moved_in: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved_out: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    new_class: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.moved_in or self.updated or self.moved_out or self.left)


@dataclass
class RosterImportResult:
    """What an import did (ok), would do (held), or why it did nothing (failed)."""

    status: str  # RosterImport.Status: "ok" | "held" | "failed"
    classes: dict[str, int] = field(default_factory=_class_counts)
    staff: dict[str, int] = field(default_factory=_people_counts)
    students: dict[str, int] = field(default_factory=_student_counts)
    parents: dict[str, int] = field(default_factory=_people_counts)
    errors: list[RowError] = field(default_factory=list)
    # Held: how many of the school's current people would leave, and the classes that would be emptied.
    would_leave: int = 0
    current_people: int = 0
    emptied_classes: list[str] = field(default_factory=list)
    log: RosterImport | None = None
    # A dry run (the upload page's preview): the changes per class, in class order.
    class_changes: list[ClassChanges] = field(default_factory=list)
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {"classes": self.classes, "staff": self.staff, "students": self.students, "parents": self.parents}

    def to_json(self, school_code: str, file: str) -> dict[str, Any]:
        """Return the `roster_import --json` object of CLI.md (a held one also says who would leave)."""
        data: dict[str, Any] = {"school": school_code, "status": self.status, "file": file}
        data.update({name: dict(counts) for name, counts in self.counts.items()})
        data["errors"] = [error.as_dict() for error in self.errors]
        if self.status == RosterImport.Status.HELD:
            data["would_leave"] = self.would_leave
            data["current_people"] = self.current_people
            data["emptied_classes"] = list(self.emptied_classes)
        return data


class _Held(Exception):
    """Raised to roll back a held import."""

    def __init__(self, result: RosterImportResult) -> None:
        super().__init__("held")
        self.result = result


class _DryRun(_Held):
    """Raised to roll back a dry run (planning may create the academic year)."""


def roster_import(
    *,
    school: School,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    confirm_removals: bool = False,
    on: date | None = None,
    user: User | None = None,
    dry_run: bool = False,
) -> RosterImportResult:
    """Import a roster file into the school as of `on` (default: today in the school's time zone).

    Since when people count (DESIGN.md): people of the school's first roster from the start of the academic
    year, or from the file's «Работает с» / «Зачислен с» days; later arrivals and departures from `on`.

    A file with any bad row writes nothing (failed, every bad row listed); a file that would make more
    than 10% of the school's current people leave, or empty a class, writes nothing unless
    `confirm_removals` (held). Every call leaves one RosterImport row; an import that wrote confirms the
    arrivals and departures it agrees with.

    `dry_run`: write nothing and log nothing; return what the import would do (its status and counts as
    if `confirm_removals` were given as passed) with `class_changes`, the changes per class.
    """
    on = on or clock.today(school.tz)
    log_fields = {
        "school": school,
        "user": user,
        "file_name": PurePath(filename).name[:255],
        "file_hash": hashlib.sha256(content).hexdigest(),
    }
    try:
        table = table_read(content=content, filename=filename)
    except RosterReadError as exc:
        errors = [RowError(row=None, column="", message=str(exc))]
        failed = RosterImportResult(status=RosterImport.Status.FAILED.value, errors=errors, dry_run=dry_run)
        return failed if dry_run else _logged(failed, log_fields)
    roster, errors = roster_validate(table=table, mapping=mapping)
    if roster is not None and (errors := roster_dates_check(roster=roster, on=on)):
        roster = None
    if roster is None:
        failed = RosterImportResult(status=RosterImport.Status.FAILED.value, errors=errors, dry_run=dry_run)
        return failed if dry_run else _logged(failed, log_fields)
    if dry_run:
        try:
            with transaction.atomic():
                apply = _RosterApply(school=school, roster=roster, on=on)
                apply.plan()
                apply.result.class_changes = apply.class_changes_list()
                apply.result.dry_run = True
                if apply.result.status != RosterImport.Status.HELD or confirm_removals:
                    apply.result.status = RosterImport.Status.OK.value
                raise _DryRun(apply.result)
        except _DryRun as done:
            return done.result
    try:
        with transaction.atomic():
            locked = School.objects.select_for_update().get(pk=school.pk)
            apply = _RosterApply(school=locked, roster=roster, on=on)
            result = apply.run(confirm_removals=confirm_removals)
            roster_changes_confirm_from_roster(school=locked, on=on, user=user)
            staff_logins_follow_roster(
                left=apply.staff_leaving, returned=apply.staff_returning, by=user, file_name=log_fields["file_name"]
            )
            return _logged(result, log_fields)
    except _Held as held:
        return _logged(held.result, log_fields)


def _logged(result: RosterImportResult, log_fields: dict[str, Any]) -> RosterImportResult:
    counts: dict[str, Any] = result.counts
    if result.status == RosterImport.Status.HELD:
        counts = {
            **counts,
            "would_leave": result.would_leave,
            "current_people": result.current_people,
            "emptied_classes": result.emptied_classes,
        }
    log = RosterImport(
        **log_fields, status=result.status, counts=counts, errors=[error.as_dict() for error in result.errors]
    )
    log.save()
    result.log = log
    return result


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


class _RosterApply:
    """Plan the changes a roster makes to a school, hold or write them."""

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

    def run(self, *, confirm_removals: bool) -> RosterImportResult:
        self.plan()
        if self.result.status == RosterImport.Status.HELD and not confirm_removals:
            raise _Held(self.result)
        self.result.status = RosterImport.Status.OK.value
        self._write_staff()
        self._write_classes()
        self._write_students()
        self._write_parents()
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

    # Writing: bulk statements, then one query to learn the new rows' keys.

    def _write_staff(self) -> None:
        Staff.objects.bulk_create(self.staff_new, batch_size=_BATCH)
        if self.staff_changed:
            Staff.objects.bulk_update(
                list(self.staff_changed.values()), sorted(self.staff_update_fields), batch_size=_BATCH
            )
        Staff.objects.bulk_update(self.staff_leaving, ["employed_to"], batch_size=_BATCH)
        if self.staff_new:
            self.staff_pks = dict(Staff.objects.filter(school=self.school).values_list("person_id", "pk"))
        else:
            self.staff_pks = {person_id: staff.pk for person_id, staff in self.staff.items()}

    def _write_classes(self) -> None:
        teachers = self.class_teachers if self.roster.leads_classes else {}
        new = [
            SchoolClass(
                school=self.school,
                year=self.year,
                grade=grade,
                letter=letter,
                class_teacher_id=self.staff_pks.get(teachers.get((grade, letter))),
            )
            for grade, letter in self.class_new
        ]
        SchoolClass.objects.bulk_create(new, batch_size=_BATCH)
        changed = []
        for key, person_id in self.class_teachers_changed.items():
            school_class = self.classes[key]
            school_class.class_teacher_id = self.staff_pks.get(person_id) if person_id else None
            changed.append(school_class)
        SchoolClass.objects.bulk_update(changed, ["class_teacher"], batch_size=_BATCH)
        if new:
            self.class_pks = {
                (grade, letter): pk
                for grade, letter, pk in SchoolClass.objects.filter(school=self.school, year=self.year).values_list(
                    "grade", "letter", "pk"
                )
            }
        else:
            self.class_pks = {key: school_class.pk for key, school_class in self.classes.items()}

    def _write_students(self) -> None:
        Student.objects.bulk_create(self.student_new, batch_size=_BATCH)
        if self.student_changed:
            Student.objects.bulk_update(self.student_changed, sorted(self.student_update_fields), batch_size=_BATCH)
        if self.student_new:
            self.student_pks = dict(Student.objects.filter(school=self.school).values_list("person_id", "pk"))
        else:
            self.student_pks = {person_id: student.pk for person_id, student in self.students.items()}
        # Close first: a student has one open enrollment at a time.
        Enrollment.objects.bulk_update(self.enroll_close, ["ends_on"], batch_size=_BATCH)
        for enrollment, key in self.enroll_reclass:
            enrollment.school_class_id = self.class_pks[key]
        Enrollment.objects.bulk_update([e for e, _key in self.enroll_reclass], ["school_class"], batch_size=_BATCH)
        for enrollment, key in self.enroll_reopen:
            enrollment.school_class_id = self.class_pks[key]
            enrollment.ends_on = None
        Enrollment.objects.bulk_update(
            [e for e, _key in self.enroll_reopen], ["school_class", "ends_on"], batch_size=_BATCH
        )
        new = [
            Enrollment(student_id=self.student_pks[person_id], school_class_id=self.class_pks[key], starts_on=starts_on)
            for person_id, key, starts_on in self.enroll
        ]
        Enrollment.objects.bulk_create(new, batch_size=_BATCH)

    def _write_parents(self) -> None:
        Parent.objects.bulk_create(self.parent_new, batch_size=_BATCH)
        if self.parent_changed:
            Parent.objects.bulk_update(self.parent_changed, sorted(self.parent_update_fields), batch_size=_BATCH)
        Parent.objects.bulk_update(self.parent_leaving, ["left_on"], batch_size=_BATCH)
        if not self.children:
            return
        if self.parent_new:
            parent_pks = dict(Parent.objects.filter(school=self.school).values_list("person_id", "pk"))
        else:
            parent_pks = {person_id: parent.pk for person_id, parent in self.parents.items()}
        link = Parent.children.through
        removed: list[int] = []
        added = []
        for person_id, children in self.children.items():
            parent_pk = parent_pks[person_id]
            current = self.links.get(parent_pk, {})
            wanted = {self.student_pks[child] for child in children}
            removed.extend(link_pk for student_pk, link_pk in current.items() if student_pk not in wanted)
            added.extend(
                link(parent_id=parent_pk, student_id=student_pk) for student_pk in wanted if student_pk not in current
            )
        if removed:
            link.objects.filter(pk__in=removed).delete()
        link.objects.bulk_create(added, batch_size=_BATCH)
