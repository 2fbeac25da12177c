"""`roster_import --school C FILE [--map "Header=column" ...] [--as-of YYYY-MM-DD] [--confirm-removals] [--json]`.

Without `--map`, the column mapping saved for the school (the one chosen on the upload page) is used.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from classes.commands import column_mapping
from classes.commands import file_content
from classes.commands import school_by_code
from classes.models import RosterImport
from classes.models import RosterMapping
from classes.roster.dating import RosterDateError
from classes.roster.dating import roster_as_of_check
from classes.roster.importer import roster_import
from classes.roster.results import RosterImportResult
from classes.tabular.errors import RowError

EXIT_FAILED = 1
EXIT_HELD = 3


class Command(BaseCommand):
    help = "Import the school's official roster (CSV or XLSX; see roster-format.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The roster file, CSV or XLSX.")
        parser.add_argument("--school", required=True, help="The school's code.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=COLUMN",
            help='Read a header of the file as a roster column, like --map "Ф.И.О.=full_name"; repeatable.',
        )
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Date arrivals and departures from this day (the day the file shows); default: today.",
        )
        parser.add_argument(
            "--confirm-removals",
            action="store_true",
            help="Apply a file that would make more than 10%% of the people leave or empty a class.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")

    def handle(self, *args, **options) -> None:
        code: str = options["school"]
        path = Path(options["file"])
        as_json: bool = options["json"]

        def fail(message: str) -> NoReturn:
            self._fail(code, path.name, as_json, message)

        mapping = column_mapping(options["map"], fail)
        school = school_by_code(code, fail)
        if not options["map"]:
            saved = RosterMapping.objects.filter(school=school).first()
            mapping = dict(saved.mapping) if saved is not None else {}
        as_of = None
        if options["as_of"]:
            try:
                as_of = roster_as_of_check(school=school, as_of=date.fromisoformat(options["as_of"]))
            except RosterDateError as exc:
                fail(str(exc))
            except ValueError:
                day = options["as_of"]
                fail(_("«%(value)s» is not a day; write it as YYYY-MM-DD, like 2026-11-16.") % {"value": day})
        content = file_content(path, fail)
        result = roster_import(
            school=school,
            content=content,
            filename=path.name,
            mapping=mapping,
            confirm_removals=options["confirm_removals"],
            on=as_of,
            command="roster_import",
        )
        if as_json:
            self.stdout.write(json.dumps(result.to_json(school.code, path.name), ensure_ascii=False))
        else:
            self._summary(result, school.code, path.name)
        if result.status == RosterImport.Status.FAILED:
            if len(result.errors) == 1 and result.errors[0].row is None:
                raise CommandError(result.errors[0].message, returncode=EXIT_FAILED)
            raise CommandError(
                _("The roster has %(count)d errors; nothing was imported. Fix the rows listed and import it again.")
                % {"count": len(result.errors)},
                returncode=EXIT_FAILED,
            )
        if result.status == RosterImport.Status.HELD:
            raise CommandError(self._held_message(result), returncode=EXIT_HELD)

    def _fail(self, code: str, file: str, as_json: bool, message: str) -> NoReturn:
        if as_json:
            result = RosterImportResult(status=RosterImport.Status.FAILED.value, errors=[RowError(None, "", message)])
            self.stdout.write(json.dumps(result.to_json(code, file), ensure_ascii=False))
        raise CommandError(message, returncode=EXIT_FAILED)

    @staticmethod
    def _held_message(result: RosterImportResult) -> str:
        message = _(
            "Held: %(leaving)d of the school's %(current)d current people would leave; nothing was written."
        ) % {"leaving": result.would_leave, "current": result.current_people}
        if result.emptied_classes:
            message += " " + _("These classes would have no students: %(classes)s.") % {
                "classes": ", ".join(result.emptied_classes)
            }
        return message + " " + _("Check the file, then run the command again with --confirm-removals.")

    def _summary(self, result: RosterImportResult, code: str, file: str) -> None:
        for error in result.errors:
            if error.row is None:
                continue
            self.stdout.write(
                _("Row %(row)d, «%(column)s»: %(message)s")
                % {"row": error.row, "column": error.column, "message": error.message}
            )
        if result.status == RosterImport.Status.FAILED:
            return
        if result.status == RosterImport.Status.OK:
            self.stdout.write(_("Imported %(file)s into school %(code)s.") % {"file": file, "code": code})
        else:
            self.stdout.write(_("Nothing written; if confirmed, %(file)s would make:") % {"file": file})
        self.stdout.write(_("Classes: %(added)d added, %(updated)d updated.") % result.classes)
        self.stdout.write(_("Staff: %(added)d added, %(updated)d updated, %(left)d left.") % result.staff)
        self.stdout.write(
            _("Students: %(added)d added, %(updated)d updated, %(left)d left, %(moved)d moved.") % result.students
        )
        self.stdout.write(_("Parents: %(added)d added, %(updated)d updated, %(left)d left.") % result.parents)
