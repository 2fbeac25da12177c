"""The export of one instruction: each addressed school's state, who read it and who reported it done, with the
comment and the name of the file attached. Names of people: an export of personal data (audited)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes import clock
from reports.exports.report import Column
from reports.exports.report import Report
from reports.instruction_models import Instruction
from reports.instruction_models import InstructionTarget


def _name(user) -> str:
    return user.display_name() if user is not None else ""


class InstructionReport(Report):
    """Each addressed school's state of one instruction on its own today."""

    code = "instruction"
    title = gettext_lazy("Instruction: schools' states")

    def __init__(self, *, instruction: Instruction, targets: list[InstructionTarget]) -> None:
        super().__init__(date_to=clock.today())
        self.instruction = instruction
        self.targets = targets

    def scope_label(self) -> str:
        return _("«%(title)s», deadline %(deadline)s") % {
            "title": self.instruction.title,
            "deadline": self.instruction.deadline.strftime("%d.%m.%Y"),
        }

    def description(self) -> str:
        """Return the audit log's "what": ids and counts, not the instruction's title."""
        return f"instruction #{self.instruction.pk}: {len(self.targets)} schools"

    def filename(self, extension: str) -> str:
        return f"instruction-{self.instruction.pk}-{clock.today().isoformat()}.{extension}"

    def get_columns(self) -> list[Column]:
        return [
            Column("school", _("School")),
            Column("code", _("Code")),
            Column("status", _("State")),
            Column("late", _("Done late"), "bool"),
            Column("read_at", _("Read at"), "datetime"),
            Column("read_by", _("Read by")),
            Column("done_at", _("Done at"), "datetime"),
            Column("done_by", _("Done by")),
            Column("comment", _("Comment"), width=60),
            Column("file", _("File")),
        ]

    def get_rows(self) -> list[dict]:
        rows = []
        for target in self.targets:
            status = target.status_on(clock.today(target.school.tz))
            rows.append(
                {
                    "school": target.school.short_name,
                    "code": target.school.code,
                    "status": str(InstructionTarget.Status(status).label),
                    "late": target.done_late() if target.done else None,
                    "read_at": target.read_at,
                    "read_by": _name(target.read_by),
                    "done_at": target.done_at,
                    "done_by": _name(target.done_by),
                    "comment": target.comment,
                    "file": target.file_name,
                }
            )
        return rows
