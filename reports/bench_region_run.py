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

from activation.models import SferumAccount
from chats.models import Chat
from chats.models import Message
from classes.calendar import week_bounds
from classes.calendar import week_label
from classes.models import User
from reports.bench_region import TIMEZONE
from reports.bench_region import RegionData
from reports.bench_region import RegionSizes
from reports.bench_region import region_data
from reports.bench_region import region_generate
from reports.models import WeeklyActivity
from reports.services import activation_snapshot_build_municipality
from reports.services import weekly_activity_build_many
from reports.summaries import school_summaries_build

PAGE_REQUESTS = 5
FLOOR_TABLE = "bench_floor_weekly"


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def floor_statement(data: RegionData) -> int:
    """Count the week's counted messages per teacher in one INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE.

    Per staff member with an account: a superset of the teachers the job evaluates (staff who neither teach nor
    lead a class write messages too), so the floor does at least the job's reading and counting.

    The rows go to a scratch table shaped like the stored weekly rows (staff, week, count); return how many.
    """
    start, end = week_bounds(data.week_start, TIMEZONE)
    message, chat, account = (model._meta.db_table for model in (Message, Chat, SferumAccount))
    ids = [school.pk for school in data.schools]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} "
            "(staff_id bigint NOT NULL, week_start date NOT NULL, messages integer NOT NULL, "
            "PRIMARY KEY (staff_id, week_start))"
        )
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (staff_id, week_start, messages) "  # noqa: S608 - names from _meta
            f"SELECT a.staff_id, %s, COUNT(*) FROM {message} m "
            f"JOIN {chat} c ON c.id = m.chat_id JOIN {account} a ON a.id = m.author_id "
            f"WHERE c.school_id IN ({', '.join(['%s'] * len(ids))}) AND m.sent_at >= %s AND m.sent_at < %s "
            "AND m.kind <> %s AND NOT m.from_bot AND a.staff_id IS NOT NULL GROUP BY a.staff_id "
            "ON CONFLICT (staff_id, week_start) DO UPDATE SET messages = EXCLUDED.messages",
            [data.week_start, *ids, start, end, Message.Kind.SERVICE],
        )
        return cursor.rowcount


def floor_disagreements(data: RegionData) -> tuple[int, int]:
    """Return (teachers whose stored weekly count differs from the floor's, staff the floor counted whom the job
    does not evaluate): (0, n) when the job counted the same; n are staff who are not teachers of the week."""
    stored = WeeklyActivity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FILTER (WHERE w.staff_id IS NOT NULL AND COALESCE(f.messages, 0) <> w.messages), "  # noqa: S608
            "COUNT(*) FILTER (WHERE w.staff_id IS NULL) "
            f"FROM {stored} w FULL OUTER JOIN {FLOOR_TABLE} f "
            "ON f.staff_id = w.staff_id AND f.week_start = w.week_start "
            "WHERE COALESCE(w.week_start, f.week_start) = %s",
            [data.week_start],
        )
        differ, not_evaluated = cursor.fetchone()
    return differ, not_evaluated


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

    floor_first, floor_rows = _timed(lambda: floor_statement(data))
    with transaction.atomic():
        weekly, _weeks = _timed(lambda: weekly_activity_build_many(schools=data.schools, week_start=data.week_start))
    floor_again, _rows = _timed(lambda: floor_statement(data))
    floor = min(floor_first, floor_again)
    disagreements, not_evaluated = floor_disagreements(data)
    figures.update(
        teachers_with_messages=floor_rows,
        teachers_evaluated=WeeklyActivity.objects.filter(school__in=data.schools, week_start=data.week_start).count(),
        weekly_activity_seconds=round(weekly, 2),
        floor_seconds=round(floor, 2),
        floor_seconds_runs=[round(floor_first, 2), round(floor_again, 2)],
        ratio=round(weekly / floor, 2) if floor else None,
        counts_agree=disagreements == 0,
        staff_counted_by_floor_only=not_evaluated,
    )

    activation, _result = _timed(
        lambda: [
            activation_snapshot_build_municipality(municipality=municipality, day=data.today)
            for municipality in data.municipalities
        ]
    )
    figures["activation_seconds"] = round(activation, 2)
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
