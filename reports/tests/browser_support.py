"""What the browser tests share besides their fixtures (reports/tests/conftest.py): where chromium is, its
arguments, the tests' Monday, where screenshots go."""

from __future__ import annotations

import os
from datetime import UTC
from datetime import datetime
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
