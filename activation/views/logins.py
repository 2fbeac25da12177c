"""Login management pages: a school administrator creates teachers' logins for staff rows; a municipal
administrator creates school administrators' logins. The services are in classes/logins.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.db.models import Q
from django.forms import Form
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from activation.forms import LoginEmailResendForm
from activation.forms import SchoolAdminLoginForm
from activation.forms import StaffLoginForm
from classes import clock
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import schools_for_user
from classes.logins import login_password_email_send
from classes.logins import school_admin_login_create
from classes.logins import teacher_login_create
from classes.models import Staff
from classes.models import User
from classes.models import staff_employed_filter

Role = User.Role


def _resend(request: HttpRequest, logins: dict[int, User]) -> bool:
    """Send a login's set-password e-mail again if the POST asks for it; return True when it did."""
    form = LoginEmailResendForm(request.POST)
    if not form.is_valid():
        return False
    user = logins.get(form.cleaned_data["user"])
    if user is None:
        raise Http404
    try:
        login_password_email_send(by=request.user, user=user, request=request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return True
    messages.success(request, _("A new link to set the password was sent to %(email)s.") % {"email": user.email})
    return True


def _login_form_handle(
    request: HttpRequest,
    form_class: Callable[..., Form],
    initial: dict,
    logins: dict[int, User],
    create: Callable[[dict], str],
    *,
    done: str,
) -> tuple[HttpResponse | None, Form, int]:
    """Handle a login page's form: on GET an empty one; on POST send a login's e-mail again, or create a login.

    `create` makes the login from the form's data and returns the message that says so. Return the redirect to
    `done` when something was done (else None), the form to show (with the service's error on it) and its status.
    """
    if request.method != "POST":
        return None, form_class(initial=initial), 200
    form = form_class(request.POST)
    if request.POST.get("action") == "resend" and _resend(request, logins):
        return redirect(done), form, 302
    if form.is_valid():
        try:
            message = create(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(done), form, 302
    return None, form, 400


@role_required(Role.SCHOOL_ADMIN)
def staff_logins(request: HttpRequest, school_id: int) -> HttpResponse:
    """List the school's staff with and without a login; create a teacher's login; send the e-mail again."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    today = clock.today(school.tz)
    staff = list(
        Staff.objects.filter(school=school)
        .filter(staff_employed_filter(today) | Q(user__isnull=False))
        .select_related("user")
        .order_by("last_name", "first_name", "patronymic", "person_id")
    )
    rows = [{"staff": s, "login": getattr(s, "user", None), "employed": s.is_employed_on(today)} for s in staff]
    without = [
        (s.pk, f"{s.full_name} ({s.person_id})") for s in staff if s.is_employed_on(today) and not hasattr(s, "user")
    ]
    initial = {}
    if request.GET.get("staff", "").isdigit():
        chosen = next((s for s in staff if s.pk == int(request.GET["staff"])), None)
        if chosen is not None:
            initial = {"staff": chosen.pk, "email": chosen.email}

    def create(data: dict) -> str:
        chosen = next(s for s in staff if s.pk == data["staff"])
        user = teacher_login_create(
            by=request.user, staff=chosen, username=data["username"], email=data["email"], request=request
        )
        return _(
            "The login «%(username)s» of %(name)s is created; a link to set the password was sent to %(email)s."
        ) % {"username": user.username, "name": chosen.full_name, "email": user.email}

    logins = {s.user.pk: s.user for s in staff if hasattr(s, "user")}
    form_class = partial(StaffLoginForm, choices=without)
    done_url = reverse("staff-logins", kwargs={"school_id": school.pk})
    done, form, status = _login_form_handle(request, form_class, initial, logins, create, done=done_url)
    if done is not None:
        return done
    context = {
        "school": school,
        "rows": rows,
        "form": form,
        "with_login": sum(1 for row in rows if row["login"]),
        "without_login": len(without),
    }
    return render(request, "activation/staff_logins.html", context, status=status)


@role_required(Role.MUNICIPAL_ADMIN)
def admin_logins(request: HttpRequest) -> HttpResponse:
    """List the municipality's schools and their administrators; create a school administrator's login."""
    schools = list(
        schools_for_user(user=request.user)
        .prefetch_related(
            Prefetch(
                "users", queryset=User.objects.filter(role=Role.SCHOOL_ADMIN).order_by("username"), to_attr="admins"
            )
        )
        .order_by("short_name", "code")
    )
    choices = [(school.pk, school.short_name) for school in schools]
    initial = {}
    if request.GET.get("school", "").isdigit() and int(request.GET["school"]) in dict(choices):
        initial = {"school": int(request.GET["school"])}

    def create(data: dict) -> str:
        school = next(s for s in schools if s.pk == data["school"])
        user = school_admin_login_create(
            by=request.user,
            school=school,
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            request=request,
        )
        return _(
            "The login «%(username)s» of an administrator of %(school)s is created; a link to set the "
            "password was sent to %(email)s."
        ) % {"username": user.username, "school": school.short_name, "email": user.email}

    logins = {admin.pk: admin for school in schools for admin in school.admins}
    form_class = partial(SchoolAdminLoginForm, choices=choices)
    done, form, status = _login_form_handle(request, form_class, initial, logins, create, done=reverse("admin-logins"))
    if done is not None:
        return done
    return render(request, "activation/admin_logins.html", {"schools": schools, "form": form}, status=status)
