"""Each enrollment carries its student's activation, kept by database triggers on every write it depends on.

A student is activated when an active account with the student role is linked to them; they have an activated
parent on a day when a parent on the roster that day (no `left_on`, or a later one) has an active account with
the parent role (DESIGN.md, "Definitions"). Counting that for a region's 1.2 million enrolled students joins
accounts, parent links and parents each morning (seconds). So the day-independent part is kept on each of the
student's enrollments (classes.Enrollment), which the activation snapshots count in one scan:

- `account_active`: an active account with the student role is linked;
- `parent_active`: a parent without `left_on` has an active account with the parent role;
- `parent_active_until`: the latest `left_on` among the other such parents.

On a day D the student has an activated parent when `parent_active OR parent_active_until > D`.

Triggers refresh a student's enrollments whenever an account (its links, role or status), a parent link or a
parent's `left_on` changes, and set an enrollment's flags when it is written with its student, whoever writes:
Django's `save()`, `update()`, `bulk_create`, the sync's bulk statements, raw SQL, COPY. On PostgreSQL the
refreshes are statement-level with transition tables (a COPY of millions of accounts refreshes its students in
one set-based pass) and the enrollment's own a BEFORE row trigger; on SQLite all are row-level. Nothing in
Python writes the flags. The SQL names tables literally: the migration that installs it must not depend on
today's models. (SQLite drops a table's triggers when a migration rebuilds the table: a test checks they exist.)
"""

# ruff: noqa: S608 - every statement here is made of constants (table names, codes) and trigger row references.

from __future__ import annotations

ENROLLMENT = "classes_enrollment"
ACCOUNT = "activation_sferumaccount"
PARENT = "classes_parent"
CHILDREN = "classes_parent_children"

# The active parent accounts of a student (its parents' accounts with the parent role and the active status).
_PARENT_ACCOUNTS = (
    f"FROM {CHILDREN} pc JOIN {PARENT} p ON p.id = pc.parent_id JOIN {ACCOUNT} a ON a.parent_id = p.id "
    "WHERE pc.student_id = {student} AND a.role_code = 'parent' AND a.status = 'active'"
)


def flags_sql(student: str) -> list[tuple[str, str]]:
    """Return [(column, SQL expression)] of the flags of the student whose id `student` (SQL) is.

    Scalar subqueries, each led by the student's own rows (their accounts; their parent links, then each
    parent and its accounts): looked up by index once per student, never a hash of every active account, which
    PostgreSQL's planner may choose when its statistics lag behind a fast-growing table.
    """
    parents = _PARENT_ACCOUNTS.format(student=student)
    return [
        (
            "account_active",
            f"COALESCE((SELECT 1 FROM {ACCOUNT} a WHERE a.student_id = {student} AND a.role_code = 'student' "
            "AND a.status = 'active' LIMIT 1), 0) = 1",
        ),
        ("parent_active", f"COALESCE((SELECT 1 {parents} AND p.left_on IS NULL LIMIT 1), 0) = 1"),
        ("parent_active_until", f"(SELECT MAX(p.left_on) {parents} AND p.left_on IS NOT NULL)"),
    ]


def refresh_sql(students: str) -> str:
    """Return the statement that recomputes the flags of the enrollments of the students `students` lists.

    `students` is an expression that may follow `IN`: a parenthesised subquery or list.
    """
    return f"{rebuild_sql()} WHERE student_id IN {students}"


def rebuild_sql() -> str:
    """Return the statement that recomputes every enrollment's flags (installing the triggers on stored rows)."""
    assignments = ", ".join(f"{column} = {value}" for column, value in flags_sql(f"{ENROLLMENT}.student_id"))
    return f"UPDATE {ENROLLMENT} SET {assignments}"


