"""The dashboard as a work list: classes below target counted and linked, no green verdict while classes fail,
the overview's and its export's column, the class page's people not activated, the order of the dashboard."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.tests.scenario import class_data_add
from chats.tests.scenario import school_build
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import ParentFactory
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from reports.summaries import school_summaries_build
from reports.tests.independent_count import independent_count

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
TODAY = date(2026, 11, 19)
NBSP = "\u00a0"


def dashboard_url(school) -> str:
    return reverse("school-dashboard", kwargs={"school_id": school.pk})


def students_of(school_class) -> list:
    return [e.student for e in Enrollment.objects.filter(school_class=school_class).select_related("student")]


def activate_students(school_class) -> None:
    """Give every student of the class without an account an activated student account."""
    for student in students_of(school_class):
        if not student.sferum_accounts.exists():
            SferumAccountFactory(school=school_class.school, student=student, role_code=SferumAccount.RoleCode.STUDENT)


def activate_parents(school_class) -> None:
    """Give every parent of the class's students without an account an activated parent account."""
    for student in students_of(school_class):
        for parent in student.parents.all():
            if not parent.sferum_accounts.exists():
                SferumAccountFactory(school=school_class.school, parent=parent, role_code=SferumAccount.RoleCode.PARENT)


def mixed_school(**fields):
    """Return a school of four classes of two: each half activated (below 90 %), then class 1 with every student
    activated, class 2 with every parent, class 3 with both; so students fail in 2 classes, parents in 2, either
    in 3."""
    data = school_build(classes=4, students=2, **fields)
    activate_students(data.classes[1])
    activate_parents(data.classes[2])
    activate_students(data.classes[3])
    activate_parents(data.classes[3])
    return data


def independent_below_target(code: str) -> dict[str, int]:
    classes = independent_count(code, LAST_WEEK, TODAY)["classes"]
    students = {c["class"] for c in classes if c["students"]["passes"] is False}
    parents = {c["class"] for c in classes if c["parents"]["passes"] is False}
    return {"any": len(students | parents), "students": len(students), "parents": len(parents)}


# The dashboard


def test_the_dashboard_counts_the_classes_below_target_as_the_independent_count(client):
    # given
    data = mixed_school()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    counts = response.context["below_target"].counts
    assert {"any": counts.any, "students": counts.students, "parents": counts.parents} == independent_below_target(
        data.school.code
    )
    assert (counts.any, counts.students, counts.parents) == (3, 2, 2)
    text = response.content.decode()
    assert f"3 classes below 90{NBSP}%</a>:" in text
    assert "students — 2" in text and "parents — 2" in text


def test_the_sentence_names_the_school_target_from_its_settings(client):
    # given: a school whose targets are 50 %: the half-activated classes pass them
    data = mixed_school()
    data.school.students_target = data.school.parents_target = Decimal("0.5")
    data.school.save()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert response.context["below_target"].counts.any == 0
    assert 'id="classes-below-target"' not in response.content.decode()


def test_the_count_links_to_the_classes_table_filtered_to_the_failing_classes(client):
    # given
    data = mixed_school()
    client.force_login(school_admin(data.school))
    below = client.get(dashboard_url(data.school)).context["below_target"]
    # when
    students = client.get(below.students_url)
    every = client.get(below.any_url)
    # then
    classes = independent_count(data.school.code, LAST_WEEK, TODAY)["classes"]
    failing_students = {c["class"] for c in classes if c["students"]["passes"] is False}
    failing = failing_students | {c["class"] for c in classes if c["parents"]["passes"] is False}
    assert below.students_url == f"{dashboard_url(data.school)}?below_target=students#classes"
    assert (
        {row.name for row in students.context["rows"]}
        == failing_students
        == {data.classes[0].name, data.classes[2].name}
    )
    assert {row.name for row in every.context["rows"]} == failing
    assert len(failing) == below.counts.any == 3


def test_no_green_verdict_for_a_school_whose_classes_fail(client):
    # given: class 1 with 1 of 2 students activated (fails), class 5Б with 20 of 20: the school's 21 of 22 passes
    data = school_build(classes=1, students=2)
    big = class_data_add(data, grade=5, letter="Б", students=20)
    activate_students(big)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    metrics = response.context["metrics"]
    assert (metrics.students.numerator, metrics.students.denominator, metrics.students.passes) == (21, 22, True)
    assert response.context["below_target"].counts.students == 1
    text = response.content.decode()
    card = text[text.index('id="rate-students"') : text.index('id="rate-parents"')]
    assert "passes" not in card
    assert "the total reaches the target, classes do not" in card
    assert "1 class below target" in card
    assert 'class="card warn" id="rate-students"' in text


def test_a_school_without_failing_classes_keeps_its_green_verdict(client):
    # given
    data = school_build(classes=2, students=2)
    for school_class in data.classes:
        activate_students(school_class)
    client.force_login(school_admin(data.school))
    # when
    text = client.get(dashboard_url(data.school)).content.decode()
    # then
    card = text[text.index('id="rate-students"') : text.index('id="rate-parents"')]
    assert "✓ passes" in card and 'class="card pass" id="rate-students"' in text


