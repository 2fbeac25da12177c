"""Class management and arrivals and departures are in the audit log: classes created, a class teacher changed,
teaching assignments changed, a change reported or processed (its kind, id and class: never the child's name);
nothing changed writes nothing."""

import pytest

from classes.models import AuditEntry
from classes.roster_changes import roster_change_process
from classes.roster_changes import roster_change_report_arrival
from classes.services import class_teacher_assign
from classes.services import classes_create
from classes.services import teaching_assignments_replace
from classes.tests.factories import StaffFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.fixture
def data():
    return school_build(classes=1, students=2)


def test_creating_classes_is_audited_with_their_names_and_nothing_created_writes_nothing(data):
    # given
    user = school_admin(data.school)
    # when
    classes_create(school=data.school, year=data.year, grades=[10], letters="АБ", user=user)
    classes_create(school=data.school, year=data.year, grades=[10], letters="А", user=user)
    # then
    [entry] = entries("classes.create")
    assert (entry.user, entry.school, entry.rows) == (user, data.school, 2)
    assert "10А, 10Б" in entry.description


def test_a_class_teacher_and_assignments_changed_are_audited_once_each_and_a_resave_writes_nothing(data):
    # given
    user = school_admin(data.school)
    school_class = data.classes[0]
    other = StaffFactory(school=data.school)
    # when
    class_teacher_assign(school_class=school_class, staff=other, user=user)
    class_teacher_assign(school_class=school_class, staff=other, user=user)
    teaching_assignments_replace(school_class=school_class, assignments=[(other, "Физика")], user=user)
    teaching_assignments_replace(school_class=school_class, assignments=[(other, "Физика")], user=user)
    # then
    [teacher] = entries("classes.teacher")
    assert f"→ {other.pk}" in teacher.description
    assert len(entries("classes.assignments")) == 1


def test_an_arrival_reported_and_processed_is_audited_without_the_childs_name(data):
    # given
    user = school_admin(data.school)
    # when
    change = roster_change_report_arrival(
        school_class=data.classes[0],
        last_name="Новикова",
        first_name="Алёна",
        birth_date=None,
        on=NOW.date(),
        user=user,
    )
    roster_change_process(change=change, user=user, in_sferum=True, in_roster=False)
    # then
    reported, processed = entries("roster.change.report"), entries("roster.change.process")
    assert len(reported) == len(processed) == 1
    text = reported[0].description + processed[0].description
    assert "Новикова" not in text and "Алёна" not in text
    assert f"arrival {change.pk}" in text and "Sferum" in processed[0].description
