"""The help requests' pages: a teacher asks and reads their own requests; the school's administrator answers and
closes them on the school's page and sees the open ones on the dashboard; nobody else reads them; constant queries.
"""

from datetime import UTC
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from classes.help_requests import HELP_ANSWER
from classes.help_requests import HELP_ASK
from classes.help_requests import HELP_CLOSE
from classes.help_requests import help_request_answer
from classes.models import AuditEntry
from classes.models import HelpRequest
from classes.tests.factories import RegionFactory
from classes.tests.factories import UserFactory
from classes.tests.help_scenario import ANSWER
from classes.tests.help_scenario import MONDAY
from classes.tests.help_scenario import QUESTION
from classes.tests.help_scenario import HelpSchool
from classes.tests.help_scenario import help_school
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from reports.audit_log import kind_of

pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


def help_entries():
    """Return the help requests' audit entries (a login is audited too)."""
    return AuditEntry.objects.filter(action__startswith="help.")


@pytest.fixture
def school() -> HelpSchool:
    return help_school()


def teacher_url() -> str:
    return reverse("teacher-help")


def detail_url(request: HelpRequest) -> str:
    return reverse("teacher-help-detail", kwargs={"request_id": request.pk})


def school_url(school) -> str:
    return reverse("school-help-requests", kwargs={"school_id": school.pk})


def answer_url(request: HelpRequest) -> str:
    return reverse("help-request-answer", kwargs={"school_id": request.school_id, "request_id": request.pk})


def dashboard_url(school) -> str:
    return reverse("school-dashboard", kwargs={"school_id": school.pk})


def panels_url(school) -> str:
    """The dashboard's instructions and help requests panels, which htmx loads after the page."""
    return reverse("school-duties-panels", kwargs={"school_id": school.pk})


# The teacher


def test_a_teacher_asks_from_their_page(client, school):
    # given
    client.force_login(school.teacher)
    # when
    response = client.post(teacher_url(), {"topic": "chats", "text": QUESTION}, follow=True)
    # then
    request = HelpRequest.objects.get()
    assert (request.school, request.asked_by, request.topic, request.text) == (
        school.school,
        school.teacher,
        "chats",
        QUESTION,
    )
    assert "Your question is sent to the school administrator" in response.content.decode()
    assert QUESTION in response.content.decode()
    assert help_entries().get().action == "help.ask"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"topic": "chats", "text": "   "}, "Write your question: what you are doing and what goes wrong."),
        ({"topic": "chats", "text": "x" * 2001}, "Ensure this value has at most 2000 characters (it has 2001)."),
        ({"topic": "weather", "text": QUESTION}, "Choose the topic of your question from the list."),
        ({}, "Write your question: what you are doing and what goes wrong."),
    ],
)
def test_a_bad_question_shows_what_to_fix_and_writes_nothing(client, school, data, error):
    # given
    client.force_login(school.teacher)
    # when
    response = client.post(teacher_url(), data)
    # then
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not HelpRequest.objects.exists()
    assert not help_entries().exists()


def test_a_teacher_sees_their_requests_open_and_closed_with_the_answer(client, school):
    # given
    closed = school.ask(text="Первый вопрос")
    help_request_answer(help_request=closed, user=school.admin, answer=ANSWER, close=True)
    school.ask(text="Второй вопрос")
    school.ask(text="Чужой вопрос", user=school.other_teacher)
    client.force_login(school.teacher)
    # when
    html = client.get(teacher_url()).content.decode()
    detail = client.get(detail_url(closed)).content.decode()
    # then
    assert html.index("Второй вопрос") < html.index("Первый вопрос")  # open first
    assert ANSWER in html and ANSWER in detail
    assert "Чужой вопрос" not in html


def test_another_teachers_request_is_not_found(client, school):
    # given
    theirs = school.ask(user=school.other_teacher)
    client.force_login(school.teacher)
    # when / then
    assert client.get(detail_url(theirs)).status_code == 404