def test_the_dashboard_puts_what_needs_action_first_then_tables_then_history(client):
    # given
    data = mixed_school()
    client.force_login(school_admin(data.school))
    # when
    text = client.get(dashboard_url(data.school)).content.decode()
    # then
    order = [
        'id="activation-heading"',
        'id="attention-heading"',
        'id="reconciliation-heading"',
        'id="changes-heading"',
        'id="sync-heading"',
        'id="classes-heading"',
        'id="teachers-heading"',
        'id="charts-heading"',
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_the_attention_list_names_what_the_dashboard_knows_needs_action(client):
    # given: one class below target; its subject teacher wrote nothing last week; the reconciliation is due
    data = school_build(classes=1, students=2)
    client.force_login(school_admin(data.school))
    # when
    text = client.get(dashboard_url(data.school)).content.decode()
    # then
    attention = text[text.index('id="attention-heading"') : text.index('id="reconciliation-heading"')]
    assert "1 class below 90" in attention
    assert "1 teacher wrote fewer messages than the threshold last week" in attention
    assert "Roster reconciliation" in attention
    assert "Nothing needs your action today." not in attention


# The municipal overview and its export


def test_the_overview_and_its_xlsx_have_the_classes_below_target_per_school(client):
    # given
    municipality = MunicipalityFactory()
    mixed = mixed_school(municipality=municipality)
    passing = school_build(municipality=municipality, classes=1, students=2)
    activate_students(passing.classes[0])
    activate_parents(passing.classes[0])
    school_summaries_build(schools=[mixed.school, passing.school])  # what the overview reads
    client.force_login(municipal_admin(municipality))
    # when
    page = client.get(reverse("municipal-overview"))
    export = client.get(reverse("municipal-export"), {"format": "xlsx"})
    # then
    by_school = {row.school.code: row.metrics.below_target.any for row in page.context["rows"]}
    assert by_school == {
        mixed.school.code: independent_below_target(mixed.school.code)["any"],
        passing.school.code: 0,
    }
    assert 'data-count="3"' in page.content.decode()
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [cell.value for cell in sheet[5]]
    column = header.index("Classes below target")
    values = {row[1]: row[column] for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert values[mixed.school.code] == 3
    assert values[passing.school.code] == 0
    assert list(sheet.iter_rows(values_only=True))[-1][column] == 3  # the totals row
    assert "Classes below target: students" in header and "Classes below target: parents" in header


def test_the_overview_keeps_a_constant_number_of_queries(client, django_assert_num_queries):
    # given
    municipality = MunicipalityFactory()
    school_summaries_build(schools=[mixed_school(municipality=municipality).school])
    client.force_login(municipal_admin(municipality))

    # when / then
    assert_constant_queries(
        client,
        reverse("municipal-overview"),
        lambda: school_summaries_build(schools=[mixed_school(municipality=municipality).school]),
        django_assert_num_queries,
    )


# The administrator's class page


def class_url(school_class) -> str:
    return reverse("class-detail", kwargs={"class_id": school_class.pk})


def test_the_class_page_lists_the_students_and_parents_not_activated_read_only(client):
    # given: class_data_add activates every other student and the first student's parent
    data = school_build(classes=1, students=3)
    school_class = data.classes[0]
    client.force_login(school_admin(data.school))
    # when
    response = client.get(class_url(school_class))
    # then
    text = response.content.decode()
    roster = response.context["roster"]
    assert [row.name for row in roster.students_not_activated] == [
        row.name for row in roster.students if row.status != "active"
    ]
    assert len(roster.students_not_activated) == 1 and len(roster.parents_not_activated) == 2
    for row in roster.students_not_activated:
        assert row.name in text
    assert 'id="students-title"' in text and 'id="parents-title"' in text
    assert reverse("invite-create", kwargs={"class_id": school_class.pk}) not in text
    invites = reverse("teacher-class", kwargs={"class_id": school_class.pk}) + "#invites"
    qr = reverse("qr-sheet", kwargs={"class_id": school_class.pk})
    assert f'href="{invites}"' in text and f'href="{qr}"' in text
    # and the administrator may open both
    assert client.get(invites.split("#")[0]).status_code == 200
    assert client.get(qr).status_code == 200


def test_the_municipal_administrator_sees_the_names_but_no_invite_links(client):
    # given
    data = school_build(classes=1, students=3)
    client.force_login(municipal_admin(data.school.municipality))
    # when
    text = client.get(class_url(data.classes[0])).content.decode()
    # then
    assert 'id="students-title"' in text
    assert reverse("qr-sheet", kwargs={"class_id": data.classes[0].pk}) not in text


def test_the_class_page_queries_do_not_grow_with_its_students(client, django_assert_num_queries):
    # given
    data = school_build(classes=1, students=2)
    school_class = data.classes[0]
    client.force_login(school_admin(data.school))

    def grow():
        for _ in range(5):
            enrollment = EnrollmentFactory(school_class=school_class, starts_on=date(2026, 9, 1))
            parent = ParentFactory(school=data.school, children=[enrollment.student])
            SferumAccountFactory(school=data.school, parent=parent, role_code=SferumAccount.RoleCode.PARENT)

    # when / then
    response = assert_constant_queries(client, class_url(school_class), grow, django_assert_num_queries)
    assert response.context["roster"].enrolled == 7
