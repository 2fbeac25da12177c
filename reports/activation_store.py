"""The daily activation snapshots, computed and upserted in the database (DESIGN.md, "Definitions": rates).

`activation_snapshots_store` writes what `activation_compute` (reports.selectors) computes, without a Python
object per class: one `INSERT … SELECT … ON CONFLICT DO UPDATE` counts, for every class current on the day,
the students enrolled on the day, the activated ones and those with an activated parent still on the roster;
for every school its employed and activated staff and the sums of its classes; for every municipality asked for,
the sums of its schools; and upserts an ActivationSnapshot row per scope and group. Python passes only the
targets (inherited settings) as a VALUES list. `passes` is decided exactly, in integers: numerator × 10,000 ≥
target × 10,000 × denominator (targets have four decimal places). The same SQL runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import datetime
from decimal import Decimal

from django.db import connection

from activation.models import SferumAccount
from activation.staff_status import STAFF_ROLES
from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Municipality
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from reports.models import ActivationSnapshot
from reports.sql import date_param
from reports.sql import date_placeholder
from reports.sql import datetime_param
from reports.sql import execute
from reports.sql import table

# Targets are stored with four decimal places: scaled by this they are integers, and `passes` is exact.
TARGET_SCALE = 10_000
# PostgreSQL settings of the statement's transaction (SET LOCAL): memory for its hashes and no JIT (at region
# scale the estimated cost would compile the plan, which takes longer than running it).
PG_SETTINGS = "SET LOCAL work_mem = '128MB'; SET LOCAL jit = off; "
COLUMNS = (
    "day",
    "scope",
    "scope_id",
    "group",
    "municipality_id",
    "school_id",
    "school_class_id",
    "numerator",
    "denominator",
    "target",
    "passes",
    "computed_at",
)


def _scaled(target: Decimal) -> int:
    return int(target * TARGET_SCALE)


def _target(target: Decimal):
    field = ActivationSnapshot._meta.get_field("target")
    return connection.ops.adapt_decimalfield_value(target, field.max_digits, field.decimal_places)


def activation_snapshots_store(
    *, schools: Sequence[School], day: date, now: datetime, municipalities: Sequence[Municipality] = ()
) -> int:
    """Compute and upsert the class and school snapshots of the schools on the day, and the municipalities'.

    A municipality's rows are sums over the given schools of that municipality: pass all of its schools.
    Schools come with their municipality and its region (select_related: the targets are inherited). Rows of
    the same day are replaced (idempotent); returns how many rows were written. One statement.
    """
    if not schools and not municipalities:
        return 0
    sql, params = upsert_sql(schools=schools, municipalities=municipalities, day=day, now=now)
    setting = PG_SETTINGS if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        execute(cursor, setting + sql, params)
        written = cursor.rowcount
        # On PostgreSQL the settings came first in the same call: the upsert's count is the last result's.
        while setting and cursor.nextset():
            written = cursor.rowcount
        return written


# The day in the statement's text, replaced by its placeholder once the statement is written (then counted).
DAY = "__day__"


def _counts_sql() -> str:
    """Return the CTEs `klass` (classes current on the day, with their counts) and `staff_count` (per school).

    A class: students enrolled on the day (each once), the activated ones, and those with at least one parent on
    the roster on the day whose account with the parent role is active: both read from the flags that triggers keep
    on each enrollment (activation.student_flags), not from a join of 1.2 million accounts and parent links. Staff:
    employed on the day, and those with an active account in a staff role.
    """
    account, status = table(SferumAccount), SferumAccount.Status.ACTIVE.value
    staff_roles = ", ".join(f"'{code.value}'" for code in STAFF_ROLES)
    staff_active = (
        f"EXISTS (SELECT 1 FROM {account} a WHERE a.staff_id = s.id "  # noqa: S608
        f"AND a.role_code IN ({staff_roles}) AND a.status = '{status}')"
    )
    enrollment = table(Enrollment)
    enrolled_on = f"e.starts_on <= {DAY} AND (e.ends_on IS NULL OR e.ends_on >= {DAY})"

    def sums(weight: str) -> str:
        return (
            f"SUM({weight}) AS enrolled, SUM(CASE WHEN e.account_active THEN {weight} ELSE 0 END) AS students, "
            f"SUM(CASE WHEN e.parent_active OR e.parent_active_until > {DAY} THEN {weight} ELSE 0 END) AS parents"
        )

    # Each student counts once per class. Two enrollments of a student in one class on the day (written past the
    # roster's checks) are rare, and one of them has an end (a student has one open enrollment at most): the
    # copies are found among the students with such an enrollment and taken off, instead of a COUNT(DISTINCT)
    # that sorts every enrollment of the region. Classes without students keep their row through the LEFT JOIN.
    # Status and role codes are constants of the models; the day is a parameter (its placeholder).
    return (
        "current_class AS (SELECT k.id AS class_id, k.school_id AS school_id "  # noqa: S608
        f"FROM {table(SchoolClass)} k JOIN {table(AcademicYear)} y ON y.id = k.year_id "
        "WHERE k.school_id IN (SELECT school_id FROM target) "
        f"AND y.starts_on <= {DAY} AND y.ends_on >= {DAY}), "
        "klass AS (SELECT c.class_id AS class_id, c.school_id AS school_id, "
        "COALESCE(n.enrolled, 0) - COALESCE(d.enrolled, 0) AS enrolled, "
        "COALESCE(n.students, 0) - COALESCE(d.students, 0) AS students, "
        "COALESCE(n.parents, 0) - COALESCE(d.parents, 0) AS parents FROM current_class c "
        f"LEFT JOIN (SELECT e.school_class_id AS class_id, {sums('1')} FROM {enrollment} e "
        f"JOIN current_class k ON k.class_id = e.school_class_id WHERE {enrolled_on} "
        "GROUP BY e.school_class_id) n ON n.class_id = c.class_id "
        # A copy is one of the student's enrollments in the class on the day but the first (by id).
        f"LEFT JOIN (SELECT e.school_class_id AS class_id, {sums('1')} FROM {enrollment} e "
        f"JOIN current_class k ON k.class_id = e.school_class_id WHERE {enrolled_on} AND EXISTS ("
        f"SELECT 1 FROM {enrollment} o WHERE o.student_id = e.student_id AND o.school_class_id = e.school_class_id "
        f"AND o.id < e.id AND o.starts_on <= {DAY} AND (o.ends_on IS NULL OR o.ends_on >= {DAY})) "
        "AND e.student_id IN (SELECT x.student_id FROM "
        f"{enrollment} x WHERE x.ends_on IS NOT NULL AND x.starts_on <= {DAY} AND x.ends_on >= {DAY}) "
        "GROUP BY e.school_class_id) d ON d.class_id = c.class_id), "
        "staff_count AS (SELECT s.school_id AS school_id, COUNT(*) AS employed, "
        f"SUM(CASE WHEN {staff_active} THEN 1 ELSE 0 END) AS activated "
        f"FROM {table(Staff)} s WHERE s.school_id IN (SELECT school_id FROM target) "
        f"AND s.employed_from <= {DAY} AND (s.employed_to IS NULL OR s.employed_to >= {DAY}) "
        "GROUP BY s.school_id)"
    )


def _values(rows: list[list], *, width: int) -> str:
    """Return the rows' placeholders as a VALUES list, or a query of no row of that width when there are none."""
    if not rows:
        return "SELECT " + ", ".join(["0"] * width) + " WHERE 1 = 0"
    return "VALUES " + ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))


