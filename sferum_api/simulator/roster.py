"""Building the simulated school's official roster: staff, class teachers, subject teachers, students, parents."""

from __future__ import annotations

import csv
import io
from datetime import date
from datetime import timedelta

import sferum_api.simulator.data as data

from .records import ROSTER_COLUMNS
from .records import SimAssignment
from .records import SimPerson
from .records import name_key


class RosterBuilder:
    """Build the roster of a `GeneratedSchool` (a mixin: the school holds the state)."""

    def _adult_male(self) -> tuple[str, str, str]:
        return self._rng.choice(data.MALE_ADULT_NAMES)

    def _staff_person(self, used: set[tuple[str, str]], **fields) -> SimPerson:
        rng = self._rng
        while True:
            gender = fields.pop("gender", None) or ("f" if rng.random() < 0.82 else "m")
            surname = rng.choice(data.SURNAMES)
            father = self._adult_male()
            if gender == "f":
                last, first, patronymic = data.surname_feminine(surname), rng.choice(data.FEMALE_ADULT_NAMES), father[2]
            else:
                last, first, patronymic = surname, self._adult_male()[0], father[1]
            if name_key(last, first) not in used:
                used.add(name_key(last, first))
                break
        number = len(self.staff) + 1
        email = f"t{number:03d}@demo-{self.school_index + 1}.example.org"
        return _person_add(
            self.staff, "staff", f"T-{number:03d}", (last, first, patronymic), gender, email=email, **fields
        )

    def _roster_build(self) -> None:
        rng = self._rng
        used: set[tuple[str, str]] = set()
        self._staff_person(used, position="директор", teaches=False)
        self._staff_person(used, position="заместитель директора по УВР", teaches=True)
        self.class_teacher: dict[str, SimPerson] = {}
        core = [0, 1, 2, 3, 7, 6, 9, 5, 4, 10, 8]
        rng.shuffle(core)
        for index, class_name in enumerate(self.classes):
            grade = int(class_name[:-1])
            if grade <= 4:
                teacher = self._staff_person(
                    used, position="учитель начальных классов", gender="f", class_teacher_of=[class_name]
                )
            else:
                subject = core[index % len(core)]
                teacher = self._staff_person(
                    used,
                    position=f"учитель {data.SUBJECTS[subject][1]}",
                    class_teacher_of=[class_name],
                    subject=subject,
                )
            self.class_teacher[class_name] = teacher
        for subject in data.EXTRA_TEACHER_SUBJECTS[: rng.randint(14, 16)]:
            self._staff_person(used, position=f"учитель {data.SUBJECTS[subject][1]}", subject=subject)
        for position in data.NON_TEACHING_POSITIONS[: rng.randint(3, 5)]:
            self._staff_person(used, position=position, teaches=False)
        self._assignments_build()
        self._students_build()

    def _assignments_build(self) -> None:
        by_subject: dict[int, list[SimPerson]] = {}
        for person in self.staff:
            if person.subject is not None:
                by_subject.setdefault(person.subject, []).append(person)
        load: dict[str, int] = {}
        for class_name in self.classes:
            grade = int(class_name[:-1])
            if grade <= 4:
                self.assignments.append(
                    SimAssignment(self.class_teacher[class_name].person_id, class_name, "Начальные классы")
                )
                continue
            for subject, from_grade in ((0, 5), (1, 5), (3, 5), (7, 5), (6, 5), (9, 5), (4, 7), (10, 7), (5, 8)):
                teachers = by_subject.get(subject)
                if grade < from_grade or not teachers:
                    continue
                teacher = min(teachers, key=lambda person: (load.get(person.person_id, 0), person.person_id))
                load[teacher.person_id] = load.get(teacher.person_id, 0) + 1
                self.assignments.append(SimAssignment(teacher.person_id, class_name, data.SUBJECTS[subject][0]))

    def _birth_date(self, grade: int) -> date:
        first = self.academic_year_start.year - 7 - grade
        return date(first, 9, 1) + timedelta(days=self._rng.randrange(365))

    def _students_build(self) -> None:
        """Fill every class with students from families: siblings in other classes, twins, namesakes."""
        rng = self._rng
        sizes = {class_name: rng.randint(20, 30) for class_name in self.classes}
        slots: dict[str, list[SimPerson | None]] = {name: [None] * size for name, size in sizes.items()}
        student_keys: dict[str, set[tuple[str, str]]] = {name: set() for name in self.classes}
        parent_keys: dict[str, set[tuple[str, str]]] = {name: set() for name in self.classes}
        twins_class = rng.choice(self.classes[6:30])
        namesake_classes = rng.sample(self.classes[9:], 3)
        families: list[dict] = []

        def child(family: dict, class_name: str, gender: str, first_name: str | None = None) -> SimPerson | None:
            surname = family["surname"]
            last = surname if gender == "m" else data.surname_feminine(surname)
            names = data.MALE_CHILD_NAMES if gender == "m" else data.FEMALE_CHILD_NAMES
            for _attempt in range(20):
                first = first_name or rng.choice(names)
                if name_key(last, first) not in student_keys[class_name]:
                    break
                first_name = None
            else:
                return None
            student_keys[class_name].add(name_key(last, first))
            father = family["father_name"]
            person = SimPerson(
                role="student",
                person_id="",
                last_name=last,
                first_name=first,
                patronymic=father[1] if gender == "m" else father[2],
                gender=gender,
                birth_date=family.get("twins_birth") or self._birth_date(int(class_name[:-1])),
                class_name=class_name,
            )
            family["children"].append(person)
            return person

        def family_new(surname: str | None = None) -> dict:
            roll = rng.random()
            family = {
                "surname": surname or rng.choice(data.SURNAMES),
                "father_name": self._adult_male(),
                "mother": roll < 0.87,
                "father": roll < 0.42 or 0.87 <= roll < 0.97,
                "children": [],
            }
            families.append(family)
            return family

        for class_name in self.classes:
            grade = int(class_name[:-1])
            for index in range(sizes[class_name]):
                if slots[class_name][index] is not None:
                    continue
                gender = rng.choice("mf")
                if class_name == twins_class and index == 0:
                    family = family_new()
                    family["mother"] = family["father"] = True
                    family["twins_birth"] = self._birth_date(grade)
                    for twin_index, twin_gender in ((0, "m"), (1, rng.choice("mf"))):
                        slots[class_name][twin_index] = child(family, class_name, twin_gender)
                    continue
                if class_name in namesake_classes and index == 0:
                    source = self._namesake_source(slots, class_name)
                    surname = next(
                        name for name in data.SURNAMES if source.last_name in (name, data.surname_feminine(name))
                    )
                    family = family_new(surname)
                    slots[class_name][index] = child(family, class_name, source.gender, source.first_name)
                    continue
                family = family_new()
                slots[class_name][index] = child(family, class_name, gender)
                if rng.random() < 0.09:
                    others = [
                        name
                        for name in self.classes[self.classes.index(class_name) + 1 :]
                        if int(name[:-1]) != grade and None in slots[name]
                    ]
                    if others:
                        sibling_class = rng.choice(others)
                        sibling = child(family, sibling_class, rng.choice("mf"))
                        slots[sibling_class][slots[sibling_class].index(None)] = sibling
        # Number the students in class order, then build the parents of each family.
        for class_name in self.classes:
            for person in slots[class_name]:
                if person is None:  # a name clash nobody could fix; the class is one smaller
                    continue
                person.person_id = f"S-{1001 + len(self.students)}"
                self.students.append(person)
        for family in families:
            children = [person for person in family["children"] if person.person_id]
            if not children:
                continue
            classes = sorted({person.class_name for person in children})
            for role_gender in ("f", "m"):
                if not family["mother" if role_gender == "f" else "father"]:
                    continue
                parent = self._parent_person(family, role_gender, classes, parent_keys)
                if parent is not None:
                    parent.children = [person.person_id for person in children]
        self._families = [[p for p in family["children"] if p.person_id] for family in families]
        self._families = [children for children in self._families if children]

    def _namesake_source(self, slots: dict[str, list[SimPerson | None]], class_name: str) -> SimPerson:
        grade = int(class_name[:-1])
        for other in self.classes:
            if int(other[:-1]) < grade and slots[other][1] is not None:
                return slots[other][1]
        raise AssertionError("no namesake source")  # pragma: no cover

    def _parent_person(
        self, family: dict, gender: str, classes: list[str], parent_keys: dict[str, set[tuple[str, str]]]
    ) -> SimPerson | None:
        """Return a new parent of the family, or None when a namesake parent in the same class rules it out."""
        rng = self._rng
        surname = family["surname"]
        for _attempt in range(30):
            if gender == "f":
                last, first = data.surname_feminine(surname), rng.choice(data.FEMALE_ADULT_NAMES)
                patronymic = self._adult_male()[2]
            else:  # the father's name is fixed by the children's patronymic
                last, first = surname, family["father_name"][0]
                patronymic = self._adult_male()[1]
            key = name_key(last, first)
            if all(key not in parent_keys[name] for name in classes):
                break
            if gender == "m":
                return None
        else:
            return None
        for name in classes:
            parent_keys[name].add(key)
        phone = f"+79{rng.randrange(10**9):09d}"
        return _person_add(
            self.parents, "parent", f"P-{2001 + len(self.parents)}", (last, first, patronymic), gender, phone=phone
        )

    def roster_rows(self) -> list[dict[str, str]]:
        """Return the official roster: staff, then students, then parents, in roster-format.md columns."""
        return [person.roster_row() for person in (*self.staff, *self.students, *self.parents)]

    def roster_csv(self) -> bytes:
        """Return the roster as a `;`-separated utf-8 CSV file with a header row."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=ROSTER_COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.roster_rows())
        return buffer.getvalue().encode("utf-8")


def _person_add(
    people: list[SimPerson], role: str, person_id: str, names: tuple[str, str, str], gender: str, **fields
) -> SimPerson:
    """Add a person (last, first and patronymic name) of the role to the list; return them."""
    last, first, patronymic = names
    person = SimPerson(
        role=role, person_id=person_id, last_name=last, first_name=first, patronymic=patronymic, gender=gender, **fields
    )
    people.append(person)
    return person
