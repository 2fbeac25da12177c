"""Pages of the quarterly roster reconciliation: the current quarter's list, resolving items, sign-off, exports."""

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
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from classes import clock
from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import school_writer_school_or_404
from classes.dates import quarter_label_text
from classes.models import School
from reports.forms import BulkResolveForm
from reports.forms import ResolveForm
from reports.forms import SignOffForm
from reports.models import Reconciliation
from reports.models import ReconciliationItem
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.matching import CATEGORIES
from reports.reconciliation.matching import ITEM_CATEGORIES
from reports.reconciliation.selectors import quarter_current
from reports.reconciliation.selectors import reconciliation_items
from reports.reconciliation.selectors import reconciliation_status
from reports.reconciliation.selectors import reconciliations_for_school
from reports.reconciliation.services import reconciliation_item_resolve
from reports.reconciliation.services import reconciliation_items_resolve
from reports.reconciliation.services import reconciliation_open
from reports.reconciliation.services import reconciliation_run
from reports.reconciliation.services import reconciliation_sign_off
from reports.reconciliation.services import signer_position
from reports.reconciliation_export import CONTENT_TYPES
from reports.reconciliation_export import ReconciliationExportError
from reports.reconciliation_export import reconciliation_export


def _category_labels() -> list[tuple[str, str]]:
    return [(category.value, category.label) for category in CATEGORIES]


def _counts_row(name: str, counts: dict[str, int]) -> tuple[str, list[int], list[tuple[str, int]]]:
    """Return a summary row: its name, its count per category, and each count with its category's label."""
    values = [counts.get(category.value, 0) for category in CATEGORIES]
    return name, values, [(category.label, value) for category, value in zip(CATEGORIES, values, strict=True)]


def _page_context(
    request: HttpRequest, *, school: School, reconciliation: Reconciliation | None, status: str = ""
) -> dict:
    category = request.GET.get("category", "")
    if category not in ITEM_CATEGORIES:
        category = ""
    items = (
        list(reconciliation_items(reconciliation=reconciliation, category=category or None)) if reconciliation else []
    )
    summary = reconciliation.summary if reconciliation else {}
    staff_counts = summary.get("roles", {}).get(ReconciliationItem.Role.STAFF, {})
    unresolved = sum(1 for item in items if not item.resolution) if not category else None
    writer = can_write_school(user=request.user)
    return {
        "school": school,
        "reconciliation": reconciliation,
        "status": status,
        "items": items,
        "category": category,
        "categories": _category_labels(),
        "item_categories": [(category.value, category.label) for category in ITEM_CATEGORIES],
        "total_rows": [(key, label, summary.get("total", {}).get(key, 0)) for key, label in _category_labels()],
        "class_rows": [_counts_row(name, counts) for name, counts in summary.get("classes", {}).items()],
        "staff_row": _counts_row(_("Staff"), staff_counts),
        "unresolved": unresolved,
        "history": reconciliations_for_school(school=school),
        "can_write": writer and reconciliation is not None and not reconciliation.signed_off,
        "can_start": writer,
        "resolve_form": ResolveForm(),
        "sign_off_form": SignOffForm(initial={"position": signer_position(request.user)}),
    }


@role_required(*ADMINS)
def reconciliation_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """The current quarter's reconciliation: its state, the summary per class, and the list to work."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    day = clock.today(school.tz)
    status, reconciliation = reconciliation_status(school=school, day=day)
    context = _page_context(request, school=school, reconciliation=reconciliation, status=status)
    context["quarter"] = quarter_current(school=school, day=day)
    template = "reconciliation/_items.html" if request.htmx else "reconciliation/page.html"
    return render(request, template, context)


@role_required(*ADMINS)
def reconciliation_detail(request: HttpRequest, school_id: int, reconciliation_id: int) -> HttpResponse:
    """One reconciliation of the school (a signed-off one is the kept report)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    reconciliation = get_object_or_404(
        Reconciliation.objects.select_related("quarter__year", "signed_by"), pk=reconciliation_id, school=school
    )
    context = _page_context(request, school=school, reconciliation=reconciliation)
    context["quarter"] = reconciliation.quarter
    context["detail"] = True
    template = "reconciliation/_items.html" if request.htmx else "reconciliation/page.html"
    return render(request, template, context)


