"""Member-list imports of the `files` backend: a file's rows synced through the logged sync service.

Reading and checking the file is `chats.files_import.member_list.member_list_read`; the sync is
`chats.services.school_sync_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from classes.models import School
from classes.models import User
from classes.tabular.errors import RowError
from sferum_api.files import FilesBackend
from sferum_api.files import chat_id_for_title

from .files_import.member_list import member_list_read
from .models import Chat
from .models import SyncRun
from .services import SyncAlreadyRunning
from .services import school_sync_run
from .sync import SyncResult


@dataclass
class MemberListImportResult:
    """What a member-list import did: the sync's result and log row (ok or held), or why it did nothing (failed)."""

    status: str  # "ok" | "held" | "failed"
    errors: list[RowError] = field(default_factory=list)
    members: int = 0  # rows read
    chats: int = 0
    run: SyncRun | None = None
    sync: SyncResult | None = None

    @property
    def error(self) -> str | None:
        """Return the first reason the import failed, or None."""
        if self.errors:
            return self.errors[0].message
        return self.sync.error if self.sync is not None else None

    def to_json(self, school_code: str, file: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "school": school_code,
            "status": self.status,
            "file": file,
            "members": self.members,
            "chats": self.chats,
            "errors": [error.as_dict() for error in self.errors],
        }
        if self.sync is not None:
            data["sync"] = self.sync.to_json(school_code, FilesBackend.name)
        return data


def member_list_import(
    *,
    school: School,
    content: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    confirm_removals: bool = False,
    user: User | None = None,
) -> MemberListImportResult:
    """Sync the school's chats and their members from a member-list file (a full snapshot of the chats it lists).

    A file with any bad row writes nothing (failed, every bad row listed). Otherwise the rows run through the
    logged sync service as the `files` backend: members missing from the file leave their chats (those of a
    chat the file no longer lists too), unless that would remove too many at once (held until
    `confirm_removals`). A sync already running fails the import.
    """
    rows, errors = member_list_read(content=content, filename=filename, mapping=mapping, tz=school.tz)
    if errors:
        return MemberListImportResult(status="failed", errors=errors)
    known_chats = dict(
        Chat.objects.filter(school=school, backend=FilesBackend.name).values_list("platform_id", "title").order_by()
    )
    backend = FilesBackend(rows=rows, known_chats=known_chats)
    chats = len({chat_id_for_title(row.title) for row in rows})
    try:
        run, sync = school_sync_run(school=school, backend=backend, confirm_removals=confirm_removals, user=user)
    except SyncAlreadyRunning as exc:
        return MemberListImportResult(status="failed", errors=[RowError(row=None, column="", message=str(exc))])
    return MemberListImportResult(status=sync.status, members=len(rows), chats=chats, run=run, sync=sync)
