"""Instructions of a municipal or regional administrator to schools: issue, read, done, remind; and who sees what.

Issuer scope: a municipal administrator issues in their municipality (to its schools) and sees the instructions
issued there; a regional administrator issues in their region (to its schools) and sees the region's and its
municipalities' (changing only their own). A school's administrator sees only the instructions addressed to their
school; teachers see none. Every change is audited (ids and counts, never the text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Window
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from classes import clock
from classes.access import schools_for_user
from classes.models import School
from classes.models import User
from classes.services import audit_record
from reports.instruction_files import attachment_check
from reports.instruction_mail import ISSUED
from reports.instruction_mail import REMINDER
from reports.instruction_mail import instruction_mail_on_commit
from reports.instruction_models import Instruction
from reports.instruction_models import InstructionTarget

Role = User.Role
ISSUER_ROLES = (Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN)

INSTRUCTION_ISSUED = "instruction.issued"
INSTRUCTION_READ = "instruction.read"
INSTRUCTION_DONE = "instruction.done"
INSTRUCTION_REMINDED = "instruction.reminded"

# The dashboard panel lists at most this many open instructions (overdue first, then by deadline).
PANEL_SHOWN = 5


# ---------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------


def instructions_for_user(*, user: User) -> QuerySet[Instruction]:
    """Return the instructions an issuer-side login sees: a municipal administrator's municipality's, a regional
    administrator's region's (its municipalities' included); none for other roles."""
    instructions = Instruction.objects.select_related("municipality", "region", "issued_by")
    if user.role == Role.MUNICIPAL_ADMIN and user.municipality_id:
        instructions = instructions.filter(municipality_id=user.municipality_id)
    elif user.role == Role.REGIONAL_ADMIN and user.region_id:
        instructions = instructions.filter(Q(region_id=user.region_id) | Q(municipality__region_id=user.region_id))
    else:
        return instructions.none()
    return instructions


def instruction_for_user_or_404(*, user: User, instruction_id: int) -> Instruction:
    """Return the instruction if the issuer-side login sees it, else raise 404."""
    found = instructions_for_user(user=user).filter(pk=instruction_id).first()
    if found is None:
        raise Http404
    return found


def instruction_targets(*, instruction: Instruction) -> list[InstructionTarget]:
    """Return the instruction's addressed schools with who read it and who marked it done (one query)."""
    targets = instruction.targets.select_related("school", "read_by", "done_by").order_by("school__short_name", "pk")
    result = list(targets)
    for target in result:
        target.instruction = instruction
    return result


def can_manage(*, user: User, instruction: Instruction) -> bool:
    """Return True for the administrator of the scope it was issued in (reminders are theirs alone)."""
    if user.role == Role.MUNICIPAL_ADMIN:
        return bool(instruction.municipality_id) and instruction.municipality_id == user.municipality_id
    if user.role == Role.REGIONAL_ADMIN:
        return bool(instruction.region_id) and instruction.region_id == user.region_id
    return False


def issuer_schools(*, user: User) -> QuerySet[School]:
    """Return the schools an issuer may address: the municipal administrator's municipality's, the regional
    administrator's region's; none for other roles."""
    if user.role not in ISSUER_ROLES:
        return School.objects.none()
    return schools_for_user(user=user).order_by("short_name", "pk")


def school_targets(*, school: School) -> QuerySet[InstructionTarget]:
    """Return the school's instructions (as its targets), newest first, with the instruction (one query)."""
    return (
        InstructionTarget.objects.filter(school=school)
        .select_related("instruction", "school")
        .order_by("done_at", "-instruction__created_at", "-pk")
    )


def school_target_or_404(*, school: School, instruction_id: int) -> InstructionTarget:
    """Return the school's target of the instruction; 404 when it is not addressed to the school."""
    target = school_targets(school=school).select_related("read_by", "done_by").filter(instruction_id=instruction_id)
    found = target.first()
    if found is None:
        raise Http404
    return found


@dataclass
class InstructionsPanel:
    """The school's open instructions as the dashboard shows them."""

    open: int
    overdue: int
    items: list


def instructions_panel(*, school: School, today: date) -> InstructionsPanel:
    """Return the school's open (not done) instructions by deadline, at most PANEL_SHOWN, with how many are open and
    overdue in all (one query: the counts ride on each row as window aggregates)."""
    rows = list(
        InstructionTarget.objects.filter(school=school, done_at__isnull=True)
        .select_related("instruction")
        .annotate(
            open_total=Window(Count("pk")),
            overdue_total=Window(Count("pk", filter=Q(instruction__deadline__lt=today))),
        )
        .order_by("instruction__deadline", "pk")[:PANEL_SHOWN]
    )
    for item in rows:
        item.school = school
        item.status = item.status_on(today)
    if not rows:
        return InstructionsPanel(open=0, overdue=0, items=[])
    return InstructionsPanel(open=rows[0].open_total, overdue=rows[0].overdue_total, items=rows)


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------


def _issuer_scope(user: User) -> dict:
    if user.role == Role.MUNICIPAL_ADMIN and user.municipality_id:
        return {"municipality_id": user.municipality_id}
    if user.role == Role.REGIONAL_ADMIN and user.region_id:
        return {"region_id": user.region_id}
    raise PermissionDenied


def _audit_scope(instruction: Instruction) -> dict:
    if instruction.municipality_id:
        return {"municipality": instruction.municipality}
    return {"region": instruction.region}


def _file_name(upload) -> str:
    return (upload.name or "")[-255:]


def instruction_issue(
    *,
    user: User,
    title: str,
    text: str,
    deadline: date,
    schools: list[School],
    file=None,
    site_url: str = "",
) -> Instruction:
    """Issue an instruction to the schools (each must be in the issuer's scope), mail their administrators after
    the commit, and audit it. Raise ValidationError (nothing written) on bad input."""
    scope = _issuer_scope(user)
    if not schools:
        raise ValidationError(_("Choose at least one school."))
    allowed = set(
        issuer_schools(user=user).filter(pk__in=[school.pk for school in schools]).values_list("pk", flat=True)
    )
    if any(school.pk not in allowed for school in schools):
        raise PermissionDenied
    if file is not None:
        attachment_check(file)
    with transaction.atomic():
        instruction = Instruction(
            issued_by=user,
            title=title.strip(),
            text=text.strip(),
            deadline=deadline,
            file_name=_file_name(file) if file is not None else "",
            **scope,
        )
        instruction.full_clean(exclude=["file"])
        if file is not None:
            instruction.file.save(file.name, file, save=False)
        instruction.save()
        school_ids = sorted(allowed)
        InstructionTarget.objects.bulk_create(
            [InstructionTarget(instruction=instruction, school_id=school_id) for school_id in school_ids]
        )
        audit_record(
            user=user,
            action=INSTRUCTION_ISSUED,
            description=f"instruction #{instruction.pk}: {len(school_ids)} schools, deadline "
            f"{date_format(deadline, 'Y-m-d')}" + (", with a file" if file is not None else ""),
            rows=len(school_ids),
            **_audit_scope(instruction),
        )
        instruction_mail_on_commit(instruction=instruction, school_ids=school_ids, kind=ISSUED, site_url=site_url)
    return instruction


def _school_writer(user: User, target: InstructionTarget) -> None:
    if user.role != Role.SCHOOL_ADMIN or user.school_id != target.school_id:
        raise PermissionDenied


def instruction_target_read(*, user: User, target: InstructionTarget) -> InstructionTarget:
    """Mark the school's instruction read by its administrator (the first opening only), audited."""
    _school_writer(user, target)
    if target.read_at is not None:
        return target
    with transaction.atomic():
        locked = InstructionTarget.objects.select_for_update().get(pk=target.pk)
        if locked.read_at is None:
            target.read_at, target.read_by = clock.now(), user
            target.save(update_fields=["read_at", "read_by"])
            audit_record(
                user=user,
                action=INSTRUCTION_READ,
                description=f"instruction #{target.instruction_id} read",
                school=target.school,
            )
        else:
            target.read_at, target.read_by_id = locked.read_at, locked.read_by_id
    return target


def instruction_target_done(*, user: User, target: InstructionTarget, comment: str, file=None) -> InstructionTarget:
    """Mark the school's instruction done with a comment (required) and an optional file; final. Audited."""
    _school_writer(user, target)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Write a comment: say what was done."))
    if file is not None:
        attachment_check(file)
    with transaction.atomic():
        locked = InstructionTarget.objects.select_for_update().get(pk=target.pk)
        if locked.done_at is not None:
            raise ValidationError(_("This instruction is already marked done; a done instruction cannot change."))
        now = clock.now()
        target.done_at, target.done_by, target.comment = now, user, comment
        fields = ["done_at", "done_by", "comment"]
        if target.read_at is None:
            target.read_at, target.read_by = now, user
            fields += ["read_at", "read_by"]
        if file is not None:
            target.file_name = _file_name(file)
            target.file.save(file.name, file, save=False)
            fields += ["file", "file_name"]
        target.full_clean(exclude=["file", "instruction", "school"])
        target.save(update_fields=fields)
        audit_record(
            user=user,
            action=INSTRUCTION_DONE,
            description=f"instruction #{target.instruction_id} done"
            + (" after the deadline" if target.done_late() else "")
            + (", with a file" if file is not None else ""),
            school=target.school,
        )
    return target


def instruction_remind(*, user: User, instruction: Instruction, site_url: str = "") -> int:
    """Remind the schools not done yet (mail after the commit), at most once a day per instruction; return how many
    schools. Raise ValidationError when one went out today already or every school is done."""
    if not can_manage(user=user, instruction=instruction):
        raise PermissionDenied
    today = clock.today()
    with transaction.atomic():
        locked = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if locked.reminded_on == today:
            raise ValidationError(
                _("A reminder about this instruction was already sent today; send the next one tomorrow.")
            )
        school_ids = list(
            locked.targets.filter(done_at__isnull=True).order_by("school_id").values_list("school_id", flat=True)
        )
        if not school_ids:
            raise ValidationError(_("Every school has done this instruction; there is nobody to remind."))
        locked.reminded_on, locked.reminders = today, locked.reminders + 1
        locked.save(update_fields=["reminded_on", "reminders"])
        instruction.reminded_on, instruction.reminders = locked.reminded_on, locked.reminders
        audit_record(
            user=user,
            action=INSTRUCTION_REMINDED,
            description=f"instruction #{instruction.pk}: reminder to {len(school_ids)} schools",
            rows=len(school_ids),
            **_audit_scope(locked),
        )
        instruction_mail_on_commit(instruction=locked, school_ids=school_ids, kind=REMINDER, site_url=site_url)
    return len(school_ids)


def reminded_text(count: int) -> str:
    """Return the sentence after a reminder went out."""
    return ngettext(
        "A reminder went to %(count)d school that has not done it.",
        "A reminder went to %(count)d schools that have not done it.",
        count,
    ) % {"count": count}


def instructions_prefetched(queryset: QuerySet[Instruction]) -> QuerySet[Instruction]:
    """Return the instructions with their targets and the targets' schools (two more queries in all)."""
    return queryset.prefetch_related(Prefetch("targets", queryset=InstructionTarget.objects.select_related("school")))


def instruction_status_counts(instruction: Instruction) -> dict[str, int]:
    """Return {status: schools} of an instruction whose targets (with schools) are prefetched; each school's
    state on its own today."""
    counts = dict.fromkeys(InstructionTarget.Status.values, 0)
    for target in instruction.targets.all():
        target.instruction = instruction
        counts[target.status_on(clock.today(target.school.tz))] += 1
    return counts


def instructions_demo_seed(*, municipality) -> Instruction | None:
    """Give the demo one open instruction from its municipal administrator to every school of the municipality,
    read by the first school's administrator (seed_demo)."""
    issuer = User.objects.filter(role=Role.MUNICIPAL_ADMIN, municipality=municipality).order_by("pk").first()
    if issuer is None:
        return None
    schools = list(School.objects.filter(municipality=municipality).order_by("pk"))
    instruction = instruction_issue(
        user=issuer,
        title="Провести родительские собрания по подключению к «Сферуму»",
        text=(
            "Провести в каждом классе родительское собрание, раздать родителям QR-коды приглашений в чаты класса "
            "и довести активацию родителей до 90 %. Об исполнении сообщить с приложением протоколов."
        ),
        deadline=clock.today(schools[0].tz) + timedelta(days=14),
        schools=schools,
    )
    reader = User.objects.filter(role=Role.SCHOOL_ADMIN, school=schools[0]).order_by("pk").first()
    if reader is not None:
        target = InstructionTarget.objects.select_related("school").get(instruction=instruction, school=schools[0])
        instruction_target_read(user=reader, target=target)
    return instruction


def instructions_panel_for(*, user: User, school: School, today: date) -> InstructionsPanel | None:
    """Return the dashboard's instructions panel for the school's own administrator; None for anyone else."""
    if user.role != Role.SCHOOL_ADMIN or user.school_id != school.pk:
        return None
    return instructions_panel(school=school, today=today)
