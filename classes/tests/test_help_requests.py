"""Help requests: a teacher asks, an administrator of their school answers and closes; overdue after the school's
number of school days (holidays excluded, the setting inherited); every step audited without the texts."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.db import transaction
from django.urls import reverse

from classes.help_requests import HELP_ANSWER
from classes.help_requests import HELP_ASK
from classes.help_requests import HELP_CLOSE
from classes.help_requests import HelpRequestError
from classes.help_requests import help_queue
from classes.help_requests import help_request_answer
from classes.help_requests import help_requests_demo_seed
from classes.help_requests import help_requests_for_school
from classes.help_requests import help_requests_for_teacher
from classes.models import AuditEntry
from classes.models import HelpRequest
from classes.models import Holiday
from classes.models import User
from classes.tests.factories import RegionFactory
from classes.tests.factories import UserFactory
from classes.tests.help_scenario import ANSWER
from classes.tests.help_scenario import MONDAY
from classes.tests.help_scenario import QUESTION
from classes.tests.help_scenario import HelpSchool
from classes.tests.help_scenario import help_school
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY), pytest.mark.usefixtures("english")]


@pytest.fixture
def school() -> HelpSchool:
    return help_school()


def overdue_on(school: HelpSchool, request: HelpRequest, day: date) -> bool:
    return help_requests_for_school(school=school.school, day=day).get(pk=request.pk).overdue


# States


def test_a_teacher_asks_in_their_school_and_the_request_is_open(school):
    # when
    request = school.ask(text=f"  {QUESTION}\n")
    # then
    request.refresh_from_db()
    assert (request.school, request.asked_by, request.asked_at) == (school.school, school.teacher, MONDAY)
    assert (request.state, request.topic, request.text, request.answer) == ("open", "invites", QUESTION, "")
    assert list(help_requests_for_teacher(user=school.teacher)) == [request]


@pytest.mark.parametrize(
    ("text", "topic", "message"),
    [
        ("  ", "chats", "Write your question: what you are doing and what goes wrong."),
        ("x" * 2001, "chats", "The question is longer than 2000 characters (it has 2001); shorten it."),
        (QUESTION, "weather", "Choose the topic of your question from the list."),
    ],
)
def test_a_bad_question_is_refused_and_writes_nothing(school, text, topic, message):
    # when
    with pytest.raises(HelpRequestError) as raised:
        school.ask(text=text, topic=topic)
    # then
    assert str(raised.value) == message
    assert not HelpRequest.objects.exists()
    assert not AuditEntry.objects.exists()


def test_only_an_employed_teacher_asks(school):
    # given
    staff = school.teacher.staff
    staff.employed_to = date(2026, 11, 1)
    staff.save()
    # when / then
    for user in (school.teacher, school.admin):
        with pytest.raises(HelpRequestError, match="Only a teacher employed at the school may ask"):
            school.ask(user=user)
    assert not HelpRequest.objects.exists()


def test_an_answer_keeps_the_request_open_and_answer_and_close_closes_it(school):
    # given
    request = school.ask()
    # when
    answered = help_request_answer(help_request=request, user=school.admin, answer=f" {ANSWER} ", close=False)
    # then
    assert (answered.state, answered.answer, answered.answered_by, answered.answered_at) == (
        "open",
        ANSWER,
        school.admin,
        MONDAY,
    )
    # when: a second answer replaces the first and closes
    closed = help_request_answer(help_request=request, user=school.admin, answer="Готово", close=True)
    # then
    closed.refresh_from_db()
    assert (closed.state, closed.answer, closed.closed_by) == ("closed", "Готово", school.admin)
    assert closed.closed_at == MONDAY


def test_closing_without_an_answer_needs_an_answer_given_before(school):
    # given
    request = school.ask()
    # when / then: never answered
    with pytest.raises(HelpRequestError, match="Write an answer first"):
        help_request_answer(help_request=request, user=school.admin, answer="  ", close=True)
    with pytest.raises(HelpRequestError, match="Write an answer for the teacher"):
        help_request_answer(help_request=request, user=school.admin, answer="", close=False)
    request.refresh_from_db()
    assert request.state == "open"
    # when: answered before, closed with no new answer
    help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=False)
    closed = help_request_answer(help_request=request, user=school.admin, answer="", close=True)
    # then
    assert (closed.state, closed.answer) == ("closed", ANSWER)


def test_a_closed_request_is_not_answered_again(school):
    # given
    request = school.ask()
    help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=True)
    # when / then
    with pytest.raises(HelpRequestError, match="already closed"):
        help_request_answer(help_request=request, user=school.admin, answer="Ещё", close=False)
    request.refresh_from_db()
    assert request.answer == ANSWER


def test_the_database_refuses_a_closed_request_without_an_answer(school):
    # given
    request = school.ask()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpRequest.objects.filter(pk=request.pk).update(state="closed", closed_at=MONDAY)


def test_only_an_administrator_of_the_school_answers(school):
    # given
    request = school.ask()
    other = help_school()
    refused = [
        school.teacher,
        school.other_teacher,
        other.admin,
        municipal_admin(school.school.municipality),
    ]
    # when / then
    for user in refused:
        with pytest.raises(HelpRequestError, match="Only an administrator of the teacher's school"):
            help_request_answer(help_request=request, user=user, answer=ANSWER, close=True)
    request.refresh_from_db()
    assert (request.state, request.answer) == ("open", "")


def test_a_teacher_sees_only_their_own_requests(school):
    # given
    mine = school.ask()
    school.ask(user=school.other_teacher, topic=HelpRequest.Topic.CHATS)
    help_school().ask()
    # when / then
    assert list(help_requests_for_teacher(user=school.teacher)) == [mine]


# Overdue


@pytest.mark.parametrize(
    ("moment", "overdue"),
    [
        (datetime(2026, 11, 19, 20, 0, tzinfo=UTC), False),  # Thursday 23:00: the third school day after
        (datetime(2026, 11, 19, 21, 0, tzinfo=UTC), True),  # Friday 00:00 in Moscow
        (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), True),
    ],
)
def test_a_request_not_closed_within_three_school_days_is_overdue(school, moment, overdue):
    # given: asked on Monday
    request = school.ask()
    # when
    with time_machine.travel(moment, tick=False):
        day = moment.astimezone(school.school.tz).date()
        queue = help_queue(school=school.school, day=day)
    # then
    assert overdue_on(school, request, day) is overdue
    assert (queue.open, queue.overdue, queue.items) == (1, int(overdue), [request])


def test_holidays_and_weekends_are_not_school_days(school):
    # given: asked on Thursday 22 October; autumn holidays from 25 October to 3 November
    Holiday.objects.create(
        year=school.data.year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 3)
    )
    with time_machine.travel(datetime(2026, 10, 22, 9, tzinfo=UTC), tick=False):
        request = school.ask()
    # when / then: Friday 23 October, Wednesday 4 and Thursday 5 November are the three school days
    assert not overdue_on(school, request, date(2026, 11, 5))
    assert overdue_on(school, request, date(2026, 11, 6))


def test_an_answered_request_still_open_is_overdue_but_a_closed_one_never(school):
    # given
    answered = school.ask()
    closed = school.ask(topic=HelpRequest.Topic.OTHER)
    help_request_answer(help_request=answered, user=school.admin, answer=ANSWER, close=False)
    help_request_answer(help_request=closed, user=school.admin, answer=ANSWER, close=True)
    # when
    queue = help_queue(school=school.school, day=date(2026, 12, 20))
    # then
    assert overdue_on(school, answered, date(2026, 12, 20))
    assert not overdue_on(school, closed, date(2026, 12, 20))
    assert (queue.open, queue.overdue, queue.items) == (1, 1, [answered])


def test_the_number_of_school_days_is_a_setting_inherited_from_the_region_and_municipality(school):
    # given: asked on Monday 16 November
    request = school.ask()
    municipality = school.school.municipality
    municipality.region = RegionFactory(help_request_overdue_days=2)
    municipality.save()
    school.school.refresh_from_db()
    # when / then: the region's 2 days
    assert school.school.effective_help_request_overdue_days == 2
    assert not overdue_on(school, request, date(2026, 11, 18))
    assert overdue_on(school, request, date(2026, 11, 19))
    # the municipality's 1 day
    municipality.help_request_overdue_days = 1
    municipality.save()
    school.school.refresh_from_db()
    assert not overdue_on(school, request, date(2026, 11, 17))
    assert overdue_on(school, request, date(2026, 11, 18))
    # the school's own 5 days
    school.school.help_request_overdue_days = 5
    school.school.save()
    assert not overdue_on(school, request, date(2026, 11, 23))
    assert overdue_on(school, request, date(2026, 11, 24))


def test_the_default_is_three_school_days():
    # given
    data = school_build(classes=0)
    # then
    assert data.school.municipality.region is None
    assert data.school.effective_help_request_overdue_days == 3


def test_the_school_page_lists_open_first_overdue_first_then_the_last_closed(school):
    # given
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        old = school.ask(topic=HelpRequest.Topic.OTHER)
    closed = school.ask(topic=HelpRequest.Topic.CHATS)
    help_request_answer(help_request=closed, user=school.admin, answer=ANSWER, close=True)
    new = school.ask()
    with time_machine.travel(datetime(2026, 11, 16, 12, tzinfo=UTC), tick=False):
        closed_later = school.ask(topic=HelpRequest.Topic.ACTIVATION)
        help_request_answer(help_request=closed_later, user=school.admin, answer=ANSWER, close=True)
    # when
    found = list(help_requests_for_school(school=school.school, day=date(2026, 11, 16)))
    # then
    assert found == [old, new, closed_later, closed]
    assert [item.overdue for item in found] == [True, False, False, False]
    assert list(help_requests_for_school(school=school.school, day=date(2026, 11, 16), state="closed")) == [
        closed_later,
        closed,
    ]


# Audit


def test_asking_answering_and_closing_are_audited_with_ids_and_topic_never_the_texts(school):
    # given
    request = school.ask()
    help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=False)
    help_request_answer(help_request=request, user=school.admin, answer="", close=True)
    # when
    entries = list(AuditEntry.objects.order_by("pk"))
    # then
    assert [(entry.action, entry.user, entry.school) for entry in entries] == [
        (HELP_ASK, school.teacher, school.school),
        (HELP_ANSWER, school.admin, school.school),
        (HELP_CLOSE, school.admin, school.school),
    ]
    assert [entry.description for entry in entries] == [
        f"Asked for help: request {request.pk}, topic invites.",
        f"Answered the help request {request.pk} of login {school.teacher.pk}, topic invites.",
        f"Closed the help request {request.pk} of login {school.teacher.pk}, topic invites.",
    ]
    assert entries[0].municipality == school.school.municipality


def test_answer_and_close_in_one_step_writes_both_entries(school):
    # given
    request = school.ask()
    # when
    help_request_answer(help_request=request, user=school.admin, answer=ANSWER, close=True)
    # then
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [HELP_ASK, HELP_ANSWER, HELP_CLOSE]
    assert not AuditEntry.objects.filter(description__contains="ссылк").exists()


def test_a_refused_answer_writes_no_entry(school):
    # given
    request = school.ask()
    # when
    with pytest.raises(HelpRequestError):
        help_request_answer(help_request=request, user=school.admin, answer="", close=True)
    # then
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [HELP_ASK]


# The demo


def test_the_demo_seed_asks_one_closed_and_one_open_request(school):
    # when
    seeded = help_requests_demo_seed(teacher=school.teacher)
    # then
    assert [(item.asked_by, item.state, bool(item.answer)) for item in seeded] == [
        (school.teacher, "closed", True),
        (school.teacher, "open", False),
    ]


# The setting: edited in the admin with the other thresholds, audited


@pytest.mark.parametrize(
    ("admin_name", "action", "scope"),
    [
        ("admin:classes_region_change", "settings.region", "region"),
        ("admin:classes_municipality_change", "settings.municipality", "municipality"),
        ("admin:classes_school_change", "settings.school", "school"),
    ],
)
def test_the_admin_edits_and_audits_the_help_request_days(client, school, admin_name, action, scope):
    # given
    region = RegionFactory()
    municipality = school.school.municipality
    municipality.region = region
    municipality.save()
    objects = {"region": region, "municipality": municipality, "school": school.school}
    superuser = UserFactory(role=User.Role.REGIONAL_ADMIN, region=region, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse(admin_name, args=[objects[scope].pk])
    form = client.get(url).context["adminform"].form
    assert "help_request_overdue_days" in form.fields
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(help_request_overdue_days=7)
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    objects[scope].refresh_from_db()
    assert objects[scope].help_request_overdue_days == 7
    entry = AuditEntry.objects.get(action=action)
    assert (entry.user, getattr(entry, scope)) == (superuser, objects[scope])
    assert "help_request_overdue_days: " in entry.description and "→ 7" in entry.description


def test_a_too_long_answer_is_refused(school):
    # given
    request = school.ask()
    # when
    with pytest.raises(HelpRequestError) as raised:
        help_request_answer(help_request=request, user=school.admin, answer="x" * 2001, close=True)
    # then
    assert str(raised.value) == "The answer is longer than 2000 characters (it has 2001); shorten it."
    request.refresh_from_db()
    assert (request.state, request.answer) == ("open", "")