def test_a_teacher_whose_employment_ended_sees_nothing(client, school):
    # given
    mine = school.ask()
    staff = school.teacher.staff
    staff.employed_to = datetime(2026, 11, 1).date()
    staff.save()
    client.force_login(school.teacher)
    # when / then
    assert client.get(teacher_url()).status_code == 404
    assert client.get(detail_url(mine)).status_code == 404
    assert client.post(teacher_url(), {"topic": "chats", "text": QUESTION}).status_code == 404
    assert HelpRequest.objects.count() == 1


def test_the_teachers_pages_are_theirs_alone(client, school):
    # given
    mine = school.ask()
    # when / then
    assert client.get(teacher_url()).status_code == 302  # to the login page
    for user in (school.admin, municipal_admin(school.school.municipality)):
        client.force_login(user)
        assert client.get(teacher_url()).status_code == 403
        assert client.get(detail_url(mine)).status_code == 403


# The school administrator


def test_the_administrator_answers_and_closes_in_one_step(client, school):
    # given
    request = school.ask()
    client.force_login(school.admin)
    # when
    response = client.post(answer_url(request), {f"r{request.pk}-answer": ANSWER, "action": "close"}, follow=True)
    # then
    request.refresh_from_db()
    assert (request.state, request.answer, request.closed_by) == ("closed", ANSWER, school.admin)
    assert "The request is answered and closed." in response.content.decode()
    assert list(help_entries().order_by("pk").values_list("action", flat=True)) == [
        "help.ask",
        "help.answer",
        "help.close",
    ]


def test_the_administrator_answers_and_keeps_the_request_open(client, school):
    # given
    request = school.ask()
    client.force_login(school.admin)
    # when
    client.post(answer_url(request), {f"r{request.pk}-answer": ANSWER, "action": "answer"})
    # then
    request.refresh_from_db()
    assert (request.state, request.answer) == ("open", ANSWER)


def test_closing_with_no_answer_is_refused_on_the_page(client, school):
    # given
    request = school.ask()
    client.force_login(school.admin)
    # when
    response = client.post(answer_url(request), {f"r{request.pk}-answer": "", "action": "close"})
    # then
    assert response.status_code == 400
    assert "Write an answer first" in response.content.decode()
    request.refresh_from_db()
    assert request.state == "open"
    assert help_entries().count() == 1


def test_the_school_page_lists_open_first_then_closed_and_filters(client, school):
    # given
    closed = school.ask(text="Закрытый вопрос")
    help_request_answer(help_request=closed, user=school.admin, answer=ANSWER, close=True)
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        school.ask(text="Старый вопрос")
    school.ask(text="Новый вопрос")
    client.force_login(school.admin)
    # when
    html = client.get(school_url(school.school)).content.decode()
    open_only = client.get(school_url(school.school), {"show": "open"}).content.decode()
    closed_only = client.get(school_url(school.school), {"show": "closed"}).content.decode()
    junk = client.get(school_url(school.school), {"show": "<script>"})
    # then
    assert html.index("Старый вопрос") < html.index("Новый вопрос") < html.index("Закрытый вопрос")
    assert html.count('class="badge overdue"') == 1
    assert "Закрытый вопрос" not in open_only and "Новый вопрос" in open_only
    assert "Закрытый вопрос" in closed_only and "Новый вопрос" not in closed_only
    assert junk.status_code == 200


def test_another_schools_administrator_gets_404_by_id(client, school):
    # given
    request = school.ask()
    other = help_school()
    client.force_login(other.admin)
    # when
    page = client.get(school_url(school.school))
    answer = client.post(answer_url(request), {f"r{request.pk}-answer": ANSWER, "action": "close"})
    mixed = client.post(
        reverse("help-request-answer", kwargs={"school_id": other.school.pk, "request_id": request.pk}),
        {f"r{request.pk}-answer": ANSWER, "action": "close"},
    )
    # then
    assert (page.status_code, answer.status_code, mixed.status_code) == (404, 404, 404)
    request.refresh_from_db()
    assert (request.state, request.answer) == ("open", "")


