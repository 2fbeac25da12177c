"""The sync benchmark: one demo-sized school synced through the loopback `vk` server, as a real school would be."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.db import connection

from chats.integrations import integration_connect
from chats.services import school_sync_run
from chats.sync import message_hash_key
from classes import clock
from classes.calendar import last_complete_week
from classes.roster.importer import roster_import
from classes.services import school_create
from reports.services import activation_snapshot_build_municipality
from reports.services import weekly_activity_build
from sferum_api.simulator import SimulatedSchool
from sferum_api.testing import VkServer


def _database_cpu() -> float | None:
    """Return the CPU seconds the database server process of this connection has used (PostgreSQL on this
    machine), or None when it cannot be read: with the sync's own CPU, the figure the machine's load does not
    change."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def sync_bench(*, seed: int = 42, school_index: int = 0, rps: float = 0.0) -> dict:
    """Create a simulated school, serve it in the vk wire format on loopback, and time two syncs of it.

    The first sync reads everything; the second reads an unchanged school (it must add nothing).
    """
    simulated = SimulatedSchool(seed=seed, school_index=school_index, today=clock.today(), hash_key=message_hash_key())
    code = f"BENCH-SYNC-{secrets.token_hex(3)}"
    school, _created = school_create(code=code, name=simulated.school_name)
    imported = roster_import(
        school=school, content=simulated.roster_csv(), filename="roster.csv", on=simulated.academic_year_start
    )
    token = secrets.token_urlsafe(24)
    runs = []
    with VkServer.from_backend(simulated, token=token) as server:
        integration_connect(school=school, backend="vk", base_url=server.url, token=token, rps=rps)
        for _attempt in range(2):
            database_cpu = _database_cpu()
            started, cpu, client_cpu = time.perf_counter(), time.process_time(), time.thread_time()
            run, result = school_sync_run(school=school)
            client_cpu = time.thread_time() - client_cpu
            database_cpu = _database_cpu() - database_cpu if database_cpu is not None else None
            runs.append(
                {
                    "status": run.status,
                    "seconds": round(time.perf_counter() - started, 3),
                    # CPU of the sync (this thread) and of the loopback server (its threads, same process);
                    # the database's own CPU is in neither.
                    "client_cpu_seconds": round(client_cpu, 3),
                    "server_cpu_seconds": round(time.process_time() - cpu - client_cpu, 3),
                    "database_cpu_seconds": round(database_cpu, 3) if database_cpu is not None else None,
                    "requests": result.requests,
                    "retries": result.retries,
                    "chats": result.chats_seen,
                    "members_added": result.members_added,
                    "messages_added": result.messages_added,
                    "accounts_linked": result.accounts_linked,
                }
            )
    first, second = runs
    started = time.perf_counter()
    weekly_activity_build(school=school, week_start=last_complete_week(clock.today(school.tz)))
    weekly = time.perf_counter() - started
    started = time.perf_counter()
    activation_snapshot_build_municipality(municipality=school.municipality, day=clock.today(school.tz))
    activation = time.perf_counter() - started
    return {
        "scale": "sync",
        "backend": "vk",
        "rps": rps,
        "school": code,
        "roster_import": imported.status,
        "first_sync": runs[0],
        "second_sync": runs[1],
        # What one worker process sustains on this school (README, "Running a region"): the client's ingest of
        # the first sync, sync tasks a minute (first syncs and hourly, incremental ones) and the metrics tasks.
        "messages_per_second": round(first["messages_added"] / first["seconds"]) if first["seconds"] else None,
        "first_syncs_per_minute": round(60 / first["seconds"], 1) if first["seconds"] else None,
        "hourly_syncs_per_minute": round(60 / second["seconds"], 1) if second["seconds"] else None,
        "weekly_activity_seconds": round(weekly, 3),
        "activation_snapshot_seconds": round(activation, 3),
        "activation_snapshot_schools": school.municipality.schools.count(),  # the snapshot covers them all
    }
