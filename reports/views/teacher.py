"""The teacher's pages: my classes, a class's activation and invite links, the QR sheet, my weekly messages;
and the public short URL of an invite link.

Access goes through classes.access: a teacher sees the classes they lead or teach, a school
administrator any class of their school (the class page and the QR sheet), a municipal administrator
none of these pages (403). Invite links are created and expired by the class teacher or the school
administrator only. They live in the reports layer, the top floor, because they read chats' messages
and the reports selectors (class rates, weekly activity) beside activation's invites and roster status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from activation.forms import InviteLinkForm
from activation.invites import (
    CLASS_AUDIENCES,
    InviteKeyError,
    invite_link_can_manage,
    invite_link_create,
    invite_link_expire,
    invite_link_from_key,
    invite_qr_svg,
    invite_url_host_allowed,
)
from activation.models import InviteLink
from activation.selectors import class_roster, invite_links_current, teacher_classes
from chats.horizon import history_horizons
from chats.models import Chat, Message
from classes import clock
from classes.access import (
    class_for_user_or_404,
    class_led_by_user_or_404,
    role_required,
    schools_for_user,
)
from classes.calendar import WeekFormatError, week_label, week_parse, week_start
from classes.models import AcademicYear, School, SchoolClass, Staff, User
from reports.rates import Rate
from reports.selectors import (
    TeacherStatus,
    TeacherWeek,
    activation_compute,
    teacher_week_messages,
    weekly_activity_compute,
    weekly_activity_history,
)

Role = User.Role
HISTORY_WEEKS = 8


def _roster_change_url(school_class: SchoolClass, user: User) -> str | None:
    """Return the address of the class's arrival/departure report form, for its class teacher only."""
    if user.role != Role.TEACHER or school_class.class_teacher_id != user.staff_id:
        return None
    return reverse("roster-change-report", kwargs={"class_id": school_class.pk})


def _short_url(request: HttpRequest, link: InviteLink) -> str:
    return request.build_absolute_uri(reverse("invite-open", kwargs={"key": link.key}))


def _valid_until(link: InviteLink | None, school: School) -> date | None:
    """Return the last day the link works, in the school's time zone (it expires at the next midnight)."""
    if link is None or link.expires_at is None:
        return None
    return (link.expires_at.astimezone(school.tz) - timedelta(microseconds=1)).date()


# ---------------------------------------------------------------------------
# My classes
# ---------------------------------------------------------------------------


@role_required(Role.TEACHER)
def teacher_home(request: HttpRequest) -> HttpResponse:
    """List the teacher's classes of this academic year, the led ones first, with their activation rates."""
    school = schools_for_user(user=request.user).first()
    if school is None:
        raise Http404
    today = clock.today(school.tz)
    classes = list(teacher_classes(user=request.user, day=today))
    rates = {}
    if classes:
        rates = {c.class_id: c for c in activation_compute(schools=[school], day=today)[school.pk].classes}
    rows = [{"school_class": c, "rates": rates.get(c.pk)} for c in classes]
    return render(request, "activation/teacher_home.html", {"school": school, "rows": rows, "today": today})


# ---------------------------------------------------------------------------
# A class: who is not activated yet, invite links, QR sheet
# ---------------------------------------------------------------------------


def _class_page(
    request: HttpRequest, school_class: SchoolClass, forms: dict[str, InviteLinkForm] | None = None, status: int = 200
) -> HttpResponse:
    school = school_class.school  # selected with its municipality by classes.access
    today = clock.today(school.tz)
    now = clock.now()
    roster = class_roster(school_class=school_class, day=today, now=now)
    links = invite_links_current(school_class=school_class, now=now)
    can_manage = invite_link_can_manage(user=request.user, school_class=school_class)
    forms = forms or {}
    invites = []
    for audience in CLASS_AUDIENCES:
        link = links.get(audience)
        invites.append(
            {
                "audience": audience,
                "link": link,
                "short_url": _short_url(request, link) if link else "",
                "valid_until": _valid_until(link, school),
                "form": forms.get(audience)
                or (InviteLinkForm(audience=audience, tz=school.tz) if can_manage else None),
            }
        )
    context = {
        "school_class": school_class,
        "school": school,
        "roster": roster,
        "students_rate": Rate(roster.students_activated, roster.enrolled, school.effective_students_target),
        "parents_rate": Rate(roster.parents_activated, roster.enrolled, school.effective_parents_target),
        "invites": invites,
        "can_manage": can_manage,
        "roster_change_url": _roster_change_url(school_class, request.user),
        "today": today,
    }
    return render(request, "activation/teacher_class.html", context, status=status)