def test_municipal_and_regional_administrators_read_no_request(client, school):
    # given
    request = school.ask()
    region = RegionFactory()
    school.school.municipality.region = region
    school.school.municipality.save()
    # when / then
    for user in (municipal_admin(school.school.municipality), regional_admin(region), school.teacher):
        client.force_login(user)
        assert client.get(school_url(school.school)).status_code == 403
        assert client.post(answer_url(request), {f"r{request.pk}-answer": ANSWER}).status_code == 403
    client.force_login(municipal_admin(school.school.municipality))
    dashboard = client.get(dashboard_url(school.school)).content.decode()
    panels = client.get(panels_url(school.school)).content.decode()
    assert QUESTION not in dashboard + panels and 'id="help-requests-panel"' not in panels


def test_the_dashboard_shows_the_open_requests_overdue_marked(client, school):
    # given
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        old = school.ask()
    new = school.ask(topic="chats")
    closed = school.ask(topic="other")
    help_request_answer(help_request=closed, user=school.admin, answer=ANSWER, close=True)
    client.force_login(school.admin)
    # when
    dashboard = client.get(dashboard_url(school.school)).content.decode()
    response = client.get(panels_url(school.school))
    # then
    assert panels_url(school.school) in dashboard
    panel = response.context["help_requests"]
    assert (panel.open, panel.overdue, panel.items) == (2, 1, [old, new])
    html = response.content.decode()
    assert 'id="help-requests-panel"' in html
    assert f"#help-{old.pk}" in html and f"#help-{closed.pk}" not in html


# Queries


def test_the_teachers_page_takes_the_same_queries_whatever_the_number_of_requests(
    client, school, django_assert_num_queries
):
    # given
    school.ask()
    client.force_login(school.teacher)

    def grow():
        for index in range(5):
            request = school.ask(text=f"Вопрос {index}")
            help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=index % 2 == 0)

    # when / then
    assert_constant_queries(client, teacher_url(), grow, django_assert_num_queries, at_most=8)


def test_the_school_page_takes_the_same_queries_whatever_the_number_of_requests(
    client, school, django_assert_num_queries
):
    # given
    school.ask()
    client.force_login(school.admin)

    def grow():
        for index in range(5):
            user = school.teacher if index % 2 else school.other_teacher
            request = school.ask(text=f"Вопрос {index}", user=user)
            help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=index % 2 == 0)

    # when / then
    assert_constant_queries(client, school_url(school.school), grow, django_assert_num_queries, at_most=8)


def test_the_dashboard_panel_takes_the_same_queries_whatever_the_number_of_requests(
    client, school, django_assert_num_queries
):
    # given
    school.ask()
    client.force_login(school.admin)

    def grow():
        for index in range(8):
            school.ask(text=f"Вопрос {index}", user=school.other_teacher)

    # when / then
    assert_constant_queries(client, panels_url(school.school), grow, django_assert_num_queries, at_most=8)


def test_a_teachers_request_page_takes_a_fixed_number_of_queries(client, school, django_assert_num_queries):
    # given
    request = school.ask()
    help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=True)
    client.force_login(school.teacher)
    client.get(detail_url(request))
    # when / then
    with django_assert_num_queries(5):
        assert client.get(detail_url(request)).status_code == 200


def test_help_requests_are_a_kind_of_the_audit_page(client, school):
    # given
    request = school.ask()
    help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=True)
    client.force_login(school.admin)
    # when
    response = client.get(reverse("audit-log"), {"kind": "help"})
    # then
    assert {kind_of(action) for action in (HELP_ASK, HELP_ANSWER, HELP_CLOSE)} == {"help"}
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Asked for help: request {request.pk}, topic invites." in html
    assert QUESTION not in html and ANSWER not in html


def test_the_django_admin_shows_the_requests_and_changes_none(client, school):
    # given
    request = school.ask()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # when
    listed = client.get(reverse("admin:classes_helprequest_changelist"))
    change = client.post(reverse("admin:classes_helprequest_change", args=[request.pk]), {"state": "closed"})
    # then
    assert listed.status_code == 200
    assert client.get(reverse("admin:classes_helprequest_add")).status_code == 403
    assert change.status_code == 403
    request.refresh_from_db()
    assert request.state == "open"
