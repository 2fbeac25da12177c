"""Roster uploads waiting for their preview to be confirmed: read once on upload, a few per user, kept a day."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from classes import clock
from classes.models import RosterMapping, RosterUpload, School, User
from classes.tabular.columns import header_normalize
from classes.tabular.reading import RosterReadError, table_check, table_read


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
    """Read the file and keep it for its preview; raise RosterReadError if it cannot be read (nothing is kept).

    A file larger than ROSTER_READ_INLINE_MAX_BYTES is kept as `reading` for the worker to read (the caller
    dispatches `classes.tasks.roster_upload_read_task`). Raise RosterUploadError when the user already has
    ROSTER_UPLOADS_PER_USER uploads waiting. The file is read before any transaction starts, so a slow file
    never holds the database's write lock.
    """
    roster_uploads_expire()
    limit = settings.ROSTER_UPLOADS_PER_USER
    if RosterUpload.objects.filter(user=user).count() >= limit:
        raise RosterUploadError(
            _(
                "You have %(count)d uploaded files waiting for their preview; import or cancel one of them, then "
                "upload again."
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
        upload.save()
        return upload
    headers = table_read(content=content, filename=file_name).header
    upload.mapping = _mapping_for_headers(saved_mapping(school=school), headers)
    with transaction.atomic():
        upload.save()
    return upload


def roster_upload_read(*, upload_id: int) -> None:
    """Read an upload the worker was given: its rows read so far on the page, then ready or failed.

    Return quietly when the upload is gone or already read. Nothing is read inside a transaction; each write is
    one short UPDATE.
    """
    upload = RosterUpload.objects.filter(pk=upload_id, state=RosterUpload.State.READING).first()
    if upload is None:
        return
    uploads = RosterUpload.objects.filter(pk=upload_id)

    def progress(rows: int) -> None:
        uploads.update(rows_read=rows)

    try:
        table = table_read(content=bytes(upload.content), filename=upload.file_name, progress=progress)
    except RosterReadError as exc:
        uploads.update(state=RosterUpload.State.FAILED, read_error=str(exc), content=b"")
        return
    mapping = _mapping_for_headers(saved_mapping(school=upload.school), table.header)
    uploads.update(state=RosterUpload.State.READY, rows_read=len(table.rows) + 1, mapping=mapping)
