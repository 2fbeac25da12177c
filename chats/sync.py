"""The sync service: one run per school, from a Sferum backend into chats, accounts, memberships and messages.

`school_sync(school=..., backend=...)` reads the backend first (chats and their members), then writes:
chats (with a proposed kind and class), accounts, and per chat, in one transaction each, its membership
changes, its new messages and its cursor. Membership removals are planned for every chat before anything is
written (`SyncPlan.removals`), so a safety hold on mass removals can stop the run at that point. Every write is
a bulk query; the number of queries grows with the number of chats, never with members or messages.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from datetime import datetime
from datetime import time
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from activation.models import SferumAccount
from activation.roles import ROLELESS_BACKENDS
from activation.services import accounts_link
from classes import clock
from classes.models import AcademicYear
from classes.models import School
from classes.models import SchoolClass
from sferum_api import AuthError
from sferum_api import Backend
from sferum_api import ChatAccessError
from sferum_api import ChatInfo
from sferum_api import InvalidRequestError
from sferum_api import Member
from sferum_api import MessageInfo
from sferum_api import Profile
from sferum_api import SferumError
from sferum_api import UnavailableError
from sferum_api.types import ROLE_CODES

from .chat_listing import chats_gone
from .chat_listing import chats_list
from .horizon import chat_history_mark
from .horizon import school_history_record
from .materials import attachment_bits
from .message_insert import MessageRow
from .message_insert import messages_insert
from .message_marks import message_marks_refresh
from .models import Chat
from .models import ChatMembership
from .models import Message
from .sync_report import cursor_past_skipped
from .sync_report import skipped_items_since
from .sync_result import ChatPlan
from .sync_result import SyncPlan
from .sync_result import SyncResult
from .titles import propose_mapping

BATCH_SIZE = 500
_MESSAGE_KINDS = frozenset(Message.Kind.values)


def message_hash_key() -> bytes:
    """Return the key of the keyed hashes of message texts, derived from the server secret."""
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"sferum-message-text", hashlib.sha256).digest()


# ----- reading the platform ---------------------------------------------------------------------------------


def _members_read(
    backend: Backend, infos: list[ChatInfo], result: SyncResult
) -> tuple[dict[str, list[Member]], dict[str, Profile]]:
    """Return the members of every chat that answers, and every profile seen; record the chats that don't."""
    members: dict[str, list[Member]] = {}
    profiles: dict[str, Profile] = {}
    for info in infos:
        try:
            listed = backend.list_members(info.chat_id)
        except ChatAccessError as exc:
            result.chats_skipped.append({"chat": info.chat_id, "reason": exc.reason})
            continue
        members[info.chat_id] = listed
        for member in listed:
            profiles[member.user_id] = member.profile
    return members, profiles


# ----- writing ---------------------------------------------------------------------------------------------


def _current_year(*, school: School) -> AcademicYear | None:
    today = clock.today(school.tz)
    return AcademicYear.objects.current_on(today).filter(school=school).order_by("-starts_on").first()


def chats_upsert(*, school: School, backend_name: str, infos: list[ChatInfo]) -> tuple[dict[str, Chat], int]:
    """Create or update the chats listed; propose kind and class unless an administrator confirmed them.

    Return ({platform id: Chat}, number of chats added).
    """
    year = _current_year(school=school)
    classes = {c.name: c for c in SchoolClass.objects.filter(school=school, year=year)} if year else {}
    existing = {chat.platform_id: chat for chat in Chat.objects.filter(school=school, backend=backend_name)}
    title_length = Chat._meta.get_field("title").max_length
    new: list[Chat] = []
    changed: list[Chat] = []
    for info in infos:
        kind, class_name = propose_mapping(info.title, info.is_channel)
        school_class = classes.get(class_name) if class_name else None
        title = (info.title or "")[:title_length]
        chat = existing.get(info.chat_id)
        if chat is None:
            chat = Chat(
                school=school,
                backend=backend_name,
                platform_id=info.chat_id,
                title=title,
                kind=kind,
                school_class=school_class,
            )
            existing[info.chat_id] = chat
            new.append(chat)
            continue
        before = (chat.title, chat.kind, chat.school_class_id)
        chat.title = title
        if not chat.mapping_confirmed:
            chat.kind = kind
            chat.school_class = school_class
        if (chat.title, chat.kind, chat.school_class_id) != before:
            changed.append(chat)
    with transaction.atomic():
        Chat.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
        Chat.objects.bulk_update(changed, ["title", "kind", "school_class"], batch_size=BATCH_SIZE)
    listed = {info.chat_id for info in infos}
    chats = {
        chat.platform_id: chat
        for chat in Chat.objects.filter(school=school, backend=backend_name)
        if chat.platform_id in listed
    }
    return chats, len(new)


