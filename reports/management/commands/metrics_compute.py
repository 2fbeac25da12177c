"""`metrics_compute --school C [--week YYYY-Www] [--json]`: the week's teacher activity and today's activation."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from classes.calendar import WeekFormatError
from classes.calendar import week_parse
from classes.models import School
from reports.services import metrics_compute
from reports.week_status import NO_HISTORY

EXIT_FAILED = 1


class Command(BaseCommand):
    help = "Compute and store the week's teacher activity and the current activation rates of a school."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help="The school's code.")
        parser.add_argument(
            "--week", help="The ISO week, like 2026-W47; default: the last complete one in the school's time zone."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")

    def handle(self, *args, **options) -> None:
        code: str = options["school"]
        school = School.objects.select_related("municipality__region").filter(code=code).first()
        if school is None:
            raise CommandError(
                _("There is no school with the code «%(code)s»; check the code or create the school first.")
                % {"code": code},
                returncode=EXIT_FAILED,
            )
        monday = None
        if options["week"]:
            try:
                monday = week_parse(options["week"])
            except WeekFormatError as exc:
                raise CommandError(str(exc), returncode=EXIT_FAILED) from None
        report = metrics_compute(school=school, week_start=monday)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self._summary(report)

    def _summary(self, report: dict) -> None:
        self.stdout.write(
            _("School %(school)s, week %(week)s (from %(start)s).")
            % {"school": report["school"], "week": report["week"], "start": report["week_start"]}
        )
        if report.get("reason") == NO_HISTORY:
            self.stdout.write(
                _(
                    "No data for this week: the school's message history in Sferum begins later; "
                    "teachers are not evaluated."
                )
            )
        elif not report["evaluated"]:
            self.stdout.write(_("The week has no school day; teachers are not evaluated."))
        else:
            active = report["active_teachers"]
            self.stdout.write(
                _("Active teachers: %(numerator)d of %(denominator)d (at least %(threshold)d messages).")
                % {**active, "threshold": report["threshold"]}
            )
        for teacher in report["teachers"]:
            flags = f" [{', '.join(teacher['flags'])}]" if teacher["flags"] else ""
            account = "" if teacher["account"] else " " + _("(no Sferum account)")
            count = f"{teacher['messages']} · {teacher['status']}"
            self.stdout.write(f"  {teacher['person_id']} {teacher['name']}: {count}{flags}{account}")
        self.stdout.write(
            _(
                "Materials: %(documents)d documents, %(videos)d videos, %(links)d links, %(photos)d photos; "
                "%(channel_posts)d channel posts; %(calls)d calls."
            )
            % {**report["materials"], "channel_posts": report["channel_posts"], "calls": report["calls"]}
        )
        activation = report["activation"]
        for group in ("staff", "students", "parents"):
            self.stdout.write(f"{group}: {self._rate(activation[group])}")
        for school_class in activation["classes"]:
            self.stdout.write(
                f"  {school_class['class']}: students {self._rate(school_class['students'])}, "
                f"parents {self._rate(school_class['parents'])}"
            )

    @staticmethod
    def _rate(rate: dict) -> str:
        if rate["rate"] is None:
            return f"{rate['numerator']}/{rate['denominator']} ({_('no data')})"
        verdict = _("passes") if rate["passes"] else _("below target")
        return f"{rate['numerator']}/{rate['denominator']} = {rate['rate'] * 100:.2f}% ({verdict})"
