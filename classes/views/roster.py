"""Pages of the official roster: upload with a column mapping and a preview, the import log, arrivals and
departures (a class teacher's report form, the administrators' queue) and a student's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
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
from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import class_led_by_user_or_404
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import schools_for_user
from classes.forms import ArrivalForm
from classes.forms import ColumnMappingForm
from classes.forms import DepartureForm
from classes.forms import ProcessForm
from classes.forms import RosterImportForm
from classes.forms import RosterUploadForm
from classes.models import Enrollment
from classes.models import RosterChange
from classes.models import RosterImport
from classes.models import RosterMapping
from classes.models import RosterUpload
from classes.models import School
from classes.models import Student
from classes.models import User
from classes.roster.columns import column_for_header
from classes.roster.dating import RosterDateError
from classes.roster.dating import roster_as_of_check
from classes.roster.importer import roster_import
from classes.roster.upload_worker import upload_import
from classes.roster.uploads import RosterUploadError
from classes.roster.uploads import roster_upload_create
from classes.roster.uploads import roster_upload_discard
from classes.roster.uploads import roster_uploads_expire
from classes.roster_changes import OPEN_STATES
from classes.roster_changes import RosterChangeError
from classes.roster_changes import roster_change_process
from classes.roster_changes import roster_change_report_arrival
from classes.roster_changes import roster_change_report_departure
from classes.roster_changes import roster_changes_for_class
from classes.roster_changes import roster_changes_for_school
from classes.roster_changes import roster_changes_for_student
from classes.roster_changes import students_of_class
from classes.services import audit_record
from classes.tabular.columns import header_normalize
from classes.tabular.reading import Table
from classes.tabular.reading import TableReadError
from classes.tabular.reading import table_read
from classes.tasks import roster_upload_read_task
from classes.views.roster_uploads import import_refused_message
from classes.views.roster_uploads import imported_upload_response
from classes.views.roster_uploads import roster_upload_import_queue
from classes.views.roster_uploads import roster_upload_reread
from classes.views.roster_uploads import stored_preview_context

Role = User.Role
IMPORTS_PER_PAGE = 25
# Audit action: the columns an administrator chose for headers the import does not know, kept for the school.
ROSTER_MAPPING = "roster.mapping"


# ---------------------------------------------------------------------------
# Upload, mapping, preview, import
# ---------------------------------------------------------------------------


@role_required(*ADMINS)
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, school_id: int) -> HttpResponse:
    """The roster page: upload a file (then preview it), and the log of every import."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    form = RosterUploadForm()
    if request.method == "POST":
        if not can_write_school(user=request.user):
            raise PermissionDenied
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = roster_upload_create(
                    school=school, user=request.user, file_name=file.name, content=file.read()
                )
            except (TableReadError, RosterUploadError) as exc:
                form.add_error("file", str(exc))
            else:
                if upload.state == RosterUpload.State.READING:
                    roster_upload_read_task.delay_on_commit(upload.pk)
                return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
    else:
        roster_uploads_expire()
    imports = RosterImport.objects.filter(school=school).select_related("user")
    page = Paginator(imports, IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    pending = RosterUpload.objects.filter(school=school, user=request.user).defer("content", "preview")[:5]
    return render(
        request,
        "roster/upload.html",
        {
            "school": school,
            "form": form,
            "page": page,
            "pending": pending,
            "can_import": can_write_school(user=request.user),
        },
    )


def _upload_or_404(*, request: HttpRequest, school: School, upload_id: int) -> RosterUpload:
    roster_uploads_expire()
    return get_object_or_404(RosterUpload, pk=upload_id, school=school, user=request.user)


def _preview_context(
    *, school: School, upload: RosterUpload, form: ColumnMappingForm | None = None, table: Table | None = None
) -> dict:
    """Return the preview page's context; `table`: the upload's file already read in this request."""
    context: dict = {"school": school, "upload": upload, "import_form": RosterImportForm(), "reading": False}
    if upload.state == RosterUpload.State.READING:
        context.update(reading=True, read_error="", mapping_form=None, result=None)
        return context
    if upload.state == RosterUpload.State.FAILED:
        context.update(read_error=upload.read_error, mapping_form=None, result=None)
        return context
    if upload.by_worker:  # read and dry-run once by the worker: shown from what it kept
        headers = upload.headers or []
        if form is None:
            form = _mapping_form(upload=upload, headers=headers)
        context.update(stored_preview_context(upload=upload), mapping_form=form, read_error="")
        return context
    content = bytes(upload.content)
    try:
        table = table if table is not None else table_read(content=content, filename=upload.file_name)
    except TableReadError as exc:
        context.update(read_error=str(exc), mapping_form=None, result=None)
        return context
    if form is None:
        form = _mapping_form(upload=upload, headers=table.header)
    result = roster_import(  # the table just read: the file is parsed once per page
        school=school, content=content, filename=upload.file_name, mapping=upload.mapping, dry_run=True, table=table
    )
    context.update(mapping_form=form, result=result, read_error="")
    return context


def _mapping_form(*, upload: RosterUpload, headers: list[str]) -> ColumnMappingForm:
    recognised = [column_for_header(header) is not None for header in headers]
    initial = [upload.mapping.get(header) or column_for_header(header) or "" for header in headers]
    return ColumnMappingForm(headers=headers, initial_columns=initial, recognised=recognised)


@role_required(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "POST"])
def roster_upload_preview(request: HttpRequest, school_id: int, upload_id: int) -> HttpResponse:
    """Show the file's headers with their columns and what the import would change; POST: change the mapping."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    upload = _upload_or_404(request=request, school=school, upload_id=upload_id)
    if upload.state == RosterUpload.State.IMPORTED:
        return imported_upload_response(request=request, school=school, upload=upload)
    form, table = None, None
    if request.method == "POST" and upload.state == RosterUpload.State.READY:
        if upload.by_worker:
            headers = upload.headers or []
        else:
            try:
                table = table_read(content=bytes(upload.content), filename=upload.file_name)
            except TableReadError:
                pass  # the preview below says why
            headers = table.header if table is not None else []
        form = ColumnMappingForm(
            request.POST,
            headers=headers,
            initial_columns=[""] * len(headers),
            recognised=[column_for_header(header) is not None for header in headers],
        )
        if headers and form.is_valid():
            _mapping_save(school=school, upload=upload, form=form, user=request.user)
            if upload.by_worker:
                roster_upload_reread(upload=upload)
                upload.refresh_from_db()
            if not request.htmx:
                return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
            form = None
    context = _preview_context(school=school, upload=upload, form=form, table=table)
    template = "roster/_preview.html" if request.htmx else "roster/preview.html"
    return render(request, template, context)


def _mapping_save(*, school: School, upload: RosterUpload, form: ColumnMappingForm, user: User) -> None:
    """Keep the columns chosen for headers the import does not know by itself, in the upload and for the school."""
    chosen: dict[str, str] = {}
    cleared: set[str] = set()
    for header, column in zip(form.headers, form.chosen(), strict=True):
        if not header:
            continue
        if column and column != column_for_header(header):
            chosen[header] = column
        else:
            cleared.add(header_normalize(header))
    with transaction.atomic():
        upload.mapping = chosen
        upload.save(update_fields=["mapping"])
        saved, _created = RosterMapping.objects.select_for_update().get_or_create(school=school)
        kept = {
            header: column
            for header, column in saved.mapping.items()
            if header_normalize(header) not in cleared
            and header_normalize(header) not in {header_normalize(h) for h in chosen}
        }
        changed = saved.mapping != {**kept, **chosen}
        saved.mapping = {**kept, **chosen}
        saved.updated_by = user
        saved.save(update_fields=["mapping", "updated_by", "updated_at"])
        if changed:
            audit_record(
                user=user,
                action=ROSTER_MAPPING,
                description=f"Roster column mapping saved: {len(saved.mapping)} header(s) mapped by hand "
                f"({len(chosen)} chosen with {upload.file_name}).",
                school=school,
            )


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def roster_upload_import(request: HttpRequest, school_id: int, upload_id: int) -> HttpResponse:
    """Import the uploaded file with its mapping; a held file needs the removals confirmed on the form."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    upload = _upload_or_404(request=request, school=school, upload_id=upload_id)
    if upload.state != RosterUpload.State.READY:
        messages.error(request, _("Nothing was imported: the file is not read yet, or cannot be read."))
        return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
    form = RosterImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was imported: write the day as YYYY-MM-DD or pick it in the calendar."))
        return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
    confirm = form.cleaned_data["confirm_removals"]
    typed = form.cleaned_data["removals_typed"]
    as_of = form.cleaned_data["as_of"]
    if as_of is not None:
        try:
            roster_as_of_check(school=school, as_of=as_of)
        except RosterDateError as error:
            messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": error})
            return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
    if upload.by_worker:  # the worker imports it; the preview polls until it is done
        if not roster_upload_import_queue(upload=upload, confirm_removals=confirm, removals_typed=typed, on=as_of):
            messages.error(request, _("Nothing was imported: the file is not read yet, or cannot be read."))
        return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
    result = upload_import(upload=upload, confirm_removals=confirm, removals_typed=typed, on=as_of, user=request.user)
    if result.status == RosterImport.Status.OK:
        upload.delete()
        messages.success(request, _("The roster %(file)s is imported.") % {"file": upload.file_name})
        return redirect("roster-upload", school_id=school.pk)
    messages.error(
        request,
        import_refused_message(
            status=result.status,
            leaving=result.would_leave,
            current=result.current_people,
            errors=len(result.errors),
            typed_count_wrong=result.typed_count_wrong,
        ),
    )
    return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def roster_upload_cancel(request: HttpRequest, school_id: int, upload_id: int) -> HttpResponse:
    """Drop an uploaded file without importing it."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    upload = _upload_or_404(request=request, school=school, upload_id=upload_id)
    try:
        roster_upload_discard(upload=upload, user=request.user)
    except RosterUploadError as exc:
        messages.error(request, str(exc))
        return redirect("roster-upload-preview", school_id=school.pk, upload_id=upload.pk)
    return redirect("roster-upload", school_id=school.pk)


@role_required(*ADMINS)
def roster_import_detail(request: HttpRequest, school_id: int, import_id: int) -> HttpResponse:
    """One import of the log: who, when, the file, its hash, the counts and every error."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    log = get_object_or_404(RosterImport.objects.select_related("user"), pk=import_id, school=school)
    return render(request, "roster/import_detail.html", {"school": school, "log": log})