# What each refresh trigger refreshes. PostgreSQL: (name, table, event, transition tables, the students' ids as a
# query over them); SQLite: (name, event with its columns, the students' ids as a subquery over OLD and NEW). An
# account's students are its own student and its parent's children.
_PG_TRIGGERS = [
    (
        "account_insert",
        ACCOUNT,
        "INSERT",
        "REFERENCING NEW TABLE AS new_rows",
        f"SELECT n.student_id FROM new_rows n UNION SELECT pc.student_id FROM {CHILDREN} pc "
        "JOIN new_rows n ON pc.parent_id = n.parent_id",
    ),
    (
        "account_delete",
        ACCOUNT,
        "DELETE",
        "REFERENCING OLD TABLE AS old_rows",
        f"SELECT o.student_id FROM old_rows o UNION SELECT pc.student_id FROM {CHILDREN} pc "
        "JOIN old_rows o ON pc.parent_id = o.parent_id",
    ),
    (
        # Only the accounts whose links, role or status changed (a sync rewrites names and times all day).
        "account_update",
        ACCOUNT,
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "WITH changed AS (SELECT o.student_id AS old_student, n.student_id AS new_student, "
        "o.parent_id AS old_parent, n.parent_id AS new_parent FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE (o.student_id, o.parent_id, o.role_code, o.status) "
        "IS DISTINCT FROM (n.student_id, n.parent_id, n.role_code, n.status)) "
        "SELECT old_student FROM changed UNION SELECT new_student FROM changed "
        # Two joins, not one with OR: an OR join condition scans every parent link of the region.
        f"UNION SELECT pc.student_id FROM {CHILDREN} pc JOIN changed c ON pc.parent_id = c.old_parent "
        f"UNION SELECT pc.student_id FROM {CHILDREN} pc JOIN changed c ON pc.parent_id = c.new_parent",
    ),
    ("children_insert", CHILDREN, "INSERT", "REFERENCING NEW TABLE AS new_rows", "SELECT student_id FROM new_rows"),
    ("children_delete", CHILDREN, "DELETE", "REFERENCING OLD TABLE AS old_rows", "SELECT student_id FROM old_rows"),
    (
        "children_update",
        CHILDREN,
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT student_id FROM old_rows UNION SELECT student_id FROM new_rows",
    ),
    (
        "parent_update",
        PARENT,
        "UPDATE",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"SELECT pc.student_id FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN {CHILDREN} pc "
        "ON pc.parent_id = n.id WHERE o.left_on IS DISTINCT FROM n.left_on",
    ),
]

_CHILDREN_OF = f"SELECT student_id FROM {CHILDREN} WHERE parent_id"
_SQLITE_TRIGGERS = [
    ("account_insert", f"INSERT ON {ACCOUNT}", f"(SELECT NEW.student_id UNION ALL {_CHILDREN_OF} = NEW.parent_id)"),
    ("account_delete", f"DELETE ON {ACCOUNT}", f"(SELECT OLD.student_id UNION ALL {_CHILDREN_OF} = OLD.parent_id)"),
    (
        "account_update",
        f"UPDATE OF student_id, parent_id, role_code, status ON {ACCOUNT}",
        f"(SELECT OLD.student_id UNION ALL SELECT NEW.student_id "
        f"UNION ALL {_CHILDREN_OF} IN (OLD.parent_id, NEW.parent_id))",
    ),
    ("children_insert", f"INSERT ON {CHILDREN}", "(NEW.student_id)"),
    ("children_delete", f"DELETE ON {CHILDREN}", "(OLD.student_id)"),
    ("children_update", f"UPDATE ON {CHILDREN}", "(OLD.student_id, NEW.student_id)"),
    ("parent_update", f"UPDATE OF left_on ON {PARENT}", f"({_CHILDREN_OF} = NEW.id)"),
]
# An enrollment written with its student (created, or saved by Django, which sets every column) takes the
# student's flags: the values it was written with are replaced.
_ENROLLMENT_EVENT = f"INSERT OR UPDATE OF student_id ON {ENROLLMENT}"
_SQLITE_ENROLLMENT_EVENTS = [("enrollment_insert", "INSERT"), ("enrollment_update", "UPDATE OF student_id")]

