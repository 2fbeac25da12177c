"""Help requests: a teacher asks the school administrator for help, the administrator answers and closes it.

The regulation (administrator 2.1) has the school administrator give teachers methodical and technical support.
States: open → closed. An administrator of the request's school answers (the request may stay open) and closes it;
a request is closed only with an answer, given when closing or before. An open request not closed within the
school's number of school days (`School.effective_help_request_overdue_days`, default 3, holidays excluded) is
overdue. Each step is audited with the request's id and topic, never its text nor the answer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField
from django.db.models import Case
from django.db.models import F
from django.db.models import IntegerField
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext as _

from classes import clock
from classes.access import schools_for_user
from classes.models import HelpRequest
from classes.models import School
from classes.models import User
from classes.models.help import HELP_TEXT_MAX_LENGTH
from classes.school_days import SchoolCalendar
from classes.services import audit_record

# Audit actions: a teacher asked, an administrator answered, an administrator closed.
HELP_ASK = "help.ask"
HELP_ANSWER = "help.answer"
HELP_CLOSE = "help.close"

# How many open requests the dashboard's panel lists.
PANEL_SHOWN = 5

State = HelpRequest.State


class HelpRequestError(Exception):
    """The request cannot be asked, answered or closed; the message says why and what to do."""


# ---------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------


def help_request_overdue_cutoff(*, school: School, day: date, calendar: SchoolCalendar | None = None) -> datetime:
    """Return the moment before which a request still open on the day is overdue (the school's school days)."""
    calendar = calendar or SchoolCalendar.for_school(school)
    return calendar.overdue_cutoff(day=day, school_days=school.effective_help_request_overdue_days, tz=school.tz)


def _overdue(cutoff: datetime) -> Case:
    return Case(
        When(state=State.OPEN, asked_at__lt=cutoff, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _open_first() -> Case:
    return Case(When(state=State.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())


def help_requests_for_school(
    *, school: School, day: date, state: str | None = None, calendar: SchoolCalendar | None = None
) -> QuerySet[HelpRequest]:
    """Return the school's requests, open first (overdue, then oldest), then closed (last closed first), annotated
    `overdue`, with the teacher (their login and staff member) and the administrators who answered and closed."""
    cutoff = help_request_overdue_cutoff(school=school, day=day, calendar=calendar)
    requests = HelpRequest.objects.filter(school=school)
    if state:
        requests = requests.filter(state=state)
    return (
        requests.select_related("asked_by__staff", "answered_by", "closed_by")
        .annotate(overdue=_overdue(cutoff), open_first=_open_first())
        .order_by("open_first", "-overdue", F("closed_at").desc(nulls_first=True), "asked_at", "pk")
    )


def help_requests_for_teacher(*, user: User) -> QuerySet[HelpRequest]:
    """Return the requests the teacher asked in their school, open first, newest first, with who answered."""
    return (
        HelpRequest.objects.filter(asked_by=user, school_id=user.school_id)
        .select_related("answered_by", "closed_by")
        .annotate(open_first=_open_first())
        .order_by("open_first", "-asked_at", "-pk")
    )


@dataclass
class HelpQueue:
    """A school's open help requests as the dashboard shows them: how many, how many overdue, the first few."""

    open: int = 0
    overdue: int = 0
    items: list[HelpRequest] = field(default_factory=list)


def help_queue(*, school: School, day: date, calendar: SchoolCalendar | None = None) -> HelpQueue:
    """Return the school's open requests, overdue first (the first PANEL_SHOWN), and the counts.

    One query (two without the caller's calendar): a school's open requests are few (closed within days).
    """
    queue = list(help_requests_for_school(school=school, day=day, state=State.OPEN, calendar=calendar))
    return HelpQueue(open=len(queue), overdue=sum(item.overdue for item in queue), items=queue[:PANEL_SHOWN])


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


def _text_checked(text: str, *, too_long: str) -> str:
    """Return the text stripped; raise `too_long` (with %(length)d and %(limit)d) when it is over the limit."""
    text = (text or "").strip()
    if len(text) > HELP_TEXT_MAX_LENGTH:
        raise HelpRequestError(too_long % {"length": len(text), "limit": HELP_TEXT_MAX_LENGTH})
    return text


def help_request_ask(*, user: User, topic: str, text: str) -> HelpRequest:
    """Record a teacher's request for help in their school; state open. Audited (id and topic, never the text)."""
    school = None
    if user.role == User.Role.TEACHER and user.staff_id:
        school = schools_for_user(user=user).filter(pk=user.school_id).first()
    if school is None:
        raise HelpRequestError(_("Only a teacher employed at the school may ask for help here."))
    if topic not in HelpRequest.Topic.values:
        raise HelpRequestError(_("Choose the topic of your question from the list."))
    text = _text_checked(
        text, too_long=_("The question is longer than %(limit)d characters (it has %(length)d); shorten it.")
    )
    if not text:
        raise HelpRequestError(_("Write your question: what you are doing and what goes wrong."))
    with transaction.atomic():
        request = HelpRequest(school=school, asked_by=user, asked_at=clock.now(), topic=topic, text=text)
        try:
            request.full_clean()
        except ValidationError as exc:
            raise HelpRequestError(" ".join(exc.messages)) from exc
        request.save()
        audit_record(
            user=user,
            action=HELP_ASK,
            description=f"Asked for help: request {request.pk}, topic {request.topic}.",
            school=school,
        )
    return request


def can_answer(*, user: User, help_request: HelpRequest) -> bool:
    """Return True for an administrator of the request's school (they alone answer and close it)."""
    return user.role == User.Role.SCHOOL_ADMIN and user.school_id == help_request.school_id


def help_request_answer(*, help_request: HelpRequest, user: User, answer: str, close: bool) -> HelpRequest:
    """Answer an open request (replacing an earlier answer) and, when `close`, close it.

    Closing without a new answer is allowed only when the request was answered before. Audited: answered, closed.
    """
    if not can_answer(user=user, help_request=help_request):
        raise HelpRequestError(_("Only an administrator of the teacher's school may answer this request."))
    answer = _text_checked(
        answer, too_long=_("The answer is longer than %(limit)d characters (it has %(length)d); shorten it.")
    )
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        if locked.state != State.OPEN:
            raise HelpRequestError(_("This request is already closed; reload the page to see the answer."))
        if not answer and not (close and locked.answer):
            raise HelpRequestError(
                _("Write an answer first: a request is closed only after the teacher has an answer.")
                if close
                else _("Write an answer for the teacher.")
            )
        now = clock.now()
        fields = []
        if answer:
            locked.answer, locked.answered_by, locked.answered_at = answer, user, now
            fields += ["answer", "answered_by", "answered_at"]
        if close:
            locked.state, locked.closed_by, locked.closed_at = State.CLOSED, user, now
            fields += ["state", "closed_by", "closed_at"]
        locked.save(update_fields=fields)
        if answer:
            _audited(locked, user=user, action=HELP_ANSWER, verb="Answered")
        if close:
            _audited(locked, user=user, action=HELP_CLOSE, verb="Closed")
    return locked


def _audited(help_request: HelpRequest, *, user: User, action: str, verb: str) -> None:
    asker = f"login {help_request.asked_by_id}" if help_request.asked_by_id else "a deleted login"
    audit_record(
        user=user,
        action=action,
        description=f"{verb} the help request {help_request.pk} of {asker}, topic {help_request.topic}.",
        school=help_request.school,
    )


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------


def help_requests_demo_seed(*, teacher: User) -> list[HelpRequest]:
    """Ask two requests as the teacher: one answered and closed by their school's first administrator login, one
    still open. Nothing when the school has no administrator login."""
    admin = User.objects.filter(school_id=teacher.school_id, role=User.Role.SCHOOL_ADMIN).order_by("pk").first()
    if admin is None:
        return []
    answered = help_request_ask(
        user=teacher,
        topic=HelpRequest.Topic.INVITES,
        text="Родители 5 класса пишут, что ссылка-приглашение в чат не открывается. Что проверить?",
    )
    answered = help_request_answer(
        help_request=answered,
        user=admin,
        answer="Ссылка могла истечь: откройте страницу класса, выпустите новую ссылку и разошлите её родителям заново.",
        close=True,
    )
    still_open = help_request_ask(
        user=teacher,
        topic=HelpRequest.Topic.CHATS,
        text="Как назначить второго модератора в чате родителей класса?",
    )
    return [answered, still_open]
