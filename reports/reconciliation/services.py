"""Stored reconciliations: open, run (compare and store the items), resolve an item, sign the quarter off."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from classes import clock
from classes.audit_changes import by_whom
from classes.models import Quarter
from classes.models import School
from classes.models import User
from classes.services import audit_record
from reports.models import Reconciliation
from reports.models import ReconciliationItem
from reports.reconciliation.comparison import reconciliation_compute
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.selectors import quarter_label

RECONCILIATION_RESOLVE = "reconciliation.resolve"
RECONCILIATION_SIGNOFF = "reconciliation.signoff"


def _locked_message() -> str:
    return _("This reconciliation is signed off; it can no longer be changed.")


def reconciliation_for_quarter(*, school: School, quarter: Quarter) -> Reconciliation | None:
    return Reconciliation.objects.filter(school=school, quarter=quarter).select_related("signed_by").first()


def reconciliation_open(*, school: School, quarter: Quarter) -> tuple[Reconciliation, bool]:
    """Return the school's reconciliation of the quarter, opening it if there is none; (reconciliation, opened)."""
    with transaction.atomic():
        existing = Reconciliation.objects.select_for_update().filter(school=school, quarter=quarter).first()
        if existing is not None:
            return existing, False
        reconciliation = Reconciliation(
            school=school,
            quarter=quarter,
            quarter_label=quarter_label(quarter),
            school_name=school.full_name,
            opened_at=clock.now(),
        )
        reconciliation.full_clean()
        reconciliation.save()
    return reconciliation, True


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name()


def signer_position(user: User) -> str:
    """Return the position printed under the signature unless the signer types one: the login's role."""
    return user.get_role_display()


def reconciliation_run(*, reconciliation: Reconciliation, user: User | None, day: date | None = None) -> Reconciliation:
    """Compare again and store the items; an item that is still there keeps its resolution.

    Run by an administrator (`user`), it puts the reconciliation in progress; the opening job runs it with no
    user and leaves it open. A signed-off reconciliation raises ReconciliationError.
    """
    school = reconciliation.school
    result = reconciliation_compute(school=school, day=day)
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.signed_off:
            raise ReconciliationError(_locked_message())
        kept = {
            (key, category): values
            for key, category, *values in ReconciliationItem.objects.filter(reconciliation=locked)
            .exclude(resolution="")
            .values_list(
                "key", "category", "resolution", "resolution_note", "resolved_by_id", "resolved_by_name", "resolved_at"
            )
        }
        ReconciliationItem.objects.filter(reconciliation=locked).delete()
        items = []
        for item in result.items:
            resolution, note, by_id, by_name, at = kept.get((item.key, item.category), ("", "", None, "", None))
            items.append(
                ReconciliationItem(
                    reconciliation=locked,
                    key=item.key[:200],
                    category=item.category,
                    role=item.role,
                    person_id=item.person_id,
                    name=item.name[:500],
                    roster_class=item.roster_class,
                    sferum_class=item.sferum_class[:200],
                    sferum_user_id="" if item.sferum_user_id is None else str(item.sferum_user_id),
                    note=item.note,
                    probable=item.probable,
                    resolution=resolution,
                    resolution_note=note,
                    resolved_by_id=by_id,
                    resolved_by_name=by_name,
                    resolved_at=at,
                )
            )
        ReconciliationItem.objects.bulk_create(items, batch_size=500)
        locked.summary = result.stored_summary()
        locked.source = result.source
        locked.computed_at = clock.now()
        fields = ["summary", "source", "computed_at"]
        if user is not None and locked.status == Reconciliation.Status.OPEN:
            locked.status = Reconciliation.Status.IN_PROGRESS
            fields.append("status")
        locked.save(update_fields=fields)
    return locked


RESOLUTION_FIELDS = ["resolution", "resolution_note", "resolved_by", "resolved_by_name", "resolved_at"]


def _resolution_set(item: ReconciliationItem, *, resolution: str, user: User | None, name: str, note: str) -> None:
    """Set who (`user`, `name`) resolved the item, how and when (an empty resolution clears it); save nothing."""
    item.resolution = resolution
    item.resolution_note = note.strip()[:500] if resolution else ""
    item.resolved_by = user if resolution else None
    item.resolved_by_name = name if resolution else ""
    item.resolved_at = clock.now() if resolution else None


def _reconciliation_lock_writable(reconciliation_id: int) -> Reconciliation:
    """Lock the reconciliation for a change of its items; raise ReconciliationError once it is signed off."""
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation_id)
    if reconciliation.signed_off:
        raise ReconciliationError(_locked_message())
    return reconciliation


