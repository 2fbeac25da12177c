"""`school_create --code C --name N [--municipality M] [--timezone TZ]`: create or update a school."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from classes.services import school_create


class Command(BaseCommand):
    help = "Create a school, or update its name, municipality and time zone (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True, help="The school's code, like SCH-017.")
        parser.add_argument("--name", required=True, help="The school's full name.")
        parser.add_argument("--municipality", help="The municipality's code or name; created if missing.")
        parser.add_argument("--timezone", help="An IANA time zone, like Europe/Moscow (default for a new school).")

    def handle(self, *args, **options) -> None:
        try:
            school, created = school_create(
                code=options["code"],
                name=options["name"],
                municipality=options["municipality"],
                timezone=options["timezone"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=1) from exc
        if created:
            message = _("Created school %(code)s: %(name)s (municipality: %(municipality)s).")
        else:
            message = _("School %(code)s is up to date: %(name)s (municipality: %(municipality)s).")
        self.stdout.write(
            message % {"code": school.code, "name": school.full_name, "municipality": school.municipality.name}
        )
