"""`seed_demo [--seed N] [--schools N] [--json]`: fill an empty database with the demo region and municipality.

Every school comes from the simulator (sferum_api.simulator) and goes in through the real services: the
roster through `roster_import`, chats, accounts and messages through the logged sync, and the metrics
through the jobs' own services. It lives in the reports app, the top layer, because it calls all of
them. Deterministic for a seed and a date: two runs on empty databases write the same rows.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import transaction

from activation.models import SferumAccount
from chats.integrations import integration_connect
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from chats.services import school_sync_run
from chats.sync import message_hash_key
from classes import clock
from classes.help_requests import help_requests_demo_seed
from classes.models import Municipality
from classes.models import Parent
from classes.models import Region
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.models import Student
from classes.models import TeachingAssignment
from classes.models import User
from classes.roster.importer import roster_import
from classes.services import academic_year_current
from classes.services import school_create
from reports.instructions import instructions_demo_seed
from reports.services import activation_snapshot_build_municipality
from reports.services import weekly_history_build
from reports.summaries import school_summaries_build
from reports.tasks import RUN_HOUR
from sferum_api.simulator import SimulatedSchool

DEMO_REGION_CODE = "demo"
DEMO_REGION_NAME = "Демонстрационный регион"
DEMO_MUNICIPALITY_CODE = "demo"
DEMO_MUNICIPALITY_NAME = "Демонстрационный муниципальный округ"
DEMO_TIMEZONE = "Europe/Moscow"


class DemoSeedError(Exception):
    """A step of the seed failed; nothing was written."""


@dataclass
class DemoSeedResult:
    status: str  # ok | exists
    schools: list[str] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    def to_json(self, seed: int) -> dict:
        return {"status": self.status, "seed": seed, "schools": self.schools, **self.figures, "logins": self.logins}


def _school_seed(*, municipality: Municipality, simulated: SimulatedSchool, code: str) -> School:
    school, _created = school_create(
        code=code, name=simulated.school_name, municipality=municipality.code, timezone=DEMO_TIMEZONE
    )
    imported = roster_import(
        school=school,
        content=simulated.roster_csv(),
        filename="roster.csv",
        on=simulated.academic_year_start,
        command="seed_demo",
    )
    if imported.status != "ok":
        errors = "; ".join(str(error.as_dict()) for error in imported.errors[:3])
        raise DemoSeedError(f"The simulated roster of {code} did not import ({imported.status}): {errors}")
    year = academic_year_current(school=school, on=simulated.academic_year_start)
    staff = dict(Staff.objects.filter(school=school).values_list("person_id", "id"))
    classes = {school_class.name: school_class.pk for school_class in SchoolClass.objects.filter(year=year)}
    TeachingAssignment.objects.bulk_create(
        [
            TeachingAssignment(
                staff_id=staff[item.person_id], school_class_id=classes[item.class_name], subject=item.subject
            )
            for item in simulated.assignments
        ],
        ignore_conflicts=True,
    )
    StaffAbsence.objects.bulk_create(
        [
            StaffAbsence(staff_id=staff[item.person_id], kind=item.kind, starts_on=item.starts_on, ends_on=item.ends_on)
            for item in simulated.absences
        ]
    )
    # The demo keeps syncing from the same simulated school (the worker's hourly beat entry).
    integration_connect(
        school=school,
        backend="simulator",
        options={"seed": simulated.seed, "school_index": simulated.school_index},
        command="seed_demo",
    )
    return school


def _school_sync(*, school: School, simulated: SimulatedSchool, as_of: datetime | None) -> None:
    simulated.as_of = as_of
    _run, synced = school_sync_run(school=school, backend=simulated)
    if synced.status != "ok":
        raise DemoSeedError(f"The sync of {school.code} as of {as_of or 'now'} failed: {synced.error}")


def _past_days(*, year_start: date, today: date) -> list[date]:
    """Return the days of the demo's past snapshots: the year's first day, every Monday before today, and each of
    the seven days before today (so every figure's change over a week has its day, whatever day the demo is)."""
    days = set()
    day = year_start
    while day < today:
        days.add(day)
        day += timedelta(days=7 - day.weekday())
    days.update(today - timedelta(days=back) for back in range(1, 8) if today - timedelta(days=back) >= year_start)
    return sorted(days)


def _history_replay(*, municipality: Municipality, seeded: list[tuple[School, SimulatedSchool]], today: date) -> None:
    """Give the demo its past as the beat jobs would have left it, through their own services.

    Each school is synced as its simulated platform was at 06:00 of every past snapshot day (the members who had
    joined, the messages sent before; no sync when nobody joined since the last one), and the day's activation
    snapshot is built; then the school is synced as it is now, today's snapshot is built, and the weekly teacher
    activity of every week since the start of the academic year (or the history horizon). The school summaries the
    overviews read are stored for seven days ago and today (the change over a week compares the two).
    """
    zone = zoneinfo.ZoneInfo(DEMO_TIMEZONE)
    members_synced: dict[int, int] = {}
    for day in _past_days(year_start=seeded[0][1].academic_year_start, today=today):
        as_of = datetime.combine(day, time(RUN_HOUR), tzinfo=zone)
        for school, simulated in seeded:
            members = sum(1 for membership in simulated.memberships if membership.joined_at <= as_of)
            if members != members_synced.get(school.pk):  # nobody joined since the last one: the same activation
                _school_sync(school=school, simulated=simulated, as_of=as_of)
                members_synced[school.pk] = members
        activation_snapshot_build_municipality(municipality=municipality, day=day)
        if day == today - timedelta(days=7):
            school_summaries_build(schools=_schools_with_thresholds(seeded), day=day)
    for school, simulated in seeded:
        _school_sync(school=school, simulated=simulated, as_of=None)
    activation_snapshot_build_municipality(municipality=municipality, day=today)
    for school, _simulated in seeded:
        weekly_history_build(school=school)
    school_summaries_build(schools=_schools_with_thresholds(seeded), day=today)


def _schools_with_thresholds(seeded: list[tuple[School, SimulatedSchool]]) -> list[School]:
    """Return the seeded schools with the municipality and region whose thresholds they inherit."""
    ids = [school.pk for school, _simulated in seeded]
    return list(School.objects.filter(pk__in=ids).select_related("municipality__region").order_by("pk"))


def _user_create(username: str, **fields) -> User:
    user = User(username=username, **fields)
    user.set_password(settings.DEMO_PASSWORD)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def demo_seed(*, seed: int, schools: int) -> DemoSeedResult:
    """Create the demo region and municipality, its schools from the simulator, and the demo logins; all or
    nothing."""
    if Municipality.objects.filter(code=DEMO_MUNICIPALITY_CODE).exists():
        return DemoSeedResult(status="exists")
    today = clock.today(DEMO_TIMEZONE)
    key = message_hash_key()
    with transaction.atomic():
        region, _created = Region.objects.get_or_create(code=DEMO_REGION_CODE, defaults={"name": DEMO_REGION_NAME})
        # The municipality sets no threshold of its own: it follows the region's.
        municipality = Municipality(code=DEMO_MUNICIPALITY_CODE, name=DEMO_MUNICIPALITY_NAME, region=region)
        municipality.full_clean()
        municipality.save()
        seeded: list[tuple[School, SimulatedSchool]] = []
        for index in range(schools):
            simulated = SimulatedSchool(seed=seed, school_index=index, today=today, hash_key=key)
            school = _school_seed(municipality=municipality, simulated=simulated, code=f"DEMO-{index + 1}")
            seeded.append((school, simulated))
        first, first_simulated = seeded[0]
        teacher = Staff.objects.get(school=first, person_id=first_simulated.demo_teacher_person_id)
        _user_create("demo_regional", role=User.Role.REGIONAL_ADMIN, region=region)
        _user_create("demo_municipal", role=User.Role.MUNICIPAL_ADMIN, municipality=municipality)
        _user_create("demo_admin", role=User.Role.SCHOOL_ADMIN, school=first)
        _user_create("demo_teacher", role=User.Role.TEACHER, school=first, staff=teacher)
        help_requests_demo_seed(teacher=User.objects.get(username="demo_teacher"))
        _history_replay(municipality=municipality, seeded=seeded, today=today)
        instructions_demo_seed(municipality=municipality)
    ids = [school.pk for school, _simulated in seeded]
    return DemoSeedResult(
        status="ok",
        schools=[school.code for school, _simulated in seeded],
        figures={
            "classes": SchoolClass.objects.filter(school_id__in=ids).count(),
            "students": Student.objects.filter(school_id__in=ids).count(),
            "parents": Parent.objects.filter(school_id__in=ids).count(),
            "staff": Staff.objects.filter(school_id__in=ids).count(),
            "chats": Chat.objects.filter(school_id__in=ids).count(),
            "accounts": SferumAccount.objects.filter(school_id__in=ids).count(),
            "memberships": ChatMembership.objects.filter(chat__school_id__in=ids).count(),
            "messages": Message.objects.filter(chat__school_id__in=ids).count(),
        },
        logins=["demo_regional", "demo_municipal", "demo_admin", "demo_teacher"],
    )


class Command(BaseCommand):
    help = "Fill an empty database with the demo region and municipality, its schools, chats, messages and logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="The simulator's seed (default 42).")
        parser.add_argument("--schools", type=int, default=2, help="How many schools (default 2, at most 5).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of the summary.")

    def handle(self, *args, **options) -> None:
        if not 1 <= options["schools"] <= 5:
            raise CommandError("--schools must be between 1 and 5.", returncode=1)
        try:
            result = demo_seed(seed=options["seed"], schools=options["schools"])
        except DemoSeedError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(options["seed"]), ensure_ascii=False))
            return
        if result.status == "exists":
            self.stdout.write("The demo municipality is already seeded; nothing was changed.")
            return
        figures = result.figures
        self.stdout.write(
            f"Seeded «{DEMO_MUNICIPALITY_NAME}» with seed {options['seed']}: {', '.join(result.schools)}."
        )
        self.stdout.write(
            "  classes {classes}, students {students}, parents {parents}, staff {staff}, "
            "chats {chats}, accounts {accounts}, messages {messages}".format(**figures)
        )
        self.stdout.write(f"  logins: {', '.join(result.logins)} (password from DEMO_PASSWORD)")
