"""Write a roster import's plan: bulk statements, then one query per kind to learn the new rows' keys."""

from __future__ import annotations

from classes.models import Enrollment
from classes.models import Parent
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from classes.roster.planning import ClassKey
from classes.roster.planning import RosterPlan

_BATCH = 500


def roster_plan_write(*, plan: RosterPlan) -> None:
    """Write every change of the plan (in the caller's transaction)."""
    _RosterWrite(plan=plan).write()


class _RosterWrite:
    """The writes of one plan, and the keys of the rows it wrote (needed by the rows that point to them)."""

    def __init__(self, *, plan: RosterPlan) -> None:
        self.plan = plan
        self.staff_pks: dict[str, int] = {}
        self.class_pks: dict[ClassKey, int] = {}
        self.student_pks: dict[str, int] = {}

    def write(self) -> None:
        """Write the plan: staff, then classes (their teachers), then students and their enrollments, then parents."""
        self._staff()
        self._classes()
        self._students()
        self._parents()

    def _staff(self) -> None:
        Staff.objects.bulk_create(self.plan.staff_new, batch_size=_BATCH)
        if self.plan.staff_changed:
            Staff.objects.bulk_update(
                list(self.plan.staff_changed.values()), sorted(self.plan.staff_update_fields), batch_size=_BATCH
            )
        Staff.objects.bulk_update(self.plan.staff_leaving, ["employed_to"], batch_size=_BATCH)
        if self.plan.staff_new:
            self.staff_pks = dict(Staff.objects.filter(school=self.plan.school).values_list("person_id", "pk"))
        else:
            self.staff_pks = {person_id: staff.pk for person_id, staff in self.plan.staff.items()}

    def _classes(self) -> None:
        teachers = self.plan.class_teachers if self.plan.roster.leads_classes else {}
        new = [
            SchoolClass(
                school=self.plan.school,
                year=self.plan.year,
                grade=grade,
                letter=letter,
                class_teacher_id=self.staff_pks.get(teachers.get((grade, letter))),
            )
            for grade, letter in self.plan.class_new
        ]
        SchoolClass.objects.bulk_create(new, batch_size=_BATCH)
        changed = []
        for key, person_id in self.plan.class_teachers_changed.items():
            school_class = self.plan.classes[key]
            school_class.class_teacher_id = self.staff_pks.get(person_id) if person_id else None
            changed.append(school_class)
        SchoolClass.objects.bulk_update(changed, ["class_teacher"], batch_size=_BATCH)
        if new:
            self.class_pks = {
                (grade, letter): pk
                for grade, letter, pk in SchoolClass.objects.filter(
                    school=self.plan.school, year=self.plan.year
                ).values_list("grade", "letter", "pk")
            }
        else:
            self.class_pks = {key: school_class.pk for key, school_class in self.plan.classes.items()}

    def _students(self) -> None:
        Student.objects.bulk_create(self.plan.student_new, batch_size=_BATCH)
        if self.plan.student_changed:
            Student.objects.bulk_update(
                self.plan.student_changed, sorted(self.plan.student_update_fields), batch_size=_BATCH
            )
        if self.plan.student_new:
            self.student_pks = dict(Student.objects.filter(school=self.plan.school).values_list("person_id", "pk"))
        else:
            self.student_pks = {person_id: student.pk for person_id, student in self.plan.students.items()}
        # Close first: a student has one open enrollment at a time.
        Enrollment.objects.bulk_update(self.plan.enroll_close, ["ends_on"], batch_size=_BATCH)
        for enrollment, key in self.plan.enroll_reclass:
            enrollment.school_class_id = self.class_pks[key]
        Enrollment.objects.bulk_update([e for e, _key in self.plan.enroll_reclass], ["school_class"], batch_size=_BATCH)
        for enrollment, key in self.plan.enroll_reopen:
            enrollment.school_class_id = self.class_pks[key]
            enrollment.ends_on = None
        Enrollment.objects.bulk_update(
            [e for e, _key in self.plan.enroll_reopen], ["school_class", "ends_on"], batch_size=_BATCH
        )
        new = [
            Enrollment(student_id=self.student_pks[person_id], school_class_id=self.class_pks[key], starts_on=starts_on)
            for person_id, key, starts_on in self.plan.enroll
        ]
        Enrollment.objects.bulk_create(new, batch_size=_BATCH)

    def _parents(self) -> None:
        Parent.objects.bulk_create(self.plan.parent_new, batch_size=_BATCH)
        if self.plan.parent_changed:
            Parent.objects.bulk_update(
                self.plan.parent_changed, sorted(self.plan.parent_update_fields), batch_size=_BATCH
            )
        Parent.objects.bulk_update(self.plan.parent_leaving, ["left_on"], batch_size=_BATCH)
        if not self.plan.children:
            return
        if self.plan.parent_new:
            parent_pks = dict(Parent.objects.filter(school=self.plan.school).values_list("person_id", "pk"))
        else:
            parent_pks = {person_id: parent.pk for person_id, parent in self.plan.parents.items()}
        link = Parent.children.through
        removed: list[int] = []
        added = []
        for person_id, children in self.plan.children.items():
            parent_pk = parent_pks[person_id]
            current = self.plan.links.get(parent_pk, {})
            wanted = {self.student_pks[child] for child in children}
            removed.extend(link_pk for student_pk, link_pk in current.items() if student_pk not in wanted)
            added.extend(
                link(parent_id=parent_pk, student_id=student_pk) for student_pk in wanted if student_pk not in current
            )
        if removed:
            link.objects.filter(pk__in=removed).delete()
        link.objects.bulk_create(added, batch_size=_BATCH)
