"""`sferum_files_import --school C --kind members|activity FILE [--map "Header=column" ...] [--confirm-removals]
[--json]`: the files backend's imports — a Sferum member list (synced like any backend) or a weekly activity
report (where a report is the only source of teachers' message counts)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from chats.files_import.activity_import import activity_report_import
from chats.member_lists import member_list_import
from classes.commands import column_mapping
from classes.commands import file_content
from classes.commands import school_by_code

EXIT_FAILED, EXIT_HELD = 1, 3


class Command(BaseCommand):
    help = "Import a Sferum member list or a weekly activity report (CSV or XLSX) for a school."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help="The school's code.")
        parser.add_argument("--kind", required=True, choices=["members", "activity"], help="What the file holds.")
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument(
            "--map", action="append", default=[], metavar="HEADER=COLUMN", help="Read a header as a column."
        )
        parser.add_argument(
            "--confirm-removals", action="store_true", help="members: apply removals a safety hold would stop."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        mapping = column_mapping(options["map"])
        school = school_by_code(options["school"])
        content = file_content(path)
        if options["kind"] == "members":
            result = member_list_import(
                school=school,
                content=content,
                filename=path.name,
                mapping=mapping,
                confirm_removals=options["confirm_removals"],
            )
        else:
            result = activity_report_import(school=school, content=content, filename=path.name, mapping=mapping)
        data = result.to_json(school.code, path.name)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(f"{school.code} {path.name}: {result.status}")
            for error in data["errors"]:
                self.stdout.write(f"  row {error['row']}: {error['message']}")
        if result.status == "failed":
            message = result.errors[0].message if len(result.errors) == 1 else None
            raise CommandError(
                message
                or getattr(result, "error", None)
                or _("The file has %(count)d errors; nothing was imported. Fix the rows listed and import it again.")
                % {"count": len(result.errors)},
                returncode=EXIT_FAILED,
            )
        if result.status == "held":
            raise CommandError(
                _("The member list would end too many memberships (%(reason)s); check it, then run again with "
                  "--confirm-removals.") % {"reason": result.sync.held_reason},
                returncode=EXIT_HELD,
            )  # fmt: skip
