"""A class's activation page and its invite links: who is not activated yet, the links and their QR sheet, and
the public short URL of an invite link.

Access goes through classes.access: a teacher sees the classes they lead or teach, a school administrator any
class of their school (the class page and the QR sheet), a municipal administrator none of these pages (403).
Invite links are created and expired by the class teacher or the school administrator only.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from activation.forms import InviteLinkForm
from activation.invites import CLASS_AUDIENCES
from activation.invites import InviteKeyError
from activation.invites import invite_link_can_manage
from activation.invites import invite_link_create
from activation.invites import invite_link_expire
from activation.invites import invite_link_from_key
from activation.invites import invite_qr_svg
from activation.invites import invite_url_host_allowed
from activation.models import InviteLink
from activation.selectors import class_roster
from activation.selectors import invite_links_current
from classes import clock
from classes.access import class_for_user_or_404
from classes.access import class_led_by_user_or_404
from classes.access import role_required
from classes.models import School
from classes.models import SchoolClass
from classes.models import User
from classes.rates import Rate

Role = User.Role


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
