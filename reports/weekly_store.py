"""The Monday job's store of weekly teacher activity, set-based in the database (DESIGN.md, "Definitions").

`weekly_activity_store` writes what `weekly_activity_compute` (reports.selectors) computes, without a Python
row per message or per teacher: per time zone and batch of schools, one `INSERT … SELECT … ON CONFLICT DO
UPDATE` counts the week's messages and sums their burst and near-duplicate marks (stored with the messages:
chats.message_marks), finds the week's teachers, their absences, reported counts and statuses, and upserts
WeeklyActivity. Python computes only per-school things (school days, the
week's threshold, whether the week is evaluated) and passes them as VALUES lists. The same SQL runs on
PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.db import connection
from django.db import transaction

from activation.models import SferumAccount
from chats.horizon import history_horizons
from chats.message_marks import message_marks_refresh
from chats.models import Chat
from chats.models import Message
from chats.models import ReportedActivity
from classes import clock
from classes.calendar import school_days
from classes.calendar import week_bounds
from classes.calendar import week_start as iso_week_start
from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from reports.models import WeeklyActivity
from reports.selectors import SchoolWeek
from reports.selectors import teachers_of_week
from reports.selectors.weekly_activity import SUSPICIOUS_SHARE
from reports.sql import SCHOOLS_PER_STATEMENT
from reports.sql import date_param
from reports.sql import date_placeholder
from reports.sql import datetime_param
from reports.sql import execute
from reports.sql import table

# The temporary table of the week's computed rows on PostgreSQL (created and dropped by each statement).
ROWS_TABLE = "weekly_activity_rows"
# PostgreSQL settings of the store's transaction (SET LOCAL): memory for the statement's sorts and hashes, and
# hash joins only. Teachers' accounts are a few percent of all accounts but write about half the messages, so
# the planner underestimates the joined rows by two orders of magnitude and picks nested loops over the
# (author, sent_at) index: many times slower than one scan of the week's messages with hash joins.
# Those disabled paths inflate the estimated cost, which would JIT-compile the plan (seconds): no JIT either.
PG_SETTINGS = (
    "SET LOCAL work_mem = '256MB'; SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; "
    "SET LOCAL jit = off; "
)


def week_plans(*, schools: Sequence[School], week_start: date) -> dict[int, SchoolWeek]:
    """Return {school id: SchoolWeek without teachers}: school days, threshold and history horizon of the week.

    Two queries (holidays, horizons) whatever the number of schools, which come with their municipality and its
    region (select_related: the threshold is inherited); the rules are weekly_activity_compute's.
    """
    monday = iso_week_start(week_start)
    friday = monday + timedelta(days=4)
    school_ids = [school.pk for school in schools]
    holidays: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for school_id, first, last in (
        Holiday.objects.filter(year__school_id__in=school_ids, starts_on__lte=friday, ends_on__gte=monday)
        .order_by()
        .values_list("year__school_id", "starts_on", "ends_on")
    ):
        holidays[school_id].append((first, last))
    horizons = history_horizons(school_ids=school_ids)
    plans = {}
    for school in schools:
        days = school_days(monday, holidays[school.pk])
        plans[school.pk] = SchoolWeek(
            school=school,
            week_start=monday,
            threshold=school.activity_threshold_for(len(days)),
            school_days=days,
            teachers=[],
            history_from=horizons.get(school.pk),
        )
    return plans


def weekly_activity_store(*, schools: Sequence[School], week_start: date) -> dict[int, SchoolWeek]:
    """Compute and store the schools' teacher activity of the ISO week in the database; return the week plans.

    Idempotent, like the Python computation it replaces: one row per teacher of an evaluated week is upserted,
    rows of teachers who no longer count for the week are removed, and a week that is not evaluated keeps no
    rows. The returned SchoolWeeks carry no teachers (read the stored rows for those).
    """
    if not schools:
        return {}
    # Messages stored since their school's last sync marked them (or by other means: files, tests) get marked.
    message_marks_refresh(school_ids=[school.pk for school in schools])
    plans = week_plans(schools=schools, week_start=week_start)
    monday = iso_week_start(week_start)
    evaluated = [plan for plan in plans.values() if plan.evaluated]
    by_zone: dict[str, list[SchoolWeek]] = defaultdict(list)
    for plan in evaluated:
        by_zone[plan.school.timezone].append(plan)
    now = clock.now()
    stored = WeeklyActivity.objects.filter(school_id__in=list(plans), week_start=monday)
    if connection.vendor == "postgresql":
        # The rows of weeks not evaluated; each statement removes its evaluated schools' other rows itself.
        gone = stored.exclude(school_id__in=[plan.school.pk for plan in evaluated])
    else:
        still_teachers = teachers_of_week(
            days_by_school={plan.school.pk: plan.school_days for plan in evaluated}, monday=monday
        ).values("pk")
        gone = stored.exclude(staff_id__in=still_teachers)
    with transaction.atomic():
        gone.delete()
        # On PostgreSQL the first statement also sets the transaction's settings (one round trip, no extra query).
        setting = PG_SETTINGS if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            for zone, zone_plans in sorted(by_zone.items()):
                start, end = week_bounds(monday, zone)
                for first in range(0, len(zone_plans), SCHOOLS_PER_STATEMENT):
                    batch = zone_plans[first : first + SCHOOLS_PER_STATEMENT]
                    sql, params = upsert_sql(plans=batch, monday=monday, start=start, end=end, now=now)
                    execute(cursor, setting + sql, params)
                    setting = ""
    return plans


def counts_sql(*, school_ids: Sequence[int], start: datetime, end: datetime) -> tuple[str, list]:
    """Return (sql, params) of {staff id: messages, emoji-only, near-duplicates, in bursts} in [start, end).

    Counted messages are weekly_activity.counted_messages's: user messages (no service event, no bot) by
    staff-linked accounts, in chats of the teacher's own school (as when each school is computed alone: the
    Python computation of several schools at once also counted a teacher's messages in the other schools'
    chats, and across time zones kept the last zone's count). The burst and near-duplicate marks were stored
    with the messages (chats.message_marks; the caller marks what is unmarked first): one pass of sums, like the
    plain count it is measured against.
    """
    placeholders = ", ".join(["%s"] * len(school_ids))
    # Grouped by staff member and the chat's school: the caller joins the teacher's own school's row.
    sql = (
        "SELECT a.staff_id AS staff_id, c.school_id AS school_id, COUNT(*) AS messages, "  # noqa: S608
        "SUM(CASE WHEN m.emoji_only THEN 1 ELSE 0 END) AS emoji, "
        "SUM(CASE WHEN m.duplicate_mark THEN 1 ELSE 0 END) AS duplicates, "
        "SUM(CASE WHEN m.burst_mark THEN 1 ELSE 0 END) AS bursts "
        f"FROM {table(Message)} m JOIN {table(Chat)} c ON c.id = m.chat_id "
        f"JOIN {table(SferumAccount)} a ON a.id = m.author_id "
        f"WHERE c.school_id IN ({placeholders}) AND m.sent_at >= %s AND m.sent_at < %s "
        "AND NOT m.from_bot AND m.kind <> %s AND a.staff_id IS NOT NULL GROUP BY a.staff_id, c.school_id"
    )
    return sql, [*school_ids, datetime_param(start), datetime_param(end), Message.Kind.SERVICE]


def upsert_sql(
    *, plans: Sequence[SchoolWeek], monday: date, start: datetime, end: datetime, now: datetime
) -> tuple[str, list]:
    """Return (sql, params) of the one statement that upserts the week's rows of the schools (evaluated weeks).

    Teachers are weekly_activity.teachers_of_week's (employed on a school day, teaching or leading a class of an
    academic year that overlaps the week); excused when absent on every school day they are employed on;
    a reported count (files backend) replaces the message count; active from the week's threshold on;
    suspicious when one kind makes at least SUSPICIOUS_SHARE of the counted messages.
    """
    sunday = monday + timedelta(days=6)
    school_ids = [plan.school.pk for plan in plans]
    plan_values = ", ".join(["(%s, %s)"] * len(plans))
    plan_params = [value for plan in plans for value in (plan.school.pk, plan.threshold)]
    day_rows = [(plan.school.pk, day) for plan in plans for day in plan.school_days]
    day = date_placeholder()
    day_values = ", ".join([f"(%s, {day})"] * len(day_rows))
    day_params = [value for school_id, day in day_rows for value in (school_id, date_param(day))]
    counts, count_params = counts_sql(school_ids=school_ids, start=start, end=end)
    share_num, share_den = SUSPICIOUS_SHARE.numerator, SUSPICIOUS_SHARE.denominator

    def flagged(column: str) -> str:
        return f"{share_den} * t.{column} >= {share_num} * t.messages"

    employed_on_day = "s.employed_from <= d.day AND (s.employed_to IS NULL OR s.employed_to >= d.day)"
    columns = (
        "school_id, staff_id, week_start, messages, threshold, status, has_account, emoji_only_messages, "
        "duplicate_messages, burst_messages, suspicious, computed_at"
    )
    updates = ", ".join(
        f"{column} = excluded.{column}" for column in columns.split(", ") if column not in ("staff_id", "week_start")
    )
    # Table names come from _meta and the rest are constants; every value is a parameter.
    sql = (
        f"WITH plan (school_id, threshold) AS (VALUES {plan_values}), "  # noqa: S608
        f"school_day (school_id, day) AS (VALUES {day_values}), "
        f"counts AS ({counts}), "
        # Per teacher employed on at least one school day: those days, and those of them inside an absence.
        "employed AS (SELECT s.id AS staff_id, COUNT(DISTINCT d.day) AS days, "
        "COUNT(DISTINCT CASE WHEN x.id IS NOT NULL THEN d.day END) AS absent_days "
        f"FROM {table(Staff)} s JOIN school_day d ON d.school_id = s.school_id "
        f"LEFT JOIN {table(StaffAbsence)} x ON x.staff_id = s.id AND x.starts_on <= d.day AND x.ends_on >= d.day "
        f"WHERE {employed_on_day} GROUP BY s.id) "
        f"SELECT t.school_id AS school_id, t.id AS staff_id, {day} AS week_start, t.messages AS messages, "
        "t.threshold AS threshold, "
        "CASE WHEN t.excused THEN %s WHEN t.messages >= t.threshold THEN %s ELSE %s END AS status, "
        "t.has_account AS has_account, t.emoji AS emoji_only_messages, t.duplicates AS duplicate_messages, "
        "t.bursts AS burst_messages, "
        f"(t.messages > 0 AND ({flagged('emoji')} OR {flagged('duplicates')} OR {flagged('bursts')})) "
        "AS suspicious, %s AS computed_at "
        "FROM (SELECT s.id, s.school_id, plan.threshold, "
        "COALESCE(r.messages, counts.messages, 0) AS messages, COALESCE(counts.emoji, 0) AS emoji, "
        "COALESCE(counts.duplicates, 0) AS duplicates, COALESCE(counts.bursts, 0) AS bursts, "
        # Staff-linked accounts only (the index on staff_id), not a scan of every student's and parent's account.
        f"s.id IN (SELECT acc.staff_id FROM {table(SferumAccount)} acc WHERE acc.staff_id IS NOT NULL) "
        "AS has_account, "
        "employed.absent_days = employed.days AS excused "
        f"FROM employed JOIN {table(Staff)} s ON s.id = employed.staff_id "
        "JOIN plan ON plan.school_id = s.school_id "
        "LEFT JOIN counts ON counts.staff_id = s.id AND counts.school_id = s.school_id "
        f"LEFT JOIN {table(ReportedActivity)} r ON r.staff_id = s.id AND r.school_id = s.school_id "
        f"AND r.week_start = {day} "
        f"WHERE (s.teaches OR EXISTS (SELECT 1 FROM {table(SchoolClass)} k "
        f"JOIN {table(AcademicYear)} y ON y.id = k.year_id WHERE k.class_teacher_id = s.id "
        f"AND y.starts_on <= {day} AND y.ends_on >= {day}))) t"
    )
    # WHERE 1 = 1: SQLite's upsert after INSERT … SELECT needs a WHERE to parse ON CONFLICT.
    upsert = (
        f"INSERT INTO {table(WeeklyActivity)} ({columns}) SELECT {columns} FROM {{rows}} WHERE 1 = 1 "  # noqa: S608
        f"ON CONFLICT (staff_id, week_start) DO UPDATE SET {updates}"
    )
    if connection.vendor == "postgresql":
        # A data-modifying statement never runs in parallel on PostgreSQL, CREATE TABLE AS does: the week's rows
        # are computed into a temporary table with parallel workers scanning the messages, then upserted.
        # Rows of the schools' week that are not computed now (teachers who no longer count) are removed against
        # the computed rows: integers and a date, written out (only the first statement takes parameters).
        ids = ", ".join(str(int(school_id)) for school_id in school_ids)
        remove = (
            f"DELETE FROM {table(WeeklyActivity)} WHERE week_start = DATE '{monday.isoformat()}' "  # noqa: S608
            f"AND school_id IN ({ids}) AND staff_id NOT IN (SELECT staff_id FROM {ROWS_TABLE})"
        )
        rows = ROWS_TABLE
        sql = f"CREATE TEMPORARY TABLE {rows} AS {sql}; {remove}; {upsert.format(rows=rows)}; DROP TABLE {rows}"
    else:
        sql = upsert.format(rows=f"({sql}) computed")
    status = WeeklyActivity.Status
    params = [
        *plan_params,
        *day_params,
        *count_params,
        date_param(monday),
        status.EXCUSED.value,
        status.ACTIVE.value,
        status.INACTIVE.value,
        datetime_param(now),
        date_param(monday),
        date_param(sunday),
        date_param(monday),
    ]
    return sql, params
