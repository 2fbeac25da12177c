"""Pages of instructions (распоряжения).

The issuer's side (a municipal or regional administrator): the list, a new instruction, one instruction with each
school's state, its export, a reminder, the files. The school's side (its administrator): the school's
instructions, one of them (opening marks it read), "done" with a comment, the files. Files go out only through
these views, after the same scope checks as the pages; a teacher gets 403, another scope's address 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe

from classes import clock
from classes.access import OVERVIEW_ROLES
from classes.access import role_required
from classes.access import school_writer_school_or_404
from classes.models import User
from reports.exports.instructions import InstructionReport
from reports.exports.renderers import report_export
from reports.exports.report import ExportFormatError
from reports.instruction_files import attachment_content_type
from reports.instruction_forms import InstructionDoneForm
from reports.instruction_forms import InstructionForm
from reports.instructions import can_manage
from reports.instructions import instruction_for_user_or_404
from reports.instructions import instruction_issue
from reports.instructions import instruction_remind
from reports.instructions import instruction_status_counts
from reports.instructions import instruction_target_done
from reports.instructions import instruction_target_read
from reports.instructions import instruction_targets
from reports.instructions import instructions_for_user
from reports.instructions import instructions_prefetched
from reports.instructions import issuer_schools
from reports.instructions import reminded_text
from reports.instructions import school_target_or_404
from reports.instructions import school_targets
from reports.views.exports import export_error_page

Role = User.Role


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _file_response(field, name: str) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except OSError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=name, content_type=attachment_content_type(name))


def _errors_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---------------------------------------------------------------------------
# The issuer's side
# ---------------------------------------------------------------------------


@role_required(*OVERVIEW_ROLES)
@require_safe
def instruction_list(request: HttpRequest) -> HttpResponse:
    """The instructions of the login's scope, newest first, with how many schools are in each state."""
    instructions = list(instructions_prefetched(instructions_for_user(user=request.user)))
    rows = [(instruction, instruction_status_counts(instruction)) for instruction in instructions]
    return render(
        request,
        "reports/instructions/issuer_list.html",
        {"rows": rows, "can_issue": issuer_schools(user=request.user).exists()},
    )