def _role_and_status(profile: Profile, backend: Backend) -> tuple[str, str]:
    role = profile.role_code
    if role is not None and role not in ROLE_CODES:
        backend.stats.unknown_role_codes.add(role)
        role = None
    if role:
        return role, SferumAccount.Status.ACTIVE
    return "", SferumAccount.Status.PENDING


def accounts_upsert(*, school: School, backend: Backend, profiles: dict[str, Profile]) -> dict[str, int]:
    """Create or update the accounts of the profiles seen (names, role, status); return {user id: account id}.

    A role confirmed on the platform makes an account active, none makes it pending; a blocked account
    stays blocked. On a platform without roles (MAX) an account keeps the role linking gave it.
    """
    existing = {
        account.platform_user_id: account
        for account in SferumAccount.objects.filter(school=school, backend=backend.name)
    }
    name_length = SferumAccount._meta.get_field("last_name").max_length
    now = clock.now()
    new: list[SferumAccount] = []
    changed: list[SferumAccount] = []
    for user_id, profile in profiles.items():
        role_code, status = _role_and_status(profile, backend)
        last_name, first_name = profile.last_name[:name_length], profile.first_name[:name_length]
        account = existing.get(user_id)
        if account is None:
            new.append(
                SferumAccount(
                    school=school,
                    backend=backend.name,
                    platform_user_id=user_id,
                    last_name=last_name,
                    first_name=first_name,
                    role_code=role_code,
                    status=status,
                )
            )
            continue
        if backend.name in ROLELESS_BACKENDS:  # the role comes from linking (activation.roles), not the platform
            role_code, status = account.role_code, account.status
        if account.status == SferumAccount.Status.BLOCKED:
            status = SferumAccount.Status.BLOCKED
        seen = (last_name, first_name, role_code, status)
        if (account.last_name, account.first_name, account.role_code, account.status) != seen:
            account.last_name, account.first_name, account.role_code, account.status = seen
            account.updated_at = now
            changed.append(account)
    with transaction.atomic():
        SferumAccount.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
        SferumAccount.objects.bulk_update(
            changed, ["last_name", "first_name", "role_code", "status", "updated_at"], batch_size=BATCH_SIZE
        )
    return dict(SferumAccount.objects.filter(school=school, backend=backend.name).values_list("platform_user_id", "id"))


def memberships_plan(
    *, chats: dict[str, Chat], members: dict[str, list[Member]], accounts: dict[str, int]
) -> list[ChatPlan]:
    """Return, per chat, the members who joined, the members who left and the admin flags that changed.

    Nothing is written: the caller may inspect the removals (a safety hold) before applying them.
    """
    now = clock.now()
    chat_ids = [chats[chat_id].pk for chat_id in members]
    current: dict[int, dict[int, ChatMembership]] = {pk: {} for pk in chat_ids}
    for membership in ChatMembership.objects.filter(chat_id__in=chat_ids, left_at__isnull=True):
        current[membership.chat_id][membership.account_id] = membership
    plans: list[ChatPlan] = []
    for chat_id, listed in members.items():
        chat = chats[chat_id]
        plan = ChatPlan(chat=chat)
        present = current[chat.pk]
        seen: set[int] = set()
        for member in listed:
            account_id = accounts[member.user_id]
            if account_id in seen:
                continue
            seen.add(account_id)
            is_admin = member.is_admin or member.is_owner
            membership = present.get(account_id)
            if membership is None:
                plan.joins.append(
                    ChatMembership(
                        chat=chat, account_id=account_id, joined_at=member.joined_at or now, is_admin=is_admin
                    )
                )
            elif membership.is_admin != is_admin:
                membership.is_admin = is_admin
                plan.admin_changes.append(membership)
        plan.removals = [membership for account_id, membership in present.items() if account_id not in seen]
        plan.current_count = len(present)
        plans.append(plan)
    return plans


def _memberships_apply(plan: ChatPlan) -> tuple[int, int]:
    now = clock.now()
    for membership in plan.removals:
        membership.left_at = max(now, membership.joined_at) if membership.joined_at else now
    ChatMembership.objects.bulk_update(plan.removals, ["left_at"], batch_size=BATCH_SIZE)
    ChatMembership.objects.bulk_update(plan.admin_changes, ["is_admin"], batch_size=BATCH_SIZE)
    ChatMembership.objects.bulk_create(plan.joins, batch_size=BATCH_SIZE)
    return len(plan.joins), len(plan.removals)


