"""The quarterly e-mail: tell a school's administrators that its reconciliation is open."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from classes import clock
from classes.dates import quarter_label_text
from classes.models import User
from reports.models import Reconciliation


def reconciliation_notify_admins(*, reconciliation: Reconciliation) -> int:
    """E-mail the school's administrators that the quarter's reconciliation is open; once. Return how many."""
    with transaction.atomic():
        locked = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
        if locked.notified_at is not None:
            return 0
        admins = list(
            User.objects.filter(role=User.Role.SCHOOL_ADMIN, school_id=locked.school_id, is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
        )
        quarter = quarter_label_text(locked.quarter_label)
        subject = _("Roster reconciliation for %(quarter)s is open") % {"quarter": quarter}
        body = _(
            "The roster reconciliation of %(school)s is open for %(quarter)s. Compare the official "
            "roster with Sferum on the Reconciliation page, resolve every item and sign the quarter off."
        ) % {"school": locked.school_name, "quarter": quarter}
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in admins])
        locked.notified_at = clock.now()
        locked.save(update_fields=["notified_at"])
    return len(admins)


# ---------------------------------------------------------------------------
