"""An administrator links a Sferum account to a roster person by hand, or unlinks it: kept by later syncs, audited.

`accounts_link` (activation.services) keeps every account marked `link_manual` as it is; a link or unlink made
here or in the admin is one audit entry (`account.link` / `account.unlink`) in the transaction that saves it,
naming the account and the person by kind and id (never by name).
"""

from __future__ import annotations

from django.db import transaction

from classes.audit_changes import by_whom
from classes.models import Parent
from classes.models import Staff
from classes.models import Student
from classes.services import audit_record

from .models import SferumAccount
from .roles import ROLELESS_BACKENDS
from .roles import accounts_roles_derive

ACCOUNT_LINK = "account.link"
ACCOUNT_UNLINK = "account.unlink"

_PERSON_FIELDS = ("staff_id", "student_id", "parent_id")


def _person_text(values: dict) -> str:
    for field in _PERSON_FIELDS:
        if values.get(field):
            return f"{field.removesuffix('_id')} {values[field]}"
    return "nobody"


def account_save_audited(*, account: SferumAccount, user) -> bool:
    """Save an account edited by an administrator; a change of its person (or of `link_manual`) is audited.

    The caller has validated the account (the admin's form; `account_link_manual`). On a platform without roles
    (MAX) its role follows the person linked at once. Return True when the link changed (one entry written).
    """
    names = (*_PERSON_FIELDS, "link_manual")
    with transaction.atomic():
        before = SferumAccount.objects.filter(pk=account.pk).values(*names).first() if account.pk else None
        before = before or {name: None for name in names}
        account.save()
        after = {name: getattr(account, name) for name in names}
        linked_changed = any(before[field] != after[field] for field in _PERSON_FIELDS)
        changed = linked_changed or bool(before["link_manual"]) != bool(after["link_manual"])
        if changed:
            linking = account.person is not None
            verb = "Linked" if linking else "Unlinked"
            kept = "kept by syncs" if account.link_manual else "syncs may change it"
            audit_record(
                user=user,
                action=ACCOUNT_LINK if linking else ACCOUNT_UNLINK,
                description=f"{verb} the {account.backend} account {account.pk} (platform id "
                f"{account.platform_user_id}) by hand{by_whom(user)}: {_person_text(before)} → "
                f"{_person_text(after)}; {kept}.",
                school=account.school,
            )
        if account.backend in ROLELESS_BACKENDS:
            accounts_roles_derive(school=account.school)
    return changed


def account_link_manual(*, account: SferumAccount, person: Staff | Student | Parent | None, user) -> bool:
    """Link the account to `person` by hand (None: unlink it), kept by later syncs; return True when it changed.

    A person of another school raises ValidationError and changes nothing.
    """
    account.staff = person if isinstance(person, Staff) else None
    account.student = person if isinstance(person, Student) else None
    account.parent = person if isinstance(person, Parent) else None
    account.link_manual = True
    account.full_clean()
    return account_save_audited(account=account, user=user)
