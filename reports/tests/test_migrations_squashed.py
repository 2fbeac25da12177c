"""Each app's migrations were squashed into one; a database migrated before the squash must go on working."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

APPS = ("classes", "activation", "chats", "reports")


def squashed_migrations() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Return the squashed migrations of our apps (those that replace others) and what each replaces.

    Migrations added after the squash (they replace nothing) follow it as usual and are not among them.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        key: migration.replaces
        for key, migration in loader.disk_migrations.items()
        if key[0] in APPS and migration.replaces
    }


def later_migrations() -> set[tuple[str, str]]:
    """Return our apps' migrations added after the squash (they replace nothing)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {key for key, migration in loader.disk_migrations.items() if key[0] in APPS and not migration.replaces}


def test_each_app_has_one_migration_that_replaces_the_historical_ones():
    squashed = squashed_migrations()
    assert sorted(app for app, _ in squashed) == sorted(APPS)
    for (app, _name), replaced in squashed.items():
        assert replaced, app
        assert all(replaced_app == app for replaced_app, _ in replaced)


@pytest.mark.django_db
def test_a_database_migrated_before_the_squash_counts_the_squashed_migrations_as_applied():
    # given: the migration table of a database that applied the old migrations, not the squashed ones
    recorder = MigrationRecorder(connection)
    squashed = squashed_migrations()
    for key, replaced in squashed.items():
        recorder.record_unapplied(*key)
        for old in replaced:
            recorder.record_applied(*old)
    # when
    loader = MigrationLoader(connection)
    # then: nothing of ours is left to apply
    assert set(squashed) <= set(loader.applied_migrations)
    plan = loader.graph.leaf_nodes()
    unapplied = [node for node in plan if node[0] in APPS and node not in loader.applied_migrations]
    assert set(unapplied) <= later_migrations()  # only migrations added after the squash are left to apply
