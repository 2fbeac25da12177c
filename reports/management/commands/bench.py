"""`bench --scale municipality|... [--schools N] [--teachers N] [--messages N] [--json]`: the metrics benchmark;
`bench --scale sync [--rps N] [--json]`: one demo-sized school synced through the loopback vk server."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from reports.bench import SCALES
from reports.bench import BenchSizes
from reports.bench import bench_run
from reports.bench_sync import sync_bench


class Command(BaseCommand):
    help = (
        "Generate a data set in the configured database (use a database of its own) and time the weekly "
        "activity job against the floor (one INSERT … SELECT … GROUP BY … ON CONFLICT counting the same messages per "
        "teacher, run before and after the job), and the activation job. Not a test."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", choices=[*sorted(SCALES), "sync"], default="municipality", help="Default sizes, or sync."
        )
        parser.add_argument("--rps", type=float, default=0.0, help="sync: requests per second (0 = no pacing).")
        parser.add_argument("--schools", type=int, help="Schools (municipality: 30).")
        parser.add_argument("--teachers", type=int, help="Staff across all schools (municipality: 1200).")
        parser.add_argument("--messages", type=int, help="Messages in the week (municipality: 200000).")
        parser.add_argument("--classes", type=int, help="Classes per school (33).")
        parser.add_argument("--students-per-class", type=int, help="Students per class (25).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the data set.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")
        parser.add_argument("--reuse", help="Time an existing data set (its municipality code, BENCH-n) again.")

    def handle(self, *args, **options) -> None:
        if options["scale"] == "sync":
            result = sync_bench(seed=options["seed"], rps=options["rps"])
        else:
            defaults = SCALES[options["scale"]]
            sizes = BenchSizes(
                **{name: options[name] if options[name] is not None else value for name, value in defaults.items()},
                seed=options["seed"],
            )
            result = bench_run(sizes=sizes, scale=options["scale"], reuse=options["reuse"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
