"""`sferum_sync --school C [--since YYYY-MM-DD] [--confirm-removals] [--json]`: one sync run of a school."""

from __future__ import annotations

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from chats.integrations import IntegrationError
from chats.services import SyncAlreadyRunning
from chats.services import school_sync_run
from classes.commands import school_by_code

EXIT_HELD = 3


class Command(BaseCommand):
    help = "Run one sync of the school: accounts, chats, members and messages since the cursor; link accounts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help="The school's code.")
        parser.add_argument("--since", default=None, help="Read no history before this day (YYYY-MM-DD).")
        parser.add_argument(
            "--confirm-removals", action="store_true", help="Apply membership removals a safety hold would stop."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options) -> None:
        school = school_by_code(options["school"])
        since = None
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(f"«{options['since']}» is not a date; use YYYY-MM-DD, like 2026-09-01.") from None
        try:
            run, result = school_sync_run(school=school, since=since, confirm_removals=options["confirm_removals"])
        except (IntegrationError, SyncAlreadyRunning) as exc:
            raise CommandError(str(exc)) from None
        data = result.to_json(school.code, run.backend)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{school.code}: {result.status}; chats {data['chats']['seen']} (+{data['chats']['added']}, "
                f"{len(data['chats']['skipped'])} skipped), members +{data['members']['added']}/"
                f"-{data['members']['removed']}, messages +{data['messages']['added']}, "
                f"requests {data['requests']}, retries {data['retries']}, {run.duration_seconds:.1f} s."
            )
            if data["skipped_items"]["count"]:
                reasons = ", ".join(f"{reason} ({n})" for reason, n in data["skipped_items"]["reasons"].items())
                self.stdout.write(f"Skipped {data['skipped_items']['count']} unreadable items: {reasons}.")
            if data["chats"]["gone"]:
                gone = ", ".join(
                    f"{item['title'] or item['chat']} ({item['reason']})" for item in data["chats"]["gone"]
                )
                self.stdout.write(f"Chats that went away: {gone}.")
            if result.status == "held":
                self.stdout.write(f"Held: {result.held_reason} Run again with --confirm-removals to apply them.")
        if result.status == "failed":
            self.stderr.write(result.error or "The sync failed.")
            sys.exit(1)
        if result.status == "held":
            sys.exit(EXIT_HELD)
