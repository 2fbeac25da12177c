"""The chat registry and its class/kind mapping: the sync proposes a chat's class and kind from its title;
an administrator confirms the proposal or overrides it, and a confirmed mapping is no longer moved by titles.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models import Max
from django.db.models import Prefetch
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from classes.models import School
from classes.models import SchoolClass
from classes.queries import aggregate_per_row

from .models import Chat
from .models import ChatMembership
from .models import Message

# Kinds that belong to one class, and kinds that belong to the whole school.
CLASS_KINDS = (Chat.Kind.CLASS, Chat.Kind.PARENTS, Chat.Kind.SUBJECT)
SCHOOL_KINDS = (Chat.Kind.STAFF, Chat.Kind.SCHOOL, Chat.Kind.CHANNEL)


def chat_members_count() -> Coalesce:
    """Return the expression of a chat's current member count, to annotate a query set of chats with."""
    current = ChatMembership.objects.filter(left_at__isnull=True)
    return Coalesce(aggregate_per_row(current, "chat_id", Count("pk")), 0)


def chat_registry(*, school: School) -> QuerySet[Chat]:
    """Return the school's chats for the registry: proposals first, then by class and title.

    Annotated with `members` (current members) and `last_message_at`; `moderators` holds the current
    admin memberships with their accounts and linked staff. Three queries whatever the number of chats.
    """
    last_message = aggregate_per_row(Message.objects.all(), "chat_id", Max("sent_at"))
    moderators = ChatMembership.objects.filter(is_admin=True, left_at__isnull=True).select_related("account__staff")
    return (
        Chat.objects.filter(school=school)
        .select_related("school_class")
        .annotate(members=chat_members_count(), last_message_at=last_message)
        .prefetch_related(Prefetch("memberships", queryset=moderators, to_attr="moderators"))
        .order_by("mapping_confirmed", "school_class__grade", "school_class__letter", "kind", "title", "pk")
    )


def moderator_names(chat: Chat) -> list[str]:
    """Return the names of the chat's current admins (from `chat_registry`'s prefetch), staff names first."""
    names = []
    for membership in getattr(chat, "moderators", []):
        account = membership.account
        if account.staff_id:
            names.append(account.staff.full_name)
        else:
            names.append(" ".join(part for part in (account.last_name, account.first_name) if part) or str(account))
    return sorted(names)


def classes_for_mapping(*, school: School, day: date) -> QuerySet[SchoolClass]:
    """Return the classes a chat may be mapped to: the school's classes of the academic year containing the day."""
    return SchoolClass.objects.current_on(day).filter(school=school).order_by("grade", "letter")


def chat_mapping_confirm(*, chat: Chat) -> Chat:
    """Confirm the chat's proposed class and kind as they are."""
    if not chat.mapping_confirmed:
        chat.mapping_confirmed = True
        chat.full_clean()
        chat.save(update_fields=["mapping_confirmed"])
    return chat


def chat_mappings_confirm(*, school: School, chat_ids: Collection[int]) -> int:
    """Confirm the proposals of the school's chats among the ids (others are ignored); return how many."""
    ids = [int(chat_id) for chat_id in chat_ids]
    with transaction.atomic():
        return Chat.objects.filter(school=school, pk__in=ids, mapping_confirmed=False).update(mapping_confirmed=True)


def chat_mapping_set(*, chat: Chat, kind: str, school_class: SchoolClass | None) -> Chat:
    """Set the chat's kind and class by hand and confirm them; raise ValidationError with a sentence if they clash.

    A students, parents or subject chat belongs to a class of the chat's school; a staff, school-wide chat
    or a channel belongs to none.
    """
    if kind not in Chat.Kind.values:
        raise ValidationError({"kind": _("Choose one of the listed kinds.")})
    if school_class is not None and school_class.school_id != chat.school_id:
        raise ValidationError({"school_class": _("The class belongs to another school; choose one of this school's.")})
    if kind in CLASS_KINDS and school_class is None:
        raise ValidationError({"school_class": _("A chat of this kind belongs to a class; choose the class.")})
    if kind in SCHOOL_KINDS and school_class is not None:
        raise ValidationError(
            {"school_class": _("A chat of this kind belongs to the whole school; leave the class empty.")}
        )
    chat.kind = kind
    chat.school_class = school_class
    chat.mapping_confirmed = True
    chat.full_clean()
    chat.save(update_fields=["kind", "school_class", "mapping_confirmed"])
    return chat