@role_required(Role.TEACHER, Role.SCHOOL_ADMIN)
def teacher_class(request: HttpRequest, class_id: int) -> HttpResponse:
    """Show who in the class is not activated yet (students and parents) and what to do, and its invite links."""
    return _class_page(request, class_for_user_or_404(user=request.user, class_id=class_id))


@require_POST
@role_required(Role.TEACHER, Role.SCHOOL_ADMIN)
def invite_create(request: HttpRequest, class_id: int) -> HttpResponse:
    """Store the Sferum invite link a class teacher or school administrator pasted; it replaces the current one."""
    school_class = class_led_by_user_or_404(user=request.user, class_id=class_id)
    audience = request.POST.get("audience", "")
    if audience not in CLASS_AUDIENCES:
        raise Http404
    form = InviteLinkForm(request.POST, audience=audience, tz=school_class.school.tz)
    if form.is_valid():
        try:
            invite_link_create(
                by=request.user,
                school_class=school_class,
                audience=audience,
                url=form.cleaned_data["url"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The invite link for %(audience)s of class %(class)s is saved.")
                % {"audience": InviteLink.Audience(audience).label, "class": school_class.name},
            )
            return redirect(reverse("teacher-class", kwargs={"class_id": school_class.pk}) + "#invites")
    return _class_page(request, school_class, forms={audience: form}, status=400)


@require_POST
@role_required(Role.TEACHER, Role.SCHOOL_ADMIN)
def invite_expire(request: HttpRequest, class_id: int, link_id: int) -> HttpResponse:
    """Expire an invite link of the class now (its short URL then says it has expired)."""
    school_class = class_led_by_user_or_404(user=request.user, class_id=class_id)
    link = get_object_or_404(InviteLink.objects.select_related("school_class"), pk=link_id, school_class=school_class)
    invite_link_expire(by=request.user, link=link)
    messages.success(
        request,
        _("The invite link for %(audience)s of class %(class)s has expired; create a new one when you need it.")
        % {"audience": link.get_audience_display(), "class": school_class.name},
    )
    return redirect(reverse("teacher-class", kwargs={"class_id": school_class.pk}) + "#invites")


@role_required(Role.TEACHER, Role.SCHOOL_ADMIN)
def qr_sheet(request: HttpRequest, class_id: int) -> HttpResponse:
    """Show the printable A4 sheet of the class: two QR codes (students, parents) and instructions for parents.

    No personal data of children is on the sheet: the class, the school, the class teacher, the links.
    """
    school_class = class_for_user_or_404(user=request.user, class_id=class_id)
    links = invite_links_current(school_class=school_class, now=clock.now())
    titles = {
        InviteLink.Audience.STUDENTS: _("QR code of the invite link for students of class %(class)s"),
        InviteLink.Audience.PARENTS: _("QR code of the invite link for parents of class %(class)s"),
    }
    codes = []
    for audience in (InviteLink.Audience.PARENTS, InviteLink.Audience.STUDENTS):
        link = links.get(audience)
        short_url = _short_url(request, link) if link else ""
        codes.append(
            {
                "audience": audience,
                "link": link,
                "short_url": short_url,
                "valid_until": _valid_until(link, school_class.school),
                "svg": invite_qr_svg(url=short_url, title=titles[audience] % {"class": school_class.name})
                if link
                else "",
            }
        )
    context = {
        "school_class": school_class,
        "school": school_class.school,
        "codes": codes,
        "class_page": reverse("teacher-class", kwargs={"class_id": school_class.pk}),
    }
    return render(request, "activation/qr_sheet.html", context)


@never_cache
def invite_open(request: HttpRequest, key: str) -> HttpResponse:
    """Send whoever scanned the QR code to the class's Sferum invite link, or say why the link no longer works.

    Public (parents have no login here); the page of a dead link names only the class and school.
    """
    try:
        link = invite_link_from_key(key=key)
    except InviteKeyError as error:
        status = (
            410 if error.error_type in (InviteKeyError.ErrorType.EXPIRED, InviteKeyError.ErrorType.REVOKED) else 404
        )
        return render(request, "activation/invite_dead.html", {"error": error, "link": error.link}, status=status)
    if not invite_url_host_allowed(link.url):
        # A link stored before the hosts were checked, or hosts changed since: never send anyone elsewhere.
        return render(request, "activation/invite_foreign.html", {"link": link}, status=400)
    return redirect(link.url)


# ---------------------------------------------------------------------------
# My messages per week
# ---------------------------------------------------------------------------


@dataclass
class WeekRow:
    """One week of the teacher's history: the count against the threshold and what it makes them."""

    week_start: date
    threshold: int
    teacher: TeacherWeek | None
    current: bool
    stored: bool
    reason: str | None = None  # why the week is not evaluated: no_school_day, no_history

    @property
    def label(self) -> str:
        return week_label(self.week_start)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def _stored_week(row, staff: Staff) -> TeacherWeek:
    return TeacherWeek(
        staff_id=staff.pk,
        person_id=staff.person_id,
        name=staff.full_name,
        has_account=row.has_account,
        status=TeacherStatus(row.status),
        messages=row.messages,
        emoji_only=row.emoji_only_messages,
        duplicates=row.duplicate_messages,
        bursts=row.burst_messages,
    )


def _week_rows(*, staff: Staff, school: School, today: date) -> list[WeekRow]:
    """Return the last HISTORY_WEEKS weeks of this academic year, newest first.

    A complete week the weekly job stored is read as stored (the dashboards show the same); the
    current week, and a week not stored yet (or without school days), is computed live.
    """
    this_week = week_start(today)
    year = AcademicYear.objects.current_on(today).filter(school=school).first()
    first = week_start(year.starts_on) if year else this_week - timedelta(weeks=HISTORY_WEEKS - 1)
    weeks = [this_week - timedelta(weeks=n) for n in range(HISTORY_WEEKS)]
    weeks = [monday for monday in weeks if monday >= first]
    stored = {}
    if year is not None:
        stored = {
            row.week_start: row for row in weekly_activity_history(staff=staff, year=year).filter(week_start__in=weeks)
        }
    rows = []
    horizons = history_horizons(school_ids=[school.pk])
    for monday in weeks:
        row = stored.get(monday) if monday != this_week else None
        if row is not None:
            rows.append(WeekRow(monday, row.threshold, _stored_week(row, staff), current=False, stored=True))
            continue
        computed = weekly_activity_compute(schools=[school], week_start=monday, horizons=horizons)[school.pk]
        teacher = next((t for t in computed.teachers if t.staff_id == staff.pk), None)
        rows.append(
            WeekRow(
                monday,
                computed.threshold,
                teacher,
                current=monday == this_week,
                stored=False,
                reason=computed.reason,
            )
        )
    return rows


@dataclass
class CountedMessage:
    sent_at: datetime
    chat_title: str
    chat_kind: str
    kind: str
    emoji_only: bool
    near_duplicate: bool
    in_burst: bool


@role_required(Role.TEACHER)
def teacher_activity(request: HttpRequest) -> HttpResponse:
    """Show my messages per week against the threshold for the last weeks, and what counted in one of them.

    What counted: date and time, chat, chat kind, message kind and the marks behind the flag; never any
    text (none is stored).
    """
    staff = Staff.objects.select_related("school__municipality").get(pk=request.user.staff_id)
    school = staff.school
    today = clock.today(school.tz)
    if not staff.is_employed_on(today):  # access ends with employment
        raise Http404
    rows = _week_rows(staff=staff, school=school, today=today)
    chosen = rows[0].week_start if rows else week_start(today)
    if request.GET.get("week"):
        try:
            asked = week_parse(request.GET["week"])
        except WeekFormatError:
            asked = None
        if asked in {row.week_start for row in rows}:
            chosen = asked
    counted = [
        CountedMessage(
            sent_at=item["sent_at"],
            chat_title=item["chat__title"],
            chat_kind=Chat.Kind(item["chat__kind"]).label
            if item["chat__kind"] in Chat.Kind.values
            else item["chat__kind"],
            kind=Message.Kind(item["kind"]).label if item["kind"] in Message.Kind.values else item["kind"],
            emoji_only=item["emoji_only"],
            near_duplicate=item["near_duplicate"],
            in_burst=item["in_burst"],
        )
        for item in teacher_week_messages(staff=staff, week_start=chosen)
    ]
    chosen_row = next((row for row in rows if row.week_start == chosen), None)
    context = {
        "staff": staff,
        "school": school,
        "rows": rows,
        "chosen": chosen_row,
        "counted": counted,
        "threshold": school.effective_activity_threshold,
    }
    return render(request, "activation/teacher_activity.html", context)
