"""Arrivals and departures: a successful sync that agrees with a processed change confirms it."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from activation.models import SferumAccount
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import SyncRun
from classes.models import RosterChange
from classes.models import School
from classes.names import name_key
from classes.roster_changes import roster_change_confirm

# Accounts that may be a student: the student role, or none yet (pending).
STUDENT_OR_PENDING = (SferumAccount.RoleCode.STUDENT, SferumAccount.RoleCode.NONE)


def roster_changes_confirm_from_sync(*, school: School) -> int:
    """Confirm processed arrivals and departures that Sferum agrees with after the last successful sync.

    A departure agrees when no current member of the class's students chat is the student (linked, or by
    name); an arrival when one is (by name). Only changes processed before that sync finished count.
    """
    last_sync = (
        SyncRun.objects.filter(school=school, status=SyncRun.Status.OK, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last_sync is None:
        return 0
    changes = list(
        RosterChange.objects.filter(
            school=school, state=RosterChange.State.PROCESSED, processed_at__lte=last_sync
        ).select_related("student")
    )
    if not changes:
        return 0
    class_ids = {change.school_class_id for change in changes}
    members: dict[int, list[tuple[tuple[str, str], int | None]]] = defaultdict(list)
    rows = (
        ChatMembership.objects.filter(
            chat__school=school,
            chat__kind=Chat.Kind.CLASS,
            chat__school_class_id__in=class_ids,
            left_at__isnull=True,
        )
        .filter(
            Q(account__role_code__in=[SferumAccount.RoleCode.STUDENT, SferumAccount.RoleCode.NONE])
            | Q(account__student__isnull=False)
        )
        .order_by()
        .values_list("chat__school_class_id", "account__last_name", "account__first_name", "account__student_id")
    )
    for class_id, last, first, student_id in rows:
        members[class_id].append((name_key(last, first), student_id))
    confirmed = 0
    for change in changes:
        present = members.get(change.school_class_id, [])
        key = name_key(change.last_name, change.first_name)
        if change.kind == RosterChange.Kind.DEPARTURE:
            agrees = not any(
                student_id == change.student_id or (student_id is None and seen == key) for seen, student_id in present
            )
        else:
            agrees = sum(1 for seen, _student in present if seen == key) == 1
        if agrees:
            confirmed += roster_change_confirm(change=change, source=RosterChange.Source.SYNC)
    return confirmed
