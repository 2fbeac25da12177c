"""What a sync run plans and what it did: the plan of membership changes, and the run's result (CLI.md)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from .models import Chat
from .models import ChatMembership
from .sync_report import skipped_items_json


@dataclass
class SyncResult:
    """What one sync run did; `to_json()` gives the `sferum_sync --json` object (CLI.md)."""

    status: str = "ok"  # ok | held | failed
    error: str | None = None
    chats_seen: int = 0
    chats_added: int = 0
    chats_skipped: list[dict[str, str]] = field(default_factory=list)
    chats_gone: list[dict[str, str]] = field(default_factory=list)  # chats that went away (chat_listing)
    skipped_items: dict[str, int] = field(default_factory=dict)  # unreadable items by reason (sync_report)
    members_added: int = 0
    members_removed: int = 0
    accounts_linked: int = 0
    accounts_unlinked: int = 0
    accounts_ambiguous: int = 0
    messages_added: int = 0
    messages_duplicates: int = 0
    requests: int = 0
    retries: int = 0
    unknown_role_codes: list[str] = field(default_factory=list)
    held_removals: int = 0  # removals a safety hold kept back (status "held")
    held_reason: str = ""

    def to_json(self, school_code: str, backend_name: str) -> dict:
        """Return the run as the JSON-ready dict of `sferum_sync --json`."""
        return {
            "school": school_code,
            "status": self.status,
            "backend": backend_name,
            "chats": {
                "seen": self.chats_seen,
                "added": self.chats_added,
                "skipped": list(self.chats_skipped),
                "gone": list(self.chats_gone),
            },
            "members": {"added": self.members_added, "removed": self.members_removed},
            "accounts": {
                "linked": self.accounts_linked,
                "unlinked": self.accounts_unlinked,
                "ambiguous": self.accounts_ambiguous,
            },
            "messages": {"added": self.messages_added, "duplicates": self.messages_duplicates},
            "skipped_items": skipped_items_json(self.skipped_items),
            "requests": self.requests,
            "retries": self.retries,
            "error": self.error,
            **({"held": {"removals": self.held_removals, "reason": self.held_reason}} if self.status == "held" else {}),
        }


@dataclass
class ChatPlan:
    """The membership changes of one chat, computed before anything is written."""

    chat: Chat
    joins: list[ChatMembership] = field(default_factory=list)
    removals: list[ChatMembership] = field(default_factory=list)
    admin_changes: list[ChatMembership] = field(default_factory=list)
    current_count: int = 0  # members before this sync
    gone: bool = False  # the chat went away: only its removals are written, no history is read


@dataclass
class SyncPlan:
    chats: list[ChatPlan]
    accounts: dict[str, int]  # platform user id -> SferumAccount id

    @property
    def removals(self) -> list[ChatMembership]:
        return [membership for plan in self.chats for membership in plan.removals]
