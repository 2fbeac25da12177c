"""E-mail about instructions to the addressed schools' administrators: on issue and on a reminder.

Sent after the transaction commits, through the configured backend, one message per recipient (nobody sees
another's address). A failure is logged (the instruction's id and the error's kind, never the text) and loses
nothing: the instruction is already saved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from classes.models import User
from reports.instruction_models import Instruction

logger = logging.getLogger(__name__)

ISSUED = "issued"
REMINDER = "reminder"


def instruction_recipients(*, school_ids: Iterable[int]) -> list[tuple[int, str]]:
    """Return (school id, e-mail) of the active school administrators of the schools who have an address."""
    return list(
        User.objects.filter(role=User.Role.SCHOOL_ADMIN, school_id__in=list(school_ids), is_active=True)
        .exclude(email="")
        .order_by("school_id", "pk")
        .values_list("school_id", "email")
    )


def _message(*, instruction: Instruction, kind: str, school_id: int, site_url: str, to: str) -> EmailMessage:
    values = {"title": instruction.title, "deadline": date_format(instruction.deadline, "d.m.Y")}
    if kind == REMINDER:
        subject = _("Reminder: instruction «%(title)s» is due %(deadline)s") % values
        intro = _("The instruction below is not marked done yet; please carry it out and report.")
    else:
        subject = _("New instruction: «%(title)s», due %(deadline)s") % values
        intro = (
            _("Your school has received an instruction from the regional administrator.")
            if instruction.region_id
            else _("Your school has received an instruction from the municipal administrator.")
        )
    path = reverse("school-instruction", kwargs={"school_id": school_id, "instruction_id": instruction.pk})
    body = "\n\n".join(
        [
            intro,
            _("Instruction: %(title)s") % values,
            _("Deadline: %(deadline)s") % values,
            _("Open it, read it and mark it done with a comment: %(url)s") % {"url": site_url.rstrip("/") + path},
        ]
    )
    return EmailMessage(subject=subject.replace("\n", " "), body=body, to=[to])


def instruction_mail_send(*, instruction: Instruction, school_ids: list[int], kind: str, site_url: str = "") -> int:
    """Send the mail of `kind` to the schools' administrators now; return how many were sent (0 on failure)."""
    recipients = instruction_recipients(school_ids=school_ids)
    if not recipients:
        return 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            messages = [
                _message(instruction=instruction, kind=kind, school_id=school_id, site_url=site_url, to=address)
                for school_id, address in recipients
            ]
        return get_connection().send_messages(messages) or 0
    except Exception as error:  # any backend failure: the instruction stays, the failure is logged
        logger.warning(
            "Instruction %s: %s mail to %d recipients failed (%s).",
            instruction.pk,
            kind,
            len(recipients),
            type(error).__name__,
        )
        return 0


def instruction_mail_on_commit(*, instruction: Instruction, school_ids: list[int], kind: str, site_url: str) -> None:
    """Send the mail once the current transaction commits (nothing goes out for a rolled-back write)."""
    transaction.on_commit(
        lambda: instruction_mail_send(instruction=instruction, school_ids=school_ids, kind=kind, site_url=site_url)
    )
