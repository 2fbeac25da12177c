"""The worker's part of a large roster upload: its dry run kept for the preview, and its confirmed import.

A file larger than ROSTER_READ_INLINE_MAX_BYTES is read, checked and dry-run once by the worker; the preview
page then shows what was kept (`RosterUpload.preview`) without reading the file again. Its confirmed import
runs in the worker too. Nothing here parses a file inside a transaction: the importer opens its own, after
reading.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from classes.models import RosterImport
from classes.models import RosterUpload
from classes.models import User
from classes.roster.importer import RosterImportResult
from classes.roster.importer import roster_import
from classes.tabular.reading import Table

State = RosterUpload.State


def preview_from_result(result: RosterImportResult) -> dict[str, Any]:
    """Return what the preview shows of a dry run, as JSON: the status, counts, errors and changes per class."""
    return {
        "status": result.status,
        **{name: dict(counts) for name, counts in result.counts.items()},
        "errors": [error.as_dict() for error in result.errors],
        "would_leave": result.would_leave,
        "current_people": result.current_people,
        "emptied_classes": list(result.emptied_classes),
        "removals_need_typed_count": result.removals_need_typed_count,
        "class_changes": [
            {
                "name": change.name,
                "new_class": change.new_class,
                "added": list(change.added),
                "moved_in": list(change.moved_in),
                "updated": list(change.updated),
                "moved_out": list(change.moved_out),
                "left": list(change.left),
            }
            for change in result.class_changes
        ],
    }


def roster_upload_dry_run(*, upload: RosterUpload, content: bytes, table: Table) -> dict[str, Any]:
    """Dry-run the upload's file (`table`, read from `content`) with its mapping; return the preview to keep."""
    result = roster_import(**_upload_file(upload, content), dry_run=True, table=table)
    return preview_from_result(result)


def _upload_file(upload: RosterUpload, content: bytes) -> dict[str, Any]:
    """Return what the importer reads of an upload: its school, the file's bytes and name, the column mapping."""
    return {"school": upload.school, "content": content, "filename": upload.file_name, "mapping": upload.mapping}


def upload_import(
    *,
    upload: RosterUpload,
    confirm_removals: bool,
    on: date | None,
    user: User | None,
    removals_typed: int | None = None,
) -> RosterImportResult:
    """Import an upload's file with its column mapping (the page's import and the worker's are this call).

    Confirmed on the page, a hold that removes more than half of the people needs `removals_typed` (classes.holds).
    """
    return roster_import(
        **_upload_file(upload, bytes(upload.content)),
        confirm_removals=confirm_removals,
        typed_count_required=True,
        removals_typed=removals_typed,
        on=on,
        user=user,
    )


def roster_upload_import_run(
    *, upload_id: int, confirm_removals: bool, on: date | None, removals_typed: int | None = None
) -> str | None:
    """Import an upload whose import was confirmed in the page; return the import's status.

    Only an upload in `importing` is imported (one already imported, cancelled or expired is left alone, so a
    task delivered twice does nothing the second time). Imported: the file and its preview are dropped at once
    and the upload is `imported` until the page shows it. Held or failed: the upload is `ready` again, with the
    import's log for the page. Should the import itself break, the upload is `ready` again with a message for the
    page, and the error is raised.
    """
    upload = RosterUpload.objects.filter(pk=upload_id, state=State.IMPORTING).select_related("school", "user").first()
    if upload is None:
        return None
    uploads = RosterUpload.objects.filter(pk=upload_id, state=State.IMPORTING)
    try:
        result = upload_import(
            upload=upload, confirm_removals=confirm_removals, removals_typed=removals_typed, on=on, user=upload.user
        )
    except BaseException:  # the worker's time limit included: the import rolled back, the page says so
        uploads.update(
            state=State.READY,
            import_error=_("The import did not finish and nothing was imported; try again in a few minutes."),
        )
        raise
    if result.status == RosterImport.Status.OK:
        uploads.update(state=State.IMPORTED, import_log=result.log, content=b"", preview=None, headers=None)
    else:
        uploads.update(state=State.READY, import_log=result.log)
    return result.status
