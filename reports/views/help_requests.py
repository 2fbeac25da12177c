"""Help requests (classes.help_requests): a teacher asks and reads the answers on their pages; the school
administrator answers and closes them on the school's help requests page (the dashboard shows the open ones).

Access: a teacher sees only the requests they asked (another's address gives 404); the school's administrator
sees and answers their school's (another school's gives 404); the other roles get 403: a municipal or regional
administrator never reads the teachers' questions.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST

from classes import clock
from classes.access import role_required
from classes.access import school_for_user_or_404
from classes.access import schools_for_user
from classes.help_requests import HelpRequestError
from classes.help_requests import help_request_answer
from classes.help_requests import help_request_ask
from classes.help_requests import help_requests_for_school
from classes.help_requests import help_requests_for_teacher
from classes.models import HelpRequest
from classes.models import School
from classes.models import User
from reports.help_forms import HelpAnswerForm
from reports.help_forms import HelpAskForm

Role = User.Role
SHOWN = 200  # the newest requests a page lists

FILTERS = {
    "all": (gettext_lazy("All"), None),
    "open": (gettext_lazy("Open"), HelpRequest.State.OPEN),
    "closed": (gettext_lazy("Closed"), HelpRequest.State.CLOSED),
}


# ---------------------------------------------------------------------------
# The teacher's pages
# ---------------------------------------------------------------------------


def _teacher_school_or_404(user: User) -> School:
    school = schools_for_user(user=user).first()  # none once the teacher's employment ended
    if school is None:
        raise Http404
    return school


@role_required(Role.TEACHER)
@require_http_methods(["GET", "POST"])
def teacher_help(request: HttpRequest) -> HttpResponse:
    """Ask the school administrator for help; my requests, open and closed, with their answers."""
    school = _teacher_school_or_404(request.user)
    form = HelpAskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            help_request_ask(user=request.user, topic=form.cleaned_data["topic"], text=form.cleaned_data["text"])
        except HelpRequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your question is sent to the school administrator; the answer appears here."))
            return redirect("teacher-help")
    context = {"school": school, "form": form, "requests": help_requests_for_teacher(user=request.user)[:SHOWN]}
    return render(request, "help/teacher.html", context)


@role_required(Role.TEACHER)
@require_http_methods(["GET"])
def teacher_help_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One of my requests with its answer."""
    school = _teacher_school_or_404(request.user)
    help_request = get_object_or_404(help_requests_for_teacher(user=request.user), pk=request_id)
    return render(request, "help/teacher_detail.html", {"school": school, "item": help_request})


# ---------------------------------------------------------------------------
# The school administrator's page
# ---------------------------------------------------------------------------


def _school_page(
    request: HttpRequest, school: School, *, failed: HelpRequest | None = None, form: HelpAnswerForm | None = None
) -> HttpResponse:
    shown = request.GET.get("show", "all")
    if shown not in FILTERS:
        shown = "all"
    day = clock.today(school.tz)
    items = list(help_requests_for_school(school=school, day=day, state=FILTERS[shown][1])[:SHOWN])
    for item in items:
        item.form = form if failed is not None and item.pk == failed.pk else HelpAnswerForm(prefix=f"r{item.pk}")
    context = {
        "school": school,
        "items": items,
        "shown": shown,
        "filters": [(key, label) for key, (label, _state) in FILTERS.items()],
        "overdue_days": school.effective_help_request_overdue_days,
    }
    return render(request, "help/school.html", context, status=400 if failed is not None else 200)


@role_required(Role.SCHOOL_ADMIN)
@require_http_methods(["GET"])
def school_help_requests(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's help requests: open first (overdue flagged), then closed; answer and close."""
    school = school_for_user_or_404(user=request.user, school_id=school_id)
    return _school_page(request, school)


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def help_request_answer_view(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    """Answer a request (`action=answer`: it stays open) or answer and close it (`action=close`)."""
    school = school_for_user_or_404(user=request.user, school_id=school_id)
    help_request = get_object_or_404(HelpRequest, pk=request_id, school=school)
    form = HelpAnswerForm(request.POST, prefix=f"r{help_request.pk}")
    close = request.POST.get("action") == "close"
    if form.is_valid():
        try:
            help_request_answer(
                help_request=help_request, user=request.user, answer=form.cleaned_data["answer"], close=close
            )
        except HelpRequestError as exc:
            form.add_error("answer", str(exc))
        else:
            done = _("The request is answered and closed.") if close else _("The answer is sent; the request is open.")
            messages.success(request, done)
            url = reverse("school-help-requests", kwargs={"school_id": school.pk})
            return redirect(f"{url}#help-{help_request.pk}")
    return _school_page(request, school, failed=help_request, form=form)
