"""Measure what each hostile file of issue 9 costs the roster upload's read and validation.

Usage: .venv/bin/python bench/hostile_files.py [--project DIR] [--only NAME ...] [--cache DIR]

Each file is generated as the findings describe it (once, into --cache), then uploaded through the roster upload
page of --project's code (default: this checkout) as a school administrator would: the POST, and the preview
it redirects to when the upload is kept (Django's test client, an in-memory SQLite database migrated first). It
runs in a child process limited to 4 GB of address space (RLIMIT_AS) and 60 s of wall time. The table gives per
file its size, the seconds of the POST and preview, the child's peak RSS (ru_maxrss; the baseline before the POST,
Django and the migrated database, is shown with the outcome) and the outcome: the message shown, "HTTP 500",
"killed" (out of memory) or "timeout".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from classes.tests import hostile_files as h  # noqa: E402  (the generators shared with the tests)

MEMORY_LIMIT = 4 * 1024**3
TIMEOUT = 60.0
GB = 1024**3

FILES = {
    "xfd1048576.xlsx": lambda: h.xlsx_declared_dimension(),
    "header-500000-columns.csv": lambda: h.csv_wide_header(columns=500_000),
    "header-100000-columns.csv": lambda: h.csv_wide_header(columns=100_000),
    "zip-bomb-1.5GB.xlsx": lambda: h.xlsx_zip_bomb(unpacked_bytes=int(1.5 * GB)),
    "entities.xlsx": h.xlsx_entity_expansion,
    "truncated.xlsx": h.xlsx_truncated_sheet,
    "nul-in-names.csv": h.csv_nul_in_name,
    "utf16-no-bom.csv": h.csv_utf16_without_bom,
}

CHILD = r"""
import json, os, re, sys, time
project, path, name = sys.argv[1:4]
sys.path.insert(0, project)
os.chdir(project)
os.environ["DJANGO_SETTINGS_MODULE"] = "sferum_admin.settings.test"
import django
django.setup()
from django.test.utils import setup_databases, setup_test_environment
setup_test_environment()
setup_databases(verbosity=0, interactive=False)  # an in-memory SQLite database, migrated
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from classes.models import Staff, Student, Parent, RosterUpload, User
from classes.tests.factories import SchoolFactory, UserFactory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def first_error(html):
    found = re.search(r'class="error(?:list)?"[^>]*>(?:<li>)?(.*?)</', html, re.S)
    return found.group(1).strip() if found else ""

school = SchoolFactory()
admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=school)
client = Client(raise_request_exception=False)
client.force_login(admin)
url = reverse("roster-upload", kwargs={"school_id": school.pk})
client.get(url)  # a server that has answered before
content = open(path, "rb").read()
baseline = rss_mb()
started = time.perf_counter()
try:
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 302:
        preview = client.get(response["Location"])
        outcome = f"kept, preview {preview.status_code}: " + first_error(preview.content.decode())
    elif response.status_code == 200:
        outcome = first_error(response.content.decode()) or "200"
    else:
        outcome = f"HTTP {response.status_code}"
except MemoryError:
    outcome = "killed (MemoryError)"
seconds = time.perf_counter() - started
written = Staff.objects.count() + Student.objects.count() + Parent.objects.count()
kept = RosterUpload.objects.count()
print(json.dumps({"seconds": seconds, "outcome": outcome, "baseline": baseline, "kept": kept, "written": written}))
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.setsid()


def measure(project: Path, path: Path) -> tuple[float, float, str]:
    """Return (seconds, peak RSS in MB, outcome) of reading and validating the file in a limited child."""
    started = time.monotonic()
    child = subprocess.Popen(  # noqa: S603 (this interpreter, our own script and paths)
        [sys.executable, "-c", CHILD, str(project), str(path), path.name],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit,
    )
    timed_out = False
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)  # reap it ourselves: its own ru_maxrss
        if pid:
            break
        if time.monotonic() - started > TIMEOUT:
            os.killpg(child.pid, signal.SIGKILL)
            _pid, status, usage = os.wait4(child.pid, 0)
            timed_out = True
            break
        time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)
    output = child.stdout.read().decode().strip()
    wall = time.monotonic() - started
    peak = usage.ru_maxrss / 1024
    if timed_out:
        return wall, peak, "timeout"
    if not output:
        return wall, peak, f"killed (exit {child.returncode})"
    result = json.loads(output.splitlines()[-1])
    outcome = f"[baseline {result['baseline']:.0f} MB, uploads kept {result['kept']}] {result['outcome']}"
    return result["seconds"], peak, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=HERE, help="the checkout whose code reads the files")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "hostile-files", help="where the files are made"
    )
    parser.add_argument("--only", nargs="*", help="measure only these files")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"project: {args.project.resolve()}")
    print(f"{'file':28} {'bytes':>10} {'size':>9} {'seconds':>8} {'peak RSS MB':>12}  outcome")
    for name, make in FILES.items():
        if args.only and name not in args.only:
            continue
        path = args.cache / name
        if not path.exists():
            path.write_bytes(make())
        size = path.stat().st_size
        seconds, peak, outcome = measure(args.project.resolve(), path)
        shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
        print(f"{name:28} {size:>10} {shown:>9} {seconds:8.3f} {peak:12.0f}  {outcome[:170]}", flush=True)


if __name__ == "__main__":
    main()
