"""`bench --scale region`: generate a region, then measure the jobs and the pages on it, in one run.

The figures: the weekly job against the one-statement floor (an INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE
that counts the same week's messages per teacher), the activation snapshots, the stored school summaries the
overviews read, and each overview's and the school dashboard's server time (median of several requests through
the whole Django stack) and queries.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes.calendar import week_label
from classes.models import Enrollment
from classes.models import User
from reports.bench import activation_agreement
from reports.bench import floor_agreement
from reports.bench import floor_run
from reports.bench import marks_run
from reports.bench import vacuum_analyze
from reports.bench_region import RegionSizes
from reports.bench_region import region_data
from reports.bench_region import region_generate
from reports.services import activation_snapshot_build_municipalities
from reports.services import weekly_activity_build_many
from reports.summaries import school_summaries_build

PAGE_REQUESTS = 5


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def _page(client: Client, url: str) -> dict:
    """Return the median server time (ms) of a page over PAGE_REQUESTS requests, and its queries."""
    client.get(url)  # warm: templates, caches
    times = []
    for _request in range(PAGE_REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
        if response.status_code != 200:
            return {"url": url, "status": response.status_code}
    return {"url": url, "ms": round(statistics.median(times) * 1000, 1), "queries": len(queries)}


def _login(username: str, **role) -> Client:
    user, _created = User.objects.update_or_create(username=username, defaults=role)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def bench_region_run(*, sizes: RegionSizes, reuse: str | None = None) -> dict:
    """Generate the region (or take the one of code `reuse`, BENCH-Rn) and return every figure as one dict."""
    generated, data = _timed(lambda: region_data(code=reuse) if reuse else region_generate(sizes=sizes))
    figures: dict = {"scale": "region", "database": connection.vendor, "region": data.code, **data.counts}
    figures["week"] = week_label(data.week_start)
    figures["reused" if reuse else "generate_seconds"] = reuse or round(generated, 1)

    if not reuse and connection.vendor == "postgresql":
        # The load set every enrollment's activation flags in one UPDATE at its end (bench_load.bulk_load).
        figures["flags_vacuum_seconds"] = vacuum_analyze(Enrollment)
    figures.update(marks_run(schools=data.schools))
    week = {"schools": data.schools, "week_start": data.week_start}
    floor_first = floor_run(**week)
    with transaction.atomic():
        weekly, _weeks = _timed(lambda: weekly_activity_build_many(**week))
    floor_again = floor_run(**week)
    floor = min(floor_first, floor_again)
    figures.update(
        **floor_agreement(**week),
        weekly_activity_seconds=round(weekly, 2),
        floor_seconds=round(floor, 2),
        floor_seconds_runs=[round(floor_first, 2), round(floor_again, 2)],
        ratio=round(weekly / floor, 2) if floor else None,
    )

    # As the 06:00 dispatch sends them: the region's municipalities due at one hour are one task, one statement.
    activation, _result = _timed(
        lambda: activation_snapshot_build_municipalities(municipalities=data.municipalities, day=data.today)
    )
    figures["activation_seconds"] = round(activation, 2)
    figures.update(activation_agreement(municipality=data.municipalities[0], day=data.today))
    # The overviews read the stored school summaries: the nightly job's work, timed as one set-based build.
    summaries, _stored = _timed(lambda: school_summaries_build(schools=data.schools, day=data.today))
    figures["school_summaries_seconds"] = round(summaries, 2)

    municipality = data.municipalities[0]
    school = data.schools[0]
    municipal = _login(f"{data.code}-municipal", role=User.Role.MUNICIPAL_ADMIN, municipality=municipality)
    school_admin = _login(f"{data.code}-school", role=User.Role.SCHOOL_ADMIN, school=school)
    regional = _login(f"{data.code}-regional", role=User.Role.REGIONAL_ADMIN, region=data.region)
    figures["pages"] = {
        "regional_overview": _page(regional, reverse("region-overview")),
        "regional_export": _page(regional, reverse("region-export")),
        "municipal_overview": _page(municipal, reverse("municipal-overview")),
        "municipal_export": _page(municipal, reverse("municipal-export")),
        "school_dashboard": _page(school_admin, reverse("school-dashboard", args=[school.pk])),
    }
    return figures