def _authors_ensure(*, school: School, backend_name: str, infos: list[MessageInfo], accounts: dict[str, int]) -> None:
    """Create pending accounts for authors who are members no more (their messages still count)."""
    missing = sorted({info.author_id for info in infos if info.author_id and info.author_id not in accounts})
    if not missing:
        return
    SferumAccount.objects.bulk_create(
        [
            SferumAccount(
                school=school, backend=backend_name, platform_user_id=user_id, status=SferumAccount.Status.PENDING
            )
            for user_id in missing
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    accounts.update(
        SferumAccount.objects.filter(school=school, backend=backend_name, platform_user_id__in=missing).values_list(
            "platform_user_id", "id"
        )
    )


def messages_store(*, chat: Chat, infos: list[MessageInfo], accounts: dict[str, int]) -> tuple[int, int]:
    """Store the messages not stored yet and advance the chat's cursor past them; return (added, duplicates).

    Call inside the chat's transaction: the cursor moves only together with every message below it. No query
    per message: the chat's messages go in as plain rows (chats.message_insert), the stored ones skipped by
    the table's unique key.
    """
    unique: dict[str, MessageInfo] = {}
    for info in infos:
        unique.setdefault(info.message_id, info)
    if not unique:
        return 0, len(infos)
    kinds = _MESSAGE_KINDS
    text = Message.Kind.TEXT.value
    chat_id = chat.pk
    rows = [
        MessageRow(
            chat_id,
            info.message_id,
            accounts.get(info.author_id) if info.author_id and not info.from_bot else None,
            info.from_bot or info.author_id is None,
            info.sent_at,
            info.kind if info.kind in kinds else text,
            info.text_length,
            info.emoji_only,
            info.text_hash,
            attachment_bits(info.attachments),
            info.call_duration,
            info.call_participants,
        )
        for info in unique.values()
    ]
    added = messages_insert(rows)
    highest = max(info.cursor for info in unique.values())
    if chat.cursor is None or highest > chat.cursor:
        chat.cursor = highest
    return added, len(infos) - added


def _chat_sync(
    *, school: School, backend: Backend, plan: ChatPlan, accounts: dict[str, int], since: datetime | None
) -> tuple[int, int, int, int] | None:
    """Read the chat's new messages, then write its memberships, messages and cursor in one transaction.

    Return (members added, members removed, messages added, duplicates), or None when the chat refused access.
    """
    chat = plan.chat
    infos = [] if plan.gone else list(backend.iter_messages(chat.platform_id, after_cursor=chat.cursor, since=since))
    marked = [] if plan.gone else chat_history_mark(chat=chat, infos=infos, since=since)  # first read: horizon
    with transaction.atomic():
        joined, left = _memberships_apply(plan)
        _authors_ensure(school=school, backend_name=backend.name, infos=infos, accounts=accounts)
        added, duplicates = messages_store(chat=chat, infos=infos, accounts=accounts)
        cursor_past_skipped(chat=chat, stats=backend.stats)
        chat.last_synced_at = clock.now()
        chat.save(update_fields=["cursor", "last_synced_at", *marked])
    return joined, left, added, duplicates


def sync_plan(*, school: School, backend: Backend, result: SyncResult) -> SyncPlan:
    """Read chats and members from the backend, write chats and accounts, and plan the membership changes."""
    infos, unlisted = chats_list(school=school, backend=backend)
    result.chats_seen = len(infos)
    chats, result.chats_added = chats_upsert(school=school, backend_name=backend.name, infos=infos)
    members, profiles = _members_read(backend, infos, result)
    accounts = accounts_upsert(school=school, backend=backend, profiles=profiles)
    plans = memberships_plan(chats=chats, members=members, accounts=accounts)
    gone, result.chats_gone = chats_gone(unlisted=unlisted, read=(chats, members), skipped=result.chats_skipped)
    plans += [ChatPlan(chat=chat, removals=ended, current_count=len(ended), gone=True) for chat, ended in gone]
    return SyncPlan(chats=plans, accounts=accounts)


def sync_apply(*, school: School, backend: Backend, plan: SyncPlan, since: datetime | None, result: SyncResult) -> None:
    """Write each chat's memberships, messages and cursor (one transaction per chat), then link accounts."""
    for chat_plan in plan.chats:
        try:
            counts = _chat_sync(school=school, backend=backend, plan=chat_plan, accounts=plan.accounts, since=since)
        except ChatAccessError as exc:
            result.chats_skipped.append({"chat": chat_plan.chat.platform_id, "reason": exc.reason})
            continue
        result.members_added += counts[0]
        result.members_removed += counts[1]
        result.messages_added += counts[2]
        result.messages_duplicates += counts[3]
    # The weekly job's marks of what was stored (a chat that failed leaves its messages unmarked: marked later).
    message_marks_refresh(school_ids=[school.pk])
    link = accounts_link(school=school)
    result.accounts_linked, result.accounts_unlinked, result.accounts_ambiguous = (
        link.linked,
        link.unlinked,
        link.ambiguous,
    )


def _failure_message(exc: SferumError) -> str:
    if isinstance(exc, AuthError):
        return (
            "Sferum refused the school's token (invalid or expired); reconnect the integration with "
            "sferum_connect and run the sync again."
        )
    if isinstance(exc, UnavailableError):
        return f"Sferum is unavailable ({exc}); nothing more was written, try the sync again later."
    if isinstance(exc, InvalidRequestError):
        return f"Sferum rejected a request as invalid ({exc}); this is a bug, please report it."
    return f"The sync stopped: {exc}."


def memberships_current_count(*, school: School) -> int:
    """Return how many memberships of the school's chats are current (the people a sync hold protects)."""
    return ChatMembership.objects.filter(chat__school=school, left_at__isnull=True).count()


def removal_hold_reason(*, school: School, plan: SyncPlan) -> str:
    """Return why the planned removals need an administrator's confirmation, or "" when they don't.

    Held: more than SYNC_HOLD_REMOVAL_SHARE of the school's current memberships would end, or a class's
    students or parents chat would lose every member.
    """
    removals = len(plan.removals)
    if not removals:
        return ""
    current = memberships_current_count(school=school)
    share = Fraction(str(settings.SYNC_HOLD_REMOVAL_SHARE))
    if removals > share * current:
        return _("%(removals)d of %(current)d memberships would end (more than %(share)s%%).") % {
            "removals": removals,
            "current": current,
            "share": f"{float(share) * 100:g}",
        }
    emptied = sorted(
        chat_plan.chat.title or chat_plan.chat.platform_id
        for chat_plan in plan.chats
        if chat_plan.removals
        and not chat_plan.joins
        and chat_plan.chat.school_class_id is not None
        and chat_plan.chat.kind in (Chat.Kind.CLASS, Chat.Kind.PARENTS)
        and len(chat_plan.removals) == chat_plan.current_count
    )
    if emptied:
        return _("These class chats would lose every member: %(chats)s.") % {"chats": ", ".join(emptied)}
    return ""


def school_sync(
    *, school: School, backend: Backend, since: date | None = None, confirm_removals: bool = False
) -> SyncResult:
    """Run one sync of the school from the backend and return what it did.

    `since` (a date) stops reading each chat's history at that day's start in the school's time zone, besides
    the chat's cursor. A chat that refuses access is skipped and recorded; a token, availability or request
    error stops the run with status `failed` (chats already finished stay written; the chat in progress has
    nothing written).
    """
    result = SyncResult()
    requests, retries, skipped = backend.stats.requests, backend.stats.retries, dict(backend.stats.skipped_items)
    since_at = datetime.combine(since, time(0), tzinfo=school.tz) if since is not None else None
    try:
        plan = sync_plan(school=school, backend=backend, result=result)
        reason = "" if confirm_removals else removal_hold_reason(school=school, plan=plan)
        if reason:
            # The safety hold: write everything else, none of the removals, and wait for an administrator.
            result.held_removals = len(plan.removals)
            result.held_reason = reason
            for chat_plan in plan.chats:
                chat_plan.removals = []
        sync_apply(school=school, backend=backend, plan=plan, since=since_at, result=result)
        school_history_record(school=school, chats=[p.chat for p in plan.chats], skipped=result.chats_skipped)
        if reason:
            result.status = "held"
    except SferumError as exc:  # AuthError, UnavailableError, InvalidRequestError; a chat error while listing
        result.status = "failed"
        result.error = _failure_message(exc)
    finally:
        result.requests = backend.stats.requests - requests
        result.retries = backend.stats.retries - retries
        result.skipped_items = skipped_items_since(stats=backend.stats, before=skipped)
        result.unknown_role_codes = sorted(backend.stats.unknown_role_codes)
    return result
