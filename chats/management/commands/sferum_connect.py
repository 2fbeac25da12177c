"""`sferum_connect --school C --backend vk|max|files|simulator [--url URL] [--token-env VAR] ...`: connect a school."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from chats.integrations import IntegrationError
from chats.integrations import integration_connect
from chats.tokens import TokenKeyError
from classes.commands import school_by_code


class Command(BaseCommand):
    help = "Store the school's Sferum integration; the token is read from an environment variable and stored encrypted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", required=True, help="The school's code.")
        parser.add_argument("--backend", required=True, choices=["vk", "max", "files", "simulator"])
        parser.add_argument("--url", default="", help="The service's base URL (vk, max) or the folder (files).")
        parser.add_argument("--token-env", default="", help="Name of the environment variable holding the token.")
        parser.add_argument("--chat-ids", default="", help="Comma-separated chat ids (max).")
        parser.add_argument("--rps", type=float, default=None, help="Requests per second; 0 = no pacing.")
        parser.add_argument("--seed", type=int, default=None, help="Simulator only: the seed.")
        parser.add_argument("--school-index", type=int, default=None, help="Simulator only: which simulated school.")

    def handle(self, *args, **options) -> None:
        school = school_by_code(options["school"])
        token = None
        if options["token_env"]:
            token = os.environ.get(options["token_env"])
            if not token:
                raise CommandError(f"The environment variable {options['token_env']} is empty or not set; set it.")
        chat_ids = [item.strip() for item in options["chat_ids"].split(",") if item.strip()]
        sim_options = {
            key: options[name]
            for key, name in (("seed", "seed"), ("school_index", "school_index"))
            if options[name] is not None
        }
        try:
            integration = integration_connect(
                school=school,
                backend=options["backend"],
                base_url=options["url"],
                token=token,
                chat_ids=chat_ids,
                rps=options["rps"],
                options=sim_options,
                command="sferum_connect",
            )
        except (IntegrationError, TokenKeyError) as exc:
            raise CommandError(str(exc)) from None
        pace = "default" if integration.rps is None else f"{integration.rps:g} rps"
        self.stdout.write(
            f"{school.code} is connected to the {integration.backend} backend "
            f"({'token stored encrypted' if integration.has_token else 'no token'}, pace {pace})."
        )