_PREFIX = "student_flags_"
# The trigger functions' plans on PostgreSQL: the students' own rows by index, in the order the joins are written,
# whatever the statistics say. A trigger refreshes a few students (a sync's page, a roster's changes); statistics
# that lag behind a table growing by imports made the planner hash every active account for each enrollment
# (seconds per import). A refresh of very many students (a COPY of a whole region) stays linear.
# No JIT either: those settings inflate the estimated cost past the JIT's threshold, and compiling a refresh of one
# student took 15 ms (a first sync links 1,500 accounts one statement each).
_PG_PLAN = (
    "SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off SET join_collapse_limit = 1 "
    "SET jit = off"
)


def install_sql(vendor: str) -> list[str]:
    """Return the statements that create the triggers and set the stored enrollments' flags."""
    statements = []
    if vendor == "postgresql":
        for name, table, event, transitions, students in _PG_TRIGGERS:
            trigger = f"{_PREFIX}{name}"
            statements += [
                f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql {_PG_PLAN} AS $$ "
                "DECLARE ids bigint[]; BEGIN "
                f"SELECT array_agg(DISTINCT x) INTO ids FROM ({students}) q(x) WHERE x IS NOT NULL; "
                f"IF ids IS NOT NULL THEN {refresh_sql('(SELECT unnest(ids))')}; END IF; RETURN NULL; END $$",
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} {transitions} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {trigger}()",
            ]
        trigger = f"{_PREFIX}enrollment"
        assignments = " ".join(f"NEW.{column} := {value};" for column, value in flags_sql("NEW.student_id"))
        statements += [
            f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql {_PG_PLAN} AS $$ "
            f"BEGIN {assignments} RETURN NEW; END $$",
            f"CREATE TRIGGER {trigger} BEFORE {_ENROLLMENT_EVENT} FOR EACH ROW EXECUTE FUNCTION {trigger}()",
        ]
    else:
        for name, event, students in _SQLITE_TRIGGERS:
            statements.append(
                f"CREATE TRIGGER {_PREFIX}{name} AFTER {event} FOR EACH ROW BEGIN {refresh_sql(students)}; END"
            )
        own = refresh_sql("(NEW.student_id)") + " AND id = NEW.id"
        for name, event in _SQLITE_ENROLLMENT_EVENTS:
            statements.append(
                f"CREATE TRIGGER {_PREFIX}{name} AFTER {event} ON {ENROLLMENT} FOR EACH ROW BEGIN {own}; END"
            )
    return [*statements, rebuild_sql()]


def trigger_names(vendor: str) -> set[str]:
    """Return the names of the triggers `install_sql` creates."""
    if vendor == "postgresql":
        return {f"{_PREFIX}{name}" for name, *_rest in _PG_TRIGGERS} | {f"{_PREFIX}enrollment"}
    return {f"{_PREFIX}{name}" for name, *_rest in _SQLITE_TRIGGERS + _SQLITE_ENROLLMENT_EVENTS}


def uninstall_sql(vendor: str) -> list[str]:
    """Return the statements that drop the triggers (and their functions on PostgreSQL)."""
    if vendor == "postgresql":
        tables = {f"{_PREFIX}{name}": table for name, table, *_rest in _PG_TRIGGERS} | {
            f"{_PREFIX}enrollment": ENROLLMENT
        }
        statements = []
        for trigger, table in sorted(tables.items()):
            statements += [f"DROP TRIGGER IF EXISTS {trigger} ON {table}", f"DROP FUNCTION IF EXISTS {trigger}()"]
        return statements
    return [f"DROP TRIGGER IF EXISTS {name}" for name in sorted(trigger_names(vendor))]
