"""Settings of a region, a municipality or a school saved by a site administrator (Django's admin), audited.

The school administrator's own profile page goes through `classes.services.school_profile_update`; here the
admin's forms save a whole row, and the audit entry names the fields changed (thresholds old → new).
"""

from __future__ import annotations

from django.db import transaction

from classes.audit_changes import by_whom
from classes.audit_changes import changes_text
from classes.audit_changes import field_changes
from classes.models import THRESHOLD_FIELDS
from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.services import SCHOOL_PROFILE_FIELDS
from classes.services import SCHOOL_PROFILE_TEXTS
from classes.services import SETTINGS_SCHOOL
from classes.services import audit_record

SETTINGS_MUNICIPALITY = "settings.municipality"
SETTINGS_REGION = "settings.region"

_AUDITED = {
    Region: (SETTINGS_REGION, ("code", "name", *THRESHOLD_FIELDS)),
    Municipality: (SETTINGS_MUNICIPALITY, ("region_id", "code", "name", *THRESHOLD_FIELDS)),
    School: (
        SETTINGS_SCHOOL,
        ("municipality_id", "code", *SCHOOL_PROFILE_FIELDS, "roster_change_overdue_days", "help_request_overdue_days"),
    ),
}


def scope_settings_save(*, scope: Region | Municipality | School, user) -> bool:
    """Save a region, municipality or school as edited; audit what changed in the same transaction.

    Return True when something changed (and was audited); a row saved unchanged writes no entry.
    """
    action, names = _AUDITED[type(scope)]
    with transaction.atomic():
        before = type(scope).objects.filter(pk=scope.pk).values(*names).first() if scope.pk else None
        scope.save()
        after = {name: getattr(scope, name) for name in names}
        changes = field_changes(before or {}, after, names)
        if not changes:
            return False
        kind = scope._meta.model_name
        verb = "Created" if before is None else "Changed"
        audit_record(
            user=user,
            action=action,
            description=f"{verb} the settings of the {kind} {scope.code}{by_whom(user)}: "
            f"{changes_text(changes, named=SCHOOL_PROFILE_TEXTS)}.",
            **{kind: scope},
        )
    return True
