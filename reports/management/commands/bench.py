"""`bench --scale municipality|... [--schools N] [--teachers N] [--messages N] [--json]`: the metrics benchmark;
`bench --scale region [--municipalities N] ...`: a region (COPY on PostgreSQL), its jobs and pages;
`bench --scale sync [--rps N] [--json]`: one demo-sized school synced through the loopback vk server."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from reports.bench import SCALES
from reports.bench import BenchSizes
from reports.bench import bench_run
from reports.bench_region import REGION_SIZES
from reports.bench_region import RegionSizes
from reports.bench_region_run import bench_region_run
from reports.bench_sync import sync_bench


class Command(BaseCommand):
    help = (
        "Generate a data set in the configured database (use a database of its own) and time the weekly "
        "activity job against the floor (one INSERT … SELECT … GROUP BY … ON CONFLICT counting the same messages per "
        "teacher, run before and after the job), and the activation job. Not a test."
    )

    def add_arguments(self, parser) -> None:
        scales = [*sorted(SCALES), "region", "sync"]
        parser.add_argument("--scale", choices=scales, default="municipality", help="Default sizes, or sync.")
        parser.add_argument("--rps", type=float, default=0.0, help="sync: requests per second (0 = no pacing).")
        parser.add_argument("--schools", type=int, help="Schools (municipality: 30; region: 1500).")
        parser.add_argument("--municipalities", type=int, help="region: municipalities (40).")
        parser.add_argument("--teachers", type=int, help="Staff, all schools (municipality: 1200; region: 60000).")
        parser.add_argument("--messages", type=int, help="Messages in the week (200000; region: 10000000).")
        parser.add_argument("--classes", type=int, help="Classes per school (33).")
        parser.add_argument("--students-per-class", type=int, help="Students per class (25).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the data set.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout.")
        parser.add_argument(
            "--reuse", help="Time an existing data set again: its municipality (BENCH-n) or region (BENCH-Rn) code."
        )

    @staticmethod
    def _sizes(defaults: dict, options: dict) -> dict:
        return {name: options[name] if options[name] is not None else value for name, value in defaults.items()}

    def handle(self, *args, **options) -> None:
        if options["scale"] == "sync":
            result = sync_bench(seed=options["seed"], rps=options["rps"])
        elif options["scale"] == "region":
            sizes = RegionSizes(**self._sizes(REGION_SIZES, options), seed=options["seed"])
            result = bench_region_run(sizes=sizes, reuse=options["reuse"])
        else:
            sizes = BenchSizes(**self._sizes(SCALES[options["scale"]], options), seed=options["seed"])
            result = bench_run(sizes=sizes, scale=options["scale"], reuse=options["reuse"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
