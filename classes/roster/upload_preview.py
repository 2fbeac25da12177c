"""What a roster upload's preview shows, wherever the file was read (by the worker or on upload)."""

from __future__ import annotations

from typing import Any

from classes.models import RosterImport
from classes.models import RosterUpload
from classes.roster.importer import roster_import
from classes.roster.upload_worker import preview_from_result
from classes.tabular.errors import file_errors
from classes.tabular.reading import TableReadError
from classes.tabular.reading import table_read

State = RosterUpload.State


def roster_upload_preview(*, upload: RosterUpload) -> dict[str, Any] | None:
    """Return the upload's preview (`upload_worker.preview_from_result`'s shape), or None while there is none.

    The worker's dry run is kept on the upload; a file read on upload is dry-run now, as the preview page does.
    An upload being read, failed, or imported has no preview.
    """
    if upload.preview is not None:
        return upload.preview
    if upload.by_worker or upload.state not in (State.READY, State.IMPORTING):
        return None
    content = bytes(upload.content)
    try:
        table = table_read(content=content, filename=upload.file_name)
    except TableReadError as exc:
        return {"status": RosterImport.Status.FAILED.value, "errors": [e.as_dict() for e in file_errors(str(exc))]}
    result = roster_import(
        school=upload.school,
        content=content,
        filename=upload.file_name,
        mapping=upload.mapping,
        dry_run=True,
        table=table,
    )
    return preview_from_result(result)
