"""Roster uploads waiting for their preview to be confirmed: read once on upload, a few per user, kept a day."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from classes import clock
from classes.models import RosterImport
from classes.models import RosterMapping
from classes.models import RosterUpload
from classes.models import School
from classes.models import User
from classes.roster.upload_worker import roster_upload_dry_run
from classes.services import audit_record
from classes.tabular.columns import header_normalize
from classes.tabular.reading import TableReadError
from classes.tabular.reading import table_check
from classes.tabular.reading import table_read

ROSTER_HOLD_DISCARD = "roster.hold.discard"


class RosterUploadError(Exception):
    """The upload is refused; the message says why and what to do."""


def roster_uploads_expire() -> int:
    """Delete every upload older than ROSTER_UPLOAD_KEEP_HOURS; return how many were deleted."""
    cutoff = clock.now() - timedelta(hours=settings.ROSTER_UPLOAD_KEEP_HOURS)
    expired = RosterUpload.objects.filter(created_at__lt=cutoff)
    if not expired.exists():  # a read, so opening a page takes no write lock
        return 0
    deleted, _by_model = expired.delete()
    return deleted


def saved_mapping(*, school: School) -> dict[str, str]:
    """Return the school's saved column mapping {header: column}."""
    saved = RosterMapping.objects.filter(school=school).first()
    return saved.mapping if saved is not None else {}


def _mapping_for_headers(saved: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Return the saved mapping's entries for the file's headers (compared as the import compares headers)."""
    by_normalized = {header_normalize(header): column for header, column in saved.items()}
    return {
        header: by_normalized[header_normalize(header)]
        for header in headers
        if header_normalize(header) in by_normalized
    }


def roster_upload_create(*, school: School, user: User, file_name: str, content: bytes) -> RosterUpload:
    """Read the file and keep it for its preview; raise TableReadError if it cannot be read (nothing is kept).

    A file larger than ROSTER_READ_INLINE_MAX_BYTES is kept as `reading` for the worker to read (the caller
    dispatches `classes.tasks.roster_upload_read_task`). Raise RosterUploadError when the user already has
    ROSTER_UPLOADS_PER_USER uploads waiting. The file is read before the upload is saved (one INSERT), so a slow
    file never holds the database's write lock.
    """
    roster_uploads_expire()
    limit = settings.ROSTER_UPLOADS_PER_USER
    if RosterUpload.objects.filter(user=user).exclude(state=RosterUpload.State.IMPORTED).count() >= limit:
        raise RosterUploadError(
            ngettext(
                "You have %(count)d uploaded file waiting for its preview; import or cancel it, then upload again.",
                "You have %(count)d uploaded files waiting for their preview; import or cancel one of them, then "
                "upload again.",
                limit,
            )
            % {"count": limit}
        )
    upload = RosterUpload(
        school=school,
        user=user,
        file_name=PurePath(file_name).name[:255],
        file_hash=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    if len(content) > settings.ROSTER_READ_INLINE_MAX_BYTES:
        table_check(content=content, filename=file_name)  # what needs no parsing is refused at once
        upload.state = RosterUpload.State.READING
        upload.by_worker = True
        upload.save()
        return upload
    headers = table_read(content=content, filename=file_name).header
    upload.mapping = _mapping_for_headers(saved_mapping(school=school), headers)
    upload.save()
    return upload


def roster_upload_read(*, upload_id: int) -> None:
    """Read and dry-run an upload the worker was given: its rows read so far on the page, then ready or failed.

    The headers and the dry run are kept for the preview, which then reads nothing. On the first read the
    school's saved mapping is taken for the file's headers; on a later one (the columns were changed in the
    page) the upload's own mapping is kept. Return quietly when the upload is gone or already read. Nothing is
    read inside a transaction; each write is one short UPDATE.
    """
    upload = (
        RosterUpload.objects.filter(pk=upload_id, state=RosterUpload.State.READING).select_related("school").first()
    )
    if upload is None:
        return
    uploads = RosterUpload.objects.filter(pk=upload_id)

    def progress(rows: int) -> None:
        uploads.update(rows_read=rows)

    content = bytes(upload.content)
    try:
        table = table_read(content=content, filename=upload.file_name, progress=progress)
    except TableReadError as exc:
        uploads.update(state=RosterUpload.State.FAILED, read_error=str(exc), content=b"")
        return
    if upload.headers is None:
        upload.mapping = _mapping_for_headers(saved_mapping(school=upload.school), table.header)
    headers, rows = list(table.header), len(table.rows) + 1
    preview = roster_upload_dry_run(upload=upload, content=content, table=table)  # the file is read only once
    uploads.filter(state=RosterUpload.State.READING).update(
        state=RosterUpload.State.READY,
        rows_read=rows,
        mapping=upload.mapping,
        headers=headers,
        preview=preview,
    )


def roster_upload_read_give_up(*, upload_id: int) -> None:
    """Mark an upload the worker could not read in time as failed, its file dropped, the page saying why."""
    RosterUpload.objects.filter(pk=upload_id, state=RosterUpload.State.READING).update(
        state=RosterUpload.State.FAILED,
        read_error=_("The file took too long to read; split it into smaller files and upload them one by one."),
        content=b"",
    )


def _held_import(upload: RosterUpload) -> RosterImport | None:
    """Return the upload's import log when its last import was held (the worker's or the page's), else None."""
    last = upload.import_log
    if last is None and not upload.by_worker:  # the page's import keeps no link: its log has the file's hash
        last = (
            RosterImport.objects.filter(
                school=upload.school, user=upload.user, file_hash=upload.file_hash, created_at__gte=upload.created_at
            )
            .order_by("-created_at", "-pk")
            .first()
        )
    return last if last is not None and last.status == RosterImport.Status.HELD else None


def roster_upload_discard(*, upload: RosterUpload, user: User) -> bool:
    """Drop an uploaded file without importing it; return True when it discarded a held import (audited).

    Raise RosterUploadError while the worker imports it. An upload whose import was held for confirmation
    writes one `roster.hold.discard` entry in the transaction that drops it; any other upload is just dropped.
    """
    with transaction.atomic():
        locked = (
            RosterUpload.objects.select_for_update(of=("self",))
            .filter(pk=upload.pk)
            .select_related("import_log")
            .first()
        )
        if locked is None:
            return False
        if locked.state == RosterUpload.State.IMPORTING:
            raise RosterUploadError(
                _("The file is being imported and cannot be cancelled; wait for the import to end.")
            )
        held = _held_import(locked)
        locked.delete()
        if held is not None:
            would_leave = held.counts.get("would_leave", 0)
            audit_record(
                user=user,
                action=ROSTER_HOLD_DISCARD,
                description=f"Discarded the held roster import of {locked.file_name} (log {held.pk}): "
                f"{would_leave} people would have left; nothing was imported.",
                school=upload.school,
            )
    return held is not None