@role_required(*ADMINS)
@require_POST
def reconciliation_run_view(request: HttpRequest, school_id: int) -> HttpResponse:
    """Open the current quarter's reconciliation if needed and compare the roster with Sferum again."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    quarter = quarter_current(school=school, day=clock.today(school.tz))
    if quarter is None:
        messages.error(request, _("The school has no academic quarters; set up its academic year first."))
        return redirect("reconciliation", school_id=school.pk)
    reconciliation, _opened = reconciliation_open(school=school, quarter=quarter)
    first_run = reconciliation.computed_at is None  # the quarter's first comparison: nothing to say "again" about
    try:
        reconciliation_run(reconciliation=reconciliation, user=request.user)
    except ReconciliationError as exc:
        messages.error(request, str(exc))
    else:
        done = (
            _("The roster is compared with Sferum for this quarter; resolve the items below.")
            if first_run
            else _("The roster is compared with Sferum again.")
        )
        messages.success(request, done)
    return redirect("reconciliation", school_id=school.pk)


@role_required(*ADMINS)
@require_POST
def reconciliation_item_resolve_view(request: HttpRequest, school_id: int, item_id: int) -> HttpResponse:
    """Mark one item resolved with how (htmx swaps the item in place)."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    item = get_object_or_404(ReconciliationItem.objects.select_related("reconciliation"), pk=item_id)
    if item.reconciliation.school_id != school.pk:
        raise Http404
    form = ResolveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            item = reconciliation_item_resolve(
                item=item,
                resolution=form.cleaned_data["resolution"],
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except ReconciliationError as exc:
            error = str(exc)
    else:
        error = _("Choose how the item was resolved.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("reconciliation", school_id=school.pk)
    return render(
        request,
        "reconciliation/_item.html",
        {
            "item": item,
            "school": school,
            "can_write": not item.reconciliation.signed_off,
            "resolve_form": ResolveForm(),
            "error": error,
        },
    )


@role_required(*ADMINS)
@require_POST
def reconciliation_items_resolve_view(request: HttpRequest, school_id: int, reconciliation_id: int) -> HttpResponse:
    """Resolve every ticked item the same way, in one transaction (an invalid selection changes nothing)."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    reconciliation = get_object_or_404(Reconciliation, pk=reconciliation_id, school=school)
    item_ids = list(reconciliation.items.values_list("pk", flat=True))
    form = BulkResolveForm(request.POST, item_ids=item_ids)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            count = reconciliation_items_resolve(
                reconciliation=reconciliation,
                item_ids=form.cleaned_data["items"],
                resolution=form.cleaned_data["resolution"],
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except ReconciliationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext("%(count)d item is resolved.", "%(count)d items are resolved.", count) % {"count": count},
            )
    url = reverse("reconciliation", kwargs={"school_id": school.pk})
    category = request.POST.get("category", "")
    return redirect(f"{url}?category={category}#items" if category in ITEM_CATEGORIES else f"{url}#items")


@role_required(*ADMINS)
@require_POST
def reconciliation_sign_off_view(request: HttpRequest, school_id: int, reconciliation_id: int) -> HttpResponse:
    """Sign the quarter off (every item resolved, the confirmation ticked)."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    reconciliation = get_object_or_404(Reconciliation, pk=reconciliation_id, school=school)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("confirm", [])))
        return redirect("reconciliation", school_id=school.pk)
    try:
        reconciliation_sign_off(
            reconciliation=reconciliation, user=request.user, position=form.cleaned_data["position"]
        )
    except ReconciliationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The reconciliation for %(quarter)s is signed off.")
            % {"quarter": quarter_label_text(reconciliation.quarter_label)},
        )
    return redirect("reconciliation-detail", school_id=school.pk, reconciliation_id=reconciliation.pk)


@role_required(*ADMINS)
def reconciliation_export_view(request: HttpRequest, school_id: int, reconciliation_id: int, fmt: str) -> HttpResponse:
    """Download the signed-off report as XLSX or PDF (written to the audit log)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    reconciliation = get_object_or_404(
        Reconciliation.objects.select_related("school"), pk=reconciliation_id, school=school
    )
    try:
        content, filename = reconciliation_export(reconciliation=reconciliation, fmt=fmt, user=request.user)
    except ReconciliationExportError as exc:
        messages.error(request, str(exc))
        return redirect("reconciliation-detail", school_id=school.pk, reconciliation_id=reconciliation.pk)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
