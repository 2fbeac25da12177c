"""Which chats a sync reads, and which went away: listed chats, known chats fetched by id, chats gone.

The platform's chat list can miss a chat (vk orders it by last message, so a chat that moves while the client
pages can slip past; a max school can drop a chat id from its list). Every chat the school already knows and the
list did not bring is fetched by id (`Backend.chats_by_id`, where the backend has it). A known chat that is
neither listed nor found by id, or whose members cannot be read any more (no access), has gone away: its current
memberships end, under the same safety hold as any other removal, and the run reports it.
"""

from __future__ import annotations

from typing import Any

from sferum_api import Backend
from sferum_api import ChatInfo

from .models import Chat
from .models import ChatMembership

NOT_LISTED = "no longer listed"


def chats_list(*, school, backend: Backend) -> tuple[list[ChatInfo], list[tuple[Chat, str]]]:
    """Return the chats to read (listed, or found by id) and the known chats the platform no longer shows, each
    with the reason (the backend's, e.g. "chat not found (404)", else "no longer listed").

    A backend without `chats_by_id` (simulator, files) lists every chat it has; nothing is taken as gone.
    """
    infos = list(backend.list_chats())
    by_id = getattr(backend, "chats_by_id", None)
    if by_id is None:
        return infos, []
    listed = {info.chat_id for info in infos}
    unlisted = [
        chat for chat in Chat.objects.filter(school=school, backend=backend.name) if chat.platform_id not in listed
    ]
    if not unlisted:
        return infos, []
    found = [info for info in by_id([chat.platform_id for chat in unlisted]) if info.chat_id not in listed]
    infos.extend(found)
    found_ids = {info.chat_id for info in found}
    reasons = getattr(backend, "skipped_chats", {})
    return infos, [
        (chat, reasons.get(chat.platform_id, NOT_LISTED)) for chat in unlisted if chat.platform_id not in found_ids
    ]


def chats_gone(
    *, unlisted: list[tuple[Chat, str]], read: tuple[dict[str, Chat], dict[str, Any]], skipped: list[dict[str, str]]
) -> tuple[list[tuple[Chat, list[ChatMembership]]], list[dict[str, str]]]:
    """Return the current memberships to end in every chat that went away, and the report of those chats.

    `read` is ({platform id: listed chat}, {platform id: its members}); a listed chat whose members could not
    be read has lost access (its reason is in `skipped`). A chat without current memberships is not reported
    again.
    """
    listed, members = read
    lost = [chat for chat_id, chat in listed.items() if chat_id not in members]
    reasons = {chat.platform_id: reason for chat, reason in unlisted} | {i["chat"]: i["reason"] for i in skipped}
    chats = {chat.pk: chat for chat in [*(chat for chat, _reason in unlisted), *lost]}
    ended: dict[int, list[ChatMembership]] = {pk: [] for pk in chats}
    for membership in ChatMembership.objects.filter(chat_id__in=list(chats), left_at__isnull=True):
        ended[membership.chat_id].append(membership)
    gone = [(chat, ended[pk]) for pk, chat in chats.items() if ended[pk]]
    report = [
        {"chat": chat.platform_id, "title": chat.title, "reason": reasons.get(chat.platform_id, NOT_LISTED)}
        for chat, _memberships in gone
    ]
    return gone, report
