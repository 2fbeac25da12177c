"""A smoke test of the benchmark command: it runs at a small size and prints one JSON object."""

import json
from datetime import UTC
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from reports.models import SchoolSummary
from reports.models import WeeklyActivity

pytestmark = pytest.mark.django_db


def test_bench_prints_one_json_object_with_the_timings():
    # given
    out = StringIO()
    args = ["--schools", "2", "--teachers", "6", "--messages", "300", "--classes", "2", "--students-per-class", "3"]
    # when
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=UTC)):
        call_command("bench", "--scale", "municipality", *args, "--json", stdout=out)
    # then
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert (result["schools"], result["teachers"], result["week"]) == (2, 6, "2026-W47")
    assert 0 < result["messages"] <= 300
    for key in ("weekly_activity_seconds", "floor_seconds", "floor_after_seconds", "ratio", "activation_seconds"):
        assert result[key] is not None and result[key] >= 0
    assert WeeklyActivity.objects.count() == result["teachers_evaluated"]
    assert result["counts_agree"] is True
    assert result["activation_agrees"] is True


def test_bench_region_generates_a_region_and_measures_its_jobs_and_pages():
    # given
    out = StringIO()
    sizes = ["--schools", "3", "--municipalities", "2", "--teachers", "12", "--messages", "600", "--classes", "2"]
    # when
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=UTC)):
        call_command("bench", "--scale", "region", *sizes, "--students-per-class", "3", "--json", stdout=out)
    # then
    result = json.loads(out.getvalue())
    assert (result["municipalities"], result["schools"], result["teachers"]) == (2, 3, 12)
    assert (result["classes"], result["students"], result["messages"]) == (6, 18, 600)
    assert result["counts_agree"] is True
    assert result["teachers_with_messages"] > 0
    # the stored snapshot counts the enrollments' activation flags: set although the load skipped the triggers
    assert result["activation_agrees"] is True
    assert result["activation_students"][0] > 0
    for key in ("weekly_activity_seconds", "floor_seconds", "ratio", "activation_seconds", "school_summaries_seconds"):
        assert result[key] >= 0
    assert SchoolSummary.objects.filter(school__code__startswith=result["region"]).count() == 3  # what overviews read
    assert set(result["pages"]) == {
        "regional_overview",
        "regional_export",
        "municipal_overview",
        "municipal_export",
        "school_dashboard",
    }
    for page in result["pages"].values():
        assert page["queries"] > 0 and page["ms"] > 0
    # and: the same region measured again without generating it
    again = StringIO()
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=UTC)):
        call_command("bench", "--scale", "region", "--reuse", result["region"], "--json", stdout=again)
    reused = json.loads(again.getvalue())
    assert (reused["reused"], reused["schools"], reused["messages"]) == (result["region"], 3, 600)
    assert reused["counts_agree"] is True