# ---------------------------------------------------------------------------
# Arrivals and departures
# ---------------------------------------------------------------------------


@role_required(Role.TEACHER)
@require_http_methods(["GET", "POST"])
def roster_change_report(request: HttpRequest, class_id: int) -> HttpResponse:
    """A class teacher reports that a student of their class left, or that a student arrived."""
    school_class = class_led_by_user_or_404(user=request.user, class_id=class_id)
    school = school_class.school
    today = clock.today(school.tz)
    students = list(students_of_class(school_class=school_class, day=today))
    departure = DepartureForm(students=students, initial={"happened_on": today}, prefix="departure")
    arrival = ArrivalForm(initial={"happened_on": today}, prefix="arrival")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == RosterChange.Kind.DEPARTURE:
                departure = DepartureForm(request.POST, students=students, prefix="departure")
                if departure.is_valid():
                    data = departure.cleaned_data
                    change = roster_change_report_departure(
                        school_class=school_class,
                        student=departure.students[data["student"]],
                        on=data["happened_on"],
                        reason=data["reason"],
                        user=request.user,
                    )
                    messages.success(request, _("The departure of %(name)s is reported.") % {"name": change.full_name})
                    return redirect("roster-change-report", class_id=school_class.pk)
            elif kind == RosterChange.Kind.ARRIVAL:
                arrival = ArrivalForm(request.POST, prefix="arrival")
                if arrival.is_valid():
                    data = arrival.cleaned_data
                    change = roster_change_report_arrival(
                        school_class=school_class,
                        last_name=data["last_name"],
                        first_name=data["first_name"],
                        patronymic=data["patronymic"],
                        birth_date=data["birth_date"],
                        on=data["happened_on"],
                        user=request.user,
                    )
                    messages.success(request, _("The arrival of %(name)s is reported.") % {"name": change.full_name})
                    return redirect("roster-change-report", class_id=school_class.pk)
        except RosterChangeError as exc:
            messages.error(request, str(exc))
    changes = roster_changes_for_class(school_class=school_class)[:50]
    return render(
        request,
        "roster/report_change.html",
        {
            "school_class": school_class,
            "departure_form": departure,
            "arrival_form": arrival,
            "changes": changes,
            "kinds": RosterChange.Kind,
        },
    )


