"""Files attached to instructions and to schools' reports on them: PDF, DOCX or XLSX only, size-limited.

Both the name's extension and the content's signature are checked: a PDF starts with `%PDF-`; a DOCX is a zip
holding `word/`, an XLSX a zip holding `xl/`. Anything else is refused with a sentence saying what to do.
Files are kept with Django's storage (`FileField`) and handed out only by views that check access.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ZIP_FOLDERS = {".docx": "word/", ".xlsx": "xl/"}
NAME_MAX = 255


def attachment_extension(name: str) -> str:
    """Return the lower-case extension of a file name ('' when none)."""
    return PurePath(name or "").suffix.lower()


def _zip_has_folder(upload, folder: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return any(name.startswith(folder) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def attachment_check(upload) -> None:
    """Raise ValidationError unless the upload is a PDF, DOCX or XLSX within INSTRUCTION_FILE_MAX_BYTES whose
    content matches its extension; leave the file at its start."""
    limit = settings.INSTRUCTION_FILE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s; attach a smaller file (PDF, DOCX or XLSX).")
            % {"limit": filesizeformat(limit)}
        )
    if len(upload.name or "") > NAME_MAX:
        raise ValidationError(_("The file name is too long; rename the file and attach it again."))
    extension = attachment_extension(upload.name)
    if extension not in CONTENT_TYPES:
        raise ValidationError(_("Only PDF, DOCX and XLSX files can be attached; save the file in one of them."))
    upload.seek(0)
    if extension == ".pdf":
        matches = upload.read(5) == b"%PDF-"
    else:
        matches = _zip_has_folder(upload, ZIP_FOLDERS[extension])
    upload.seek(0)
    if not matches:
        raise ValidationError(
            _("The file «%(name)s» is not a real %(kind)s file, though its name says so; attach the document itself.")
            % {"name": PurePath(upload.name).name[:80], "kind": extension[1:].upper()}
        )


def attachment_content_type(name: str) -> str:
    """Return the content type a download of the file is sent with."""
    return CONTENT_TYPES.get(attachment_extension(name), "application/octet-stream")