def _in_progress(reconciliation: Reconciliation) -> None:
    if reconciliation.status == Reconciliation.Status.OPEN:
        reconciliation.status = Reconciliation.Status.IN_PROGRESS
        reconciliation.save(update_fields=["status"])


def reconciliation_item_resolve(
    *, item: ReconciliationItem, resolution: str, user: User | None, note: str = ""
) -> ReconciliationItem:
    """Mark the item resolved with how (or, with an empty resolution, not resolved again)."""
    if resolution not in ReconciliationItem.Resolution.values:
        raise ReconciliationError(_("Choose how the item was resolved."))
    with transaction.atomic():
        reconciliation = _reconciliation_lock_writable(item.reconciliation_id)
        locked = ReconciliationItem.objects.select_for_update().get(pk=item.pk)
        _resolution_set(locked, resolution=resolution, user=user, name=_user_name(user), note=note)
        locked.save(update_fields=RESOLUTION_FIELDS)
        _in_progress(reconciliation)
        _resolution_audit(reconciliation=reconciliation, items=[locked], resolution=resolution, user=user)
    return locked


def _resolution_audit(
    *, reconciliation: Reconciliation, items: list[ReconciliationItem], resolution: str, user: User | None
) -> None:
    """Write one entry for a resolution (of one item or a selection): the items' ids and categories, no names."""
    how = f"as {resolution}" if resolution else "as not resolved again"
    shown = ", ".join(f"{item.pk} ({item.category})" for item in items[:20])
    more = f" and {len(items) - 20} more" if len(items) > 20 else ""
    audit_record(
        user=user,
        action=RECONCILIATION_RESOLVE,
        description=f"Marked {len(items)} item(s) of the reconciliation {reconciliation.pk} "
        f"({reconciliation.quarter_label}) {how}{by_whom(user)}: {shown}{more}.",
        rows=len(items),
        school=reconciliation.school,
    )


def reconciliation_items_resolve(
    *, reconciliation: Reconciliation, item_ids: Collection[int], resolution: str, user: User | None, note: str = ""
) -> int:
    """Resolve every selected item of the reconciliation the same way, in one transaction; return how many.

    Each item records who resolved it, how and when, as a single resolution does. A selection that is empty
    or names an item of another reconciliation changes nothing and raises ReconciliationError.
    """
    if resolution not in ReconciliationItem.Resolution.values:
        raise ReconciliationError(_("Choose how the items were resolved."))
    wanted = set(item_ids)
    if not wanted:
        raise ReconciliationError(_("Select at least one item; nothing was changed."))
    with transaction.atomic():
        locked = _reconciliation_lock_writable(reconciliation.pk)
        items = list(
            ReconciliationItem.objects.select_for_update().filter(reconciliation=locked, pk__in=wanted).order_by("pk")
        )
        if len(items) != len(wanted):
            raise ReconciliationError(
                _("Some selected items are not in this reconciliation any more; reload the page. Nothing was changed.")
            )
        name = _user_name(user)
        for item in items:
            _resolution_set(item, resolution=resolution, user=user, name=name, note=note)
        ReconciliationItem.objects.bulk_update(items, RESOLUTION_FIELDS, batch_size=500)
        _in_progress(locked)
        _resolution_audit(reconciliation=locked, items=items, resolution=resolution, user=user)
    return len(items)


def reconciliation_sign_off(*, reconciliation: Reconciliation, user: User, position: str = "") -> Reconciliation:
    """Sign the quarter off: every item must be resolved; afterwards nothing of it changes.

    The signer's full name and `position` (default: `signer_position`) are kept for the report.
    """
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.signed_off:
            raise ReconciliationError(_locked_message())
        if locked.computed_at is None:
            raise ReconciliationError(_("Run the comparison before signing the quarter off."))
        unresolved = ReconciliationItem.objects.filter(reconciliation=locked, resolution="").count()
        if unresolved:
            raise ReconciliationError(
                _("%(count)d items are not resolved yet; mark each one resolved before signing off.")
                % {"count": unresolved}
            )
        locked.status = Reconciliation.Status.SIGNED_OFF
        locked.signed_by = user
        locked.signed_by_name = _user_name(user)
        locked.signed_by_position = (position.strip() or signer_position(user))[:255]
        locked.signed_at = clock.now()
        locked.save(update_fields=["status", "signed_by", "signed_by_name", "signed_by_position", "signed_at"])
        items = ReconciliationItem.objects.filter(reconciliation=locked).count()
        audit_record(
            user=user,
            action=RECONCILIATION_SIGNOFF,
            description=f"Signed off the reconciliation {locked.pk} ({locked.quarter_label}) of the school "
            f"{locked.school.code} with {items} resolved items.",
            rows=items,
            school=locked.school,
        )
    return locked