def upsert_sql(
    *, schools: Sequence[School], municipalities: Sequence[Municipality], day: date, now: datetime
) -> tuple[str, list]:
    """Return (sql, params) of the one statement that upserts the snapshots of the schools and municipalities."""
    scope, group = ActivationSnapshot.Scope, ActivationSnapshot.Group
    school_params = []
    for school in schools:
        targets = (school.effective_staff_target, school.effective_students_target, school.effective_parents_target)
        school_params.append([school.pk, school.municipality_id, *map(_target, targets), *map(_scaled, targets)])
    town_params = []
    for town in municipalities:
        targets = (town.effective_staff_target, town.effective_students_target, town.effective_parents_target)
        town_params.append([town.pk, *map(_target, targets), *map(_scaled, targets)])
    school_values, town_values = _values(school_params, width=8), _values(town_params, width=7)

    # One row per scope and group: (scope, scope id, group, municipality, school, class, numerator, denominator,
    # target, scaled target).
    def school_row(name: str, numerator: str, denominator: str) -> str:
        return (
            f"SELECT '{scope.SCHOOL.value}', t.school_id, '{name}', t.municipality_id, t.school_id, NULL, "  # noqa: S608
            f"{numerator}, {denominator}, t.{name}_target, t.{name}_scaled FROM school_sum t"
        )

    def class_row(name: str) -> str:
        return (
            f"SELECT '{scope.CLASS.value}', k.class_id, '{name}', t.municipality_id, k.school_id, k.class_id, "  # noqa: S608
            f"k.{name}, k.enrolled, t.{name}_target, t.{name}_scaled "
            "FROM klass k JOIN target t ON t.school_id = k.school_id"
        )

    def town_row(name: str, numerator: str, denominator: str) -> str:
        return (
            f"SELECT '{scope.MUNICIPALITY.value}', m.municipality_id, '{name}', m.municipality_id, NULL, NULL, "  # noqa: S608
            f"COALESCE(SUM({numerator}), 0), COALESCE(SUM({denominator}), 0), m.{name}_target, m.{name}_scaled "
            "FROM town m LEFT JOIN school_sum t ON t.municipality_id = m.municipality_id "
            f"GROUP BY m.municipality_id, m.{name}_target, m.{name}_scaled"
        )

    counted = (
        ("staff", "t.staff_numerator", "t.staff_denominator"),
        ("students", "t.students_numerator", "t.enrolled"),
        ("parents", "t.parents_numerator", "t.enrolled"),
    )
    rows = " UNION ALL ".join(
        [
            class_row(group.STUDENTS.value),
            class_row(group.PARENTS.value),
            *(school_row(name, numerator, denominator) for name, numerator, denominator in counted),
            *(town_row(name, numerator, denominator) for name, numerator, denominator in counted),
        ]
    )
    computed = (
        "WITH target (school_id, municipality_id, staff_target, students_target, parents_target, "  # noqa: S608
        f"staff_scaled, students_scaled, parents_scaled) AS ({school_values}), "
        "town (municipality_id, staff_target, students_target, parents_target, "
        f"staff_scaled, students_scaled, parents_scaled) AS ({town_values}), "
        f"{_counts_sql()}, "
        "school_sum AS (SELECT t.school_id, t.municipality_id, t.staff_target, t.students_target, "
        "t.parents_target, t.staff_scaled, t.students_scaled, t.parents_scaled, "
        "COALESCE(s.activated, 0) AS staff_numerator, COALESCE(s.employed, 0) AS staff_denominator, "
        "COALESCE(k.students, 0) AS students_numerator, COALESCE(k.parents, 0) AS parents_numerator, "
        "COALESCE(k.enrolled, 0) AS enrolled FROM target t "
        "LEFT JOIN staff_count s ON s.school_id = t.school_id "
        "LEFT JOIN (SELECT school_id, SUM(enrolled) AS enrolled, SUM(students) AS students, "
        "SUM(parents) AS parents FROM klass GROUP BY school_id) k ON k.school_id = t.school_id), "
        "snapshot (scope, scope_id, grp, municipality_id, school_id, school_class_id, numerator, denominator, "
        f"target, scaled) AS ({rows}) "
        f"SELECT {DAY}, scope, scope_id, grp, municipality_id, school_id, school_class_id, numerator, "
        "denominator, target, CASE WHEN denominator = 0 THEN NULL "
        f"ELSE numerator * {TARGET_SCALE} >= scaled * denominator END, %s FROM snapshot"
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(ActivationSnapshot._meta.get_field(name).column) for name in COLUMNS)
    key = ("day", "scope", "scope_id", "group")
    updates = ", ".join(
        f"{quote(name)} = excluded.{quote(name)}" for name in (column for column in COLUMNS if column not in key)
    )
    # WHERE 1 = 1: SQLite's upsert after INSERT … SELECT needs a WHERE to parse ON CONFLICT.
    sql = (
        f"INSERT INTO {table(ActivationSnapshot)} ({columns}) SELECT * FROM ({computed}) computed "  # noqa: S608
        f"WHERE 1 = 1 ON CONFLICT ({', '.join(quote(name) for name in key)}) DO UPDATE SET {updates}"
    )
    # Every value but the targets and the time is the day: its placeholders are counted where they stand.
    days = sql.count(DAY)
    sql = sql.replace(DAY, date_placeholder())
    values = [value for row in (*school_params, *town_params) for value in row]
    return sql, [*values, *[date_param(day)] * days, datetime_param(now)]