@role_required(*OVERVIEW_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def instruction_create(request: HttpRequest) -> HttpResponse:
    """Issue an instruction to some or every school of the login's scope (mail goes out after it is saved)."""
    schools = issuer_schools(user=request.user)
    form = InstructionForm(request.POST or None, request.FILES or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instruction = instruction_issue(
                user=request.user,
                title=data["title"],
                text=data["text"],
                deadline=data["deadline"],
                schools=list(data["schools"]),
                file=data["file"],
                site_url=_site_url(request),
            )
        except ValidationError as error:
            form.add_error(None, _errors_text(error))
        else:
            messages.success(request, _("The instruction is issued; the schools' administrators are notified."))
            return redirect("instruction-detail", instruction_id=instruction.pk)
    return render(request, "reports/instructions/issuer_form.html", {"form": form})


@role_required(*OVERVIEW_ROLES)
@require_safe
def instruction_detail(request: HttpRequest, instruction_id: int) -> HttpResponse:
    """One instruction: each addressed school's state (overdue in the school's time zone), comments and files."""
    instruction = instruction_for_user_or_404(user=request.user, instruction_id=instruction_id)
    targets = instruction_targets(instruction=instruction)
    for target in targets:
        target.status = target.status_on(clock.today(target.school.tz))
    counts = dict.fromkeys(["not_read", "read", "done", "overdue"], 0)
    for target in targets:
        counts[target.status] += 1
    context = {
        "instruction": instruction,
        "targets": targets,
        "counts": counts,
        "can_manage": can_manage(user=request.user, instruction=instruction),
        "reminded_today": instruction.reminded_on == clock.today(),
        "export_url": reverse("instruction-export", kwargs={"instruction_id": instruction.pk}),
    }
    return render(request, "reports/instructions/issuer_detail.html", context)


@role_required(*OVERVIEW_ROLES)
@require_POST
def instruction_remind_view(request: HttpRequest, instruction_id: int) -> HttpResponse:
    """Remind the schools that have not done it (at most once a day)."""
    instruction = instruction_for_user_or_404(user=request.user, instruction_id=instruction_id)
    try:
        count = instruction_remind(user=request.user, instruction=instruction, site_url=_site_url(request))
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    else:
        messages.success(request, reminded_text(count))
    return redirect("instruction-detail", instruction_id=instruction.pk)


@role_required(*OVERVIEW_ROLES)
@require_safe
def instruction_export(request: HttpRequest, instruction_id: int) -> HttpResponse:
    """Each school's state of one instruction as XLSX (default), CSV or a printable page; audited."""
    instruction = instruction_for_user_or_404(user=request.user, instruction_id=instruction_id)
    report = InstructionReport(instruction=instruction, targets=instruction_targets(instruction=instruction))
    scope = {"municipality": instruction.municipality} if instruction.municipality_id else {}
    scope = scope or {"region": instruction.region}
    try:
        return report_export(request=request, report=report, fmt=request.GET.get("format", "xlsx"), **scope)
    except ExportFormatError as error:
        back_url = reverse("instruction-detail", kwargs={"instruction_id": instruction.pk})
        return export_error_page(request, error, back_url=back_url)


@role_required(*OVERVIEW_ROLES)
@require_safe
def instruction_file(request: HttpRequest, instruction_id: int) -> FileResponse:
    """The instruction's attached file, to the issuer's side."""
    instruction = instruction_for_user_or_404(user=request.user, instruction_id=instruction_id)
    return _file_response(instruction.file, instruction.file_name)


@role_required(*OVERVIEW_ROLES)
@require_safe
def instruction_reply_file(request: HttpRequest, instruction_id: int, school_id: int) -> FileResponse:
    """A school's file attached to its "done" report, to the issuer's side."""
    instruction = instruction_for_user_or_404(user=request.user, instruction_id=instruction_id)
    target = get_object_or_404(instruction.targets.all(), school_id=school_id)
    return _file_response(target.file, target.file_name)


# ---------------------------------------------------------------------------
# The school's side
# ---------------------------------------------------------------------------


@role_required(Role.SCHOOL_ADMIN)
@require_safe
def school_instruction_list(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's instructions: open ones first (overdue marked), then the done ones."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    today = clock.today(school.tz)
    targets = list(school_targets(school=school))
    for target in targets:
        target.status = target.status_on(today)
    return render(request, "reports/instructions/school_list.html", {"school": school, "targets": targets})


@role_required(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def school_instruction(request: HttpRequest, school_id: int, instruction_id: int) -> HttpResponse:
    """One instruction of the school: opening it marks it read; the form marks it done (final)."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    target = school_target_or_404(school=school, instruction_id=instruction_id)
    instruction_target_read(user=request.user, target=target)
    form = InstructionDoneForm(request.POST or None, request.FILES or None) if not target.done else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            instruction_target_done(
                user=request.user, target=target, comment=form.cleaned_data["comment"], file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error(None, _errors_text(error))
        else:
            messages.success(request, _("The instruction is marked done; the municipality sees your report."))
            return redirect("school-instruction", school_id=school.pk, instruction_id=instruction_id)
    elif request.method == "POST" and form is None:
        messages.error(request, _("This instruction is already marked done; a done instruction cannot change."))
        return redirect("school-instruction", school_id=school.pk, instruction_id=instruction_id)
    target.status = target.status_on(clock.today(school.tz))
    return render(
        request,
        "reports/instructions/school_detail.html",
        {"school": school, "target": target, "instruction": target.instruction, "form": form},
    )


@role_required(Role.SCHOOL_ADMIN)
@require_safe
def school_instruction_file(request: HttpRequest, school_id: int, instruction_id: int) -> FileResponse:
    """The instruction's attached file, to an addressed school's administrator."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    target = school_target_or_404(school=school, instruction_id=instruction_id)
    return _file_response(target.instruction.file, target.instruction.file_name)


@role_required(Role.SCHOOL_ADMIN)
@require_safe
def school_instruction_reply_file(request: HttpRequest, school_id: int, instruction_id: int) -> FileResponse:
    """The school's own file attached to its "done" report."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    target = school_target_or_404(school=school, instruction_id=instruction_id)
    return _file_response(target.file, target.file_name)
