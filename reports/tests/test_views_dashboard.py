"""The school administrator's dashboard: access, the rates `metrics_compute` reports, the classes table, panels."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from chats.tests.scenario import class_data_add
from chats.tests.scenario import classes_add
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import UserFactory
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from reports.selectors import TeacherStatus
from reports.services import activation_snapshot_build
from reports.services import weekly_activity_build
from reports.services import weekly_activity_ensure

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def dashboard_url(school) -> str:
    return reverse("school-dashboard", kwargs={"school_id": school.pk})


# Access


def test_anonymous_goes_to_the_login_page(client):
    # given
    data = school_build()
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_teacher_gets_403(client):
    # given
    data = school_build()
    client.force_login(teacher_user(data))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert response.status_code == 403


def test_a_user_without_a_role_gets_403(client):
    # given
    data = school_build()
    client.force_login(UserFactory())
    # when / then
    assert client.get(dashboard_url(data.school)).status_code == 403


def test_a_school_administrator_gets_404_for_another_school(client):
    # given
    mine, other = school_build(), school_build()
    client.force_login(school_admin(mine.school))
    # when
    response = client.get(dashboard_url(other.school))
    # then
    assert response.status_code == 404
    assert other.school.short_name.encode() not in response.content


def test_a_municipal_administrator_gets_404_for_another_municipality(client):
    # given
    data = school_build()
    client.force_login(municipal_admin(MunicipalityFactory()))
    # when / then
    assert client.get(dashboard_url(data.school)).status_code == 404


def test_a_municipal_administrator_sees_their_school_read_only(client):
    # given
    data = school_build(classes=2)
    sync_runs_add(data.school)
    client.force_login(municipal_admin(data.school.municipality))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert response.status_code == 200
    main = response.content.decode().split('<main id="main"', 1)[1]
    assert 'method="post"' not in main
    assert reverse("sync-now", kwargs={"school_id": data.school.pk}) not in main
    assert response.context["can_edit"] is False


def test_the_school_administrator_sees_the_buttons_that_write(client):
    # given
    data = school_build()
    runs = sync_runs_add(data.school)
    client.force_login(school_admin(data.school))
    # when
    html = client.get(dashboard_url(data.school)).content.decode()
    # then
    assert reverse("sync-now", kwargs={"school_id": data.school.pk}) in html
    assert reverse("sync-confirm", kwargs={"run_id": runs[1].pk}) in html


# The figures


def metrics_json(school) -> dict:
    out = StringIO()
    call_command("metrics_compute", "--school", school.code, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_rates_are_the_ones_metrics_compute_reports(client):
    # given
    data = school_build(classes=3, students=3)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    report = metrics_json(data.school)
    # then
    metrics = response.context["metrics"]
    for group in ("staff", "students", "parents"):
        rate = getattr(metrics, group)
        expected = report["activation"][group]
        assert (rate.numerator, rate.denominator, rate.rounded, rate.passes) == (
            expected["numerator"],
            expected["denominator"],
            expected["rate"],
            expected["passes"],
        )
    assert metrics.week.week == report["week"]
    active = metrics.active_teachers
    assert [active.numerator, active.denominator, active.rounded] == list(report["active_teachers"].values())
    rows = {row.name: row for row in response.context["rows"]}
    for expected in report["activation"]["classes"]:
        row = rows[expected["class"]]
        assert row.students.as_json() == expected["students"]
        assert row.parents.as_json() == expected["parents"]
        assert (row.has_students_chat, row.has_parents_chat) == (
            expected["has_students_chat"],
            expected["has_parents_chat"],
        )


def test_rates_show_two_decimals_and_pass_or_fail_in_words(client):
    # given: 5 of 9 students activated (55.56 %), 1 of 9 with an activated parent
    data = school_build(classes=1, students=9)
    client.force_login(school_admin(data.school))
    # when
    html = client.get(dashboard_url(data.school)).content.decode()
    # then
    assert "55.56\u00a0%" in html
    assert 'data-rate="0.5556"' in html
    assert "below target" in html
    assert 'data-numerator="5" data-denominator="9"' in html


def test_change_since_last_week_comes_from_the_snapshot_of_seven_days_earlier(client):
    # given: a snapshot a week ago, then a class more (its students are half activated)
    data = school_build(classes=1, students=2)
    activation_snapshot_build(school=data.school, day=NOW.date() - timedelta(days=7))
    class_data_add(data, grade=2, letter="А", students=4)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then: students were 1/2 a week ago and are 3/6 now: no change; staff 2/2 then 4/4 now
    metrics = response.context["metrics"]
    assert metrics.change("students") == 0
    assert metrics.change("staff") == 0
    assert metrics.week_ago["students"].numerator == 1


def test_without_a_snapshot_a_week_ago_the_change_is_a_dash(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert response.context["metrics"].change("students") is None
    assert "Change in a week: —" in response.content.decode()


def test_teachers_below_the_threshold_come_with_their_weeks_and_flags(client):
    # given: stored weeks for the sparkline
    data = school_build(classes=2)
    weekly_activity_build(school=data.school, week_start=LAST_WEEK - timedelta(days=7))
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then: the subject teachers wrote nothing
    inactive = response.context["inactive"]
    assert {entry["teacher"].staff_id for entry in inactive} == {data.teachers[1].pk, data.teachers[3].pk}
    assert all(entry["teacher"].status == TeacherStatus.INACTIVE for entry in inactive)
    assert inactive[0]["counts"][-2:] == [0, 0]
    assert "<svg" in str(inactive[0]["spark"]) and "<desc" in str(inactive[0]["spark"])


def test_the_panels_show_the_sync_and_held_runs(client):
    # given
    data = school_build()
    runs = sync_runs_add(data.school, held=2)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert response.context["last_sync"].pk == runs[1].pk
    assert [run.pk for run in response.context["held"]] == [runs[1].pk, runs[2].pk]


def test_classes_without_a_class_teacher_are_flagged(client):
    # given
    data = school_build(classes=2)
    data.classes[0].class_teacher = None
    data.classes[0].save(update_fields=["class_teacher"])
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school))
    # then
    assert [c.class_id for c in response.context["without_class_teacher"]] == [data.classes[0].pk]


# The classes table


def test_the_classes_table_filters_and_sorts_without_javascript(client):
    # given: class 1А has a parents chat, 2А none
    data = school_build(classes=3, students=2)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school), {"chats": "missing", "sort": "-class"})
    # then
    assert [row.name for row in response.context["rows"]] == ["2А"]
    response = client.get(dashboard_url(data.school), {"sort": "-class"})
    assert [row.name for row in response.context["rows"]] == ["3А", "2А", "1А"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_classes_table_filters_by_rates_below_target(client):
    # given: every class has 1 of 2 students activated (50 %)
    data = school_build(classes=2, students=2)
    client.force_login(school_admin(data.school))
    # when
    below = client.get(dashboard_url(data.school), {"below_target": "students"}).context["rows"]
    # then
    assert len(below) == 2


def test_an_unknown_sort_is_ignored(client):
    # given
    data = school_build(classes=2)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(dashboard_url(data.school), {"sort": "__class__"})
    # then
    assert response.status_code == 200
    assert response.context["sort"] == ""


def test_htmx_gets_only_the_results_partial(client):
    # given
    data = school_build(classes=2)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(
        dashboard_url(data.school), {"sort": "students"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="class-results"
    )
    # then
    html = response.content.decode()
    assert response.templates[0].name == "reports/classes/_results.html"
    assert "<html" not in html and 'id="class-table"' in html
    assert "HX-Request" in response["Vary"]


def test_each_class_links_to_its_page(client):
    # given
    data = school_build(classes=2)
    client.force_login(school_admin(data.school))
    # when
    html = client.get(dashboard_url(data.school)).content.decode()
    # then
    for school_class in data.classes:
        assert reverse("class-detail", kwargs={"class_id": school_class.pk}) in html


# Queries


def test_the_dashboard_makes_at_most_15_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build(classes=1, students=1)
    sync_runs_add(data.school)
    weekly_activity_ensure(school=data.school, weeks=2)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 6), letter="Б", students=3)
        sync_runs_add(data.school, held=2)
        weekly_activity_ensure(school=data.school, weeks=4)

    # when / then: the instructions, help requests and materials panels load after the page (htmx)
    assert_constant_queries(client, dashboard_url(data.school), grow, django_assert_num_queries, at_most=15)


def test_the_htmx_partial_makes_as_many_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build(classes=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 5), letter="В", students=2)

    # when / then
    assert_constant_queries(
        client,
        dashboard_url(data.school) + "?chats=missing&sort=parents",
        grow,
        django_assert_num_queries,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="class-results",
    )


def test_the_reconciliation_panel_tells_each_schools_quarter_status_with_its_link():
    from datetime import date

    from classes.tests.factories import QuarterFactory
    from classes.tests.factories import SchoolFactory
    from reports.panels import reconciliation_panels

    # given: one school in its quarter, one whose quarter ended, one without quarters
    current, ended, bare = SchoolFactory(), SchoolFactory(), SchoolFactory()
    QuarterFactory(year__school=current, starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 24))
    QuarterFactory(year__school=ended, starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 1))
    day = date(2026, 10, 5)
    # when
    panels = reconciliation_panels(schools=[current, ended, bare], days={s.pk: day for s in (current, ended, bare)})
    # then
    assert {pk: (p.status, p.state) for pk, p in panels.items()} == {
        current.pk: ("due", "warn"),
        ended.pk: ("overdue", "bad"),
        bare.pk: ("due", "warn"),
    }
    assert panels[current.pk].url == reverse("reconciliation", kwargs={"school_id": current.pk})