QUEUE_FILTERS = {
    "open": (gettext_lazy("Waiting"), OPEN_STATES),
    "reported": (gettext_lazy("Not processed"), (RosterChange.State.REPORTED,)),
    "all": (gettext_lazy("All"), None),
}


@role_required(*ADMINS)
def roster_changes(request: HttpRequest, school_id: int) -> HttpResponse:
    """The administrators' queue of arrivals and departures, overdue ones flagged."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    shown = request.GET.get("show", "open")
    if shown not in QUEUE_FILTERS:
        shown = "open"
    day = clock.today(school.tz)
    changes = roster_changes_for_school(school=school, day=day, states=QUEUE_FILTERS[shown][1])
    changes = changes.order_by("-overdue", "-reported_at", "-pk")[:200]
    return render(
        request,
        "roster/changes.html",
        {
            "school": school,
            "changes": changes,
            "shown": shown,
            "filters": [(key, label) for key, (label, _states) in QUEUE_FILTERS.items()],
            "overdue_days": school.effective_roster_change_overdue_days,
            "can_process": can_write_school(user=request.user),
            "process_form": ProcessForm(),
        },
    )


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def roster_change_process_view(request: HttpRequest, school_id: int, change_id: int) -> HttpResponse:
    """Mark a reported change processed (htmx swaps the row in place)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    change = get_object_or_404(RosterChange, pk=change_id, school=school)
    form = ProcessForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            roster_change_process(
                change=change,
                user=request.user,
                in_sferum=form.cleaned_data["changed_in_sferum"],
                in_roster=form.cleaned_data["changed_in_roster"],
                note=form.cleaned_data["note"],
            )
        except RosterChangeError as exc:
            error = str(exc)
    else:
        error = " ".join(form.non_field_errors()) or _("Check the form and try again.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("roster-changes", kwargs={"school_id": school.pk}))
    day = clock.today(school.tz)
    row = roster_changes_for_school(school=school, day=day).get(pk=change.pk)
    return render(
        request,
        "roster/_change_row.html",
        {"change": row, "school": school, "can_process": True, "process_form": ProcessForm(), "error": error},
    )


# ---------------------------------------------------------------------------
# A student's page
# ---------------------------------------------------------------------------


@role_required(Role.SCHOOL_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN, Role.TEACHER)
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student: their classes over time and the arrivals and departures reported about them."""
    user = request.user
    student = Student.objects.filter(pk=student_id, school__in=schools_for_user(user=user)).select_related("school")
    student = student.first()
    if student is None:
        raise Http404
    enrollments = list(Enrollment.objects.filter(student=student).select_related("school_class").order_by("-starts_on"))
    if user.role == Role.TEACHER:
        today = clock.today(student.school.tz)
        led = {
            e.school_class_id
            for e in enrollments
            if e.is_current_on(today) and e.school_class.class_teacher_id == user.staff_id
        }
        if not led:
            raise Http404
    return render(
        request,
        "roster/student.html",
        {"student": student, "enrollments": enrollments, "changes": roster_changes_for_student(student=student)},
    )
