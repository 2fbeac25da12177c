"""`roster_reconcile --school C [--roster FILE] [--json]`: the official roster against Sferum membership.

On failure it exits 1 with one line on stderr; with `--json` it also prints
`{"school": C, "status": "failed", "error": "..."}` on stdout, like the other commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from classes.commands import file_content
from classes.commands import school_by_code
from reports.reconciliation.comparison import reconciliation_compute
from reports.reconciliation.errors import ReconciliationError
from reports.reconciliation.matching import CATEGORIES
from reports.reconciliation.matching import ReconciliationResult

EXIT_FAILED = 1


class Command(BaseCommand):
    help = "Compare the official roster (or a roster file, without importing it) with Sferum membership."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help="The school's code.")
        parser.add_argument("--roster", metavar="FILE", help="Compare this roster file (CSV or XLSX) instead.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")

    def handle(self, *args, **options) -> None:
        code: str = options["school"]
        self._code, self._json = code, options["json"]
        school = school_by_code(code, self._fail)
        roster_file = None
        if options["roster"]:
            path = Path(options["roster"])
            roster_file = (file_content(path, self._fail), path.name)
        try:
            result = reconciliation_compute(school=school, roster_file=roster_file)
        except ReconciliationError as exc:
            self._fail(str(exc))
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            self._summary(result)

    def _fail(self, message: str) -> NoReturn:
        if self._json:
            self.stdout.write(
                json.dumps({"school": self._code, "status": "failed", "error": message}, ensure_ascii=False)
            )
        raise CommandError(message, returncode=EXIT_FAILED)

    def _summary(self, result: ReconciliationResult) -> None:
        self.stdout.write(
            _("School %(school)s, quarter %(quarter)s, source: %(source)s.")
            % {"school": result.school_code, "quarter": result.quarter or "—", "source": result.source}
        )
        self.stdout.write(", ".join(f"{category} {result.summary[category]}" for category in CATEGORIES))
        for item in result.items:
            classes = " → ".join(part for part in (item.roster_class, item.sferum_class) if part)
            who = item.person_id or item.sferum_user_id
            line = f"{item.category:18} {item.role:8} {who!s:10} {item.name}"
            if classes:
                line += f" [{classes}]"
            if item.note:
                line += f" — {item.note}"
            self.stdout.write(line)
