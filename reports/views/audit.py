"""The audit log page and its export, for school, municipal and regional administrators (their own scope).

Teachers get 403. The scope is the login's own (reports.audit_log.audit_entries_visible), so no address reaches
another school's, municipality's or region's entries. A page reads a count and one page of entries, whatever
the log's size; the export (itself written to the log) holds at most EXPORT_MAX_ROWS entries.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from classes import clock
from classes.access import ADMINS
from classes.access import role_required
from classes.audit_context import user_scope
from reports.audit_log import KINDS
from reports.audit_log import AuditFilterForm
from reports.audit_log import audit_entries_filtered
from reports.audit_log import audit_entries_visible
from reports.audit_log import kind_of
from reports.exports.audit import AuditLogReport
from reports.exports.renderers import report_export
from reports.exports.report import ExportFormatError
from reports.views.exports import export_error_page

ENTRIES_PER_PAGE = 50
EXPORT_MAX_ROWS = 100_000


def _scope_name(scope: dict) -> str:
    return next((str(value) for value in scope.values() if value is not None), "")


def _filtered(request: HttpRequest):
    """Return (form, entries of the user's scope and the form's period and kind, or none when it is invalid)."""
    form = AuditFilterForm(request.GET or None, today=clock.today())
    entries = audit_entries_visible(request.user)
    if form.is_bound and not form.is_valid():
        return form, entries.none()
    data = form.cleaned_data if form.is_bound else form.clean_defaults()
    return form, audit_entries_filtered(
        entries, start=data["date_from"], end=data["date_to"], kind=data.get("kind") or ""
    )


@role_required(*ADMINS)
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """The entries of the login's scope in a period, newest first, a page at a time."""
    form, entries = _filtered(request)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    for entry in page:
        entry.kind_label = KINDS.get(kind_of(entry.action), "")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "scope_name": _scope_name(user_scope(request.user)),
    }
    return render(request, "reports/audit_log.html", context)


@role_required(*ADMINS)
@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    """The page's entries (same period and kind) as XLSX (default), CSV or a printable page; itself audited."""
    form, entries = _filtered(request)
    back = reverse("audit-log")
    if form.errors:
        return export_error_page(
            request, ExportFormatError(" ".join(e for errors in form.errors.values() for e in errors)), back_url=back
        )
    rows = list(entries[: EXPORT_MAX_ROWS + 1])
    if len(rows) > EXPORT_MAX_ROWS:
        message = _("The period holds more than %(rows)d entries; choose a shorter period or one kind.") % {
            "rows": EXPORT_MAX_ROWS
        }
        return export_error_page(request, ExportFormatError(message), back_url=back)
    scope = user_scope(request.user)
    data = form.cleaned_data if form.is_bound else form.clean_defaults()
    report = AuditLogReport(
        entries=rows, scope=_scope_name(scope), date_from=data["date_from"], date_to=data["date_to"]
    )
    try:
        return report_export(request=request, report=report, fmt=request.GET.get("format", "xlsx"), **scope)
    except ExportFormatError as error:
        return export_error_page(request, error, back_url=back)
