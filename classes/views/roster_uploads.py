"""The upload pages' part for a large roster file, read, dry-run and imported by the worker (views.roster uses it).

The preview is shown from what the worker kept; a change of columns and a confirmed import are handed to the
worker, and the page polls (htmx) until it is done.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from classes.models import RosterImport
from classes.models import RosterUpload
from classes.models import School
from classes.tasks import roster_upload_import_task
from classes.tasks import roster_upload_read_task

State = RosterUpload.State


def stored_preview_context(*, upload: RosterUpload) -> dict:
    """Return the preview's context from the worker's dry run: nothing is read or parsed."""
    return {
        "importing": upload.state == State.IMPORTING,
        "result": upload.preview,
        "import_message": upload.import_error or _last_import_message(upload.import_log),
        "import_log": upload.import_log,
    }


def _last_import_message(log: RosterImport | None) -> str:
    if log is None:
        return ""
    return import_refused_message(
        status=log.status,
        leaving=log.counts.get("would_leave", 0),
        current=log.counts.get("current_people", 0),
        errors=len(log.errors),
        typed_count_wrong=log.counts.get("typed_count_wrong", False),
    )


def import_refused_message(
    *, status: str, leaving: int, current: int, errors: int, typed_count_wrong: bool = False
) -> str:
    """Return why an import wrote nothing (held: too many would leave; failed: the file's errors), else ""."""
    if status == RosterImport.Status.HELD and typed_count_wrong:
        return _(
            "Nothing was imported: %(leaving)d of %(current)d people would leave, and the number you typed is not "
            "%(leaving)d. Type the number of people who leave to confirm."
        ) % {"leaving": leaving, "current": current}
    if status == RosterImport.Status.HELD:
        return _(
            "Nothing was imported: %(leaving)d of %(current)d people would leave. "
            "Check the preview and confirm the removals."
        ) % {"leaving": leaving, "current": current}
    if status == RosterImport.Status.FAILED:
        return _("Nothing was imported: the file has %(count)d errors. Fix them and upload the file again.") % {
            "count": errors
        }
    return ""


def roster_upload_reread(*, upload: RosterUpload) -> None:
    """Hand the upload back to the worker for a new dry run (its columns changed)."""
    RosterUpload.objects.filter(pk=upload.pk, state=State.READY).update(
        state=State.READING, rows_read=0, preview=None, import_log=None, import_error=""
    )
    roster_upload_read_task.delay_on_commit(upload.pk)


def roster_upload_import_queue(
    *, upload: RosterUpload, confirm_removals: bool, on: date | None, removals_typed: int | None = None
) -> bool:
    """Queue the upload's import for the worker; return False when it is not ready (already queued or done)."""
    queued = RosterUpload.objects.filter(pk=upload.pk, state=State.READY).update(
        state=State.IMPORTING, import_log=None, import_error=""
    )
    if not queued:
        return False
    roster_upload_import_task.delay_on_commit(
        upload.pk, confirm_removals, on.isoformat() if on else None, removals_typed
    )
    return True


def imported_upload_response(*, request: HttpRequest, school: School, upload: RosterUpload) -> HttpResponse:
    """Say that the worker imported the upload, drop it, and send the page to the roster page (with its log)."""
    messages.success(request, _("The roster %(file)s is imported.") % {"file": upload.file_name})
    upload.delete()
    if request.htmx:
        return HttpResponseClientRedirect(reverse("roster-upload", kwargs={"school_id": school.pk}))
    return redirect("roster-upload", school_id=school.pk)
