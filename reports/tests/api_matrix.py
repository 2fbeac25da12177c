"""The world and the endpoint table of the API permission matrix (test_api_permission_matrix.py).

Two regions; the first has two municipalities, the first of those two schools. Each school has the objects the
endpoints address (classes, a held sync run, a roster upload, …). Each role of the first school's side (its
teacher, its administrator, its municipality's, its region's) must get 404 for every object of a school,
municipality or region outside its scope, on every endpoint, and never see them in a list.

ENDPOINTS names, for each API URL, the kind of object its address takes (or None for a list) and, for a
list, the kind of the objects it lists: a URL missing from the table fails the matrix, so a new endpoint
cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver

from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.models import User
from classes.roster.uploads import roster_upload_create
from classes.roster_changes import roster_change_report_arrival
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.roster_files import PEOPLE
from classes.tests.roster_files import csv_bytes
from classes.tests.roster_files import rows_of
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user
from reports.services import activation_snapshot_build_municipality
from reports.summaries import school_summaries_build
from reports.tests.test_api_read import reconciliation_add
from reports.weekly_store import weekly_activity_store

API_PREFIX = "api/v1/"
DAY = NOW.date()


def by_field(field_name: str, kind: str, *, when: dict | None = None):
    """Return a list item's reader: [(kind, the item's field)] (nothing when the item does not match `when`)."""

    def read(item: dict) -> list[tuple[str, object]]:
        if when and any(item.get(key) != value for key, value in when.items()):
            return []
        return [(kind, item.get(field_name))]

    return read


@dataclass(frozen=True)
class Endpoint:
    """An API URL: the kind of object its address names (None: a list), and for a list what each item belongs to
    (readers of (kind, id) pairs: no pair may name an object outside the role's scope)."""

    addressed: str | None
    lists: tuple = ()


OF_SCHOOL = (by_field("school", "school"),)
# url name -> Endpoint. Kinds: region, municipality, school, class, sync_run, roster_upload, roster_change,
# reconciliation.
ENDPOINTS: dict[str, Endpoint] = {
    "api-region-list": Endpoint(None, lists=(by_field("id", "region"),)),
    "api-region-detail": Endpoint("region"),
    "api-municipality-list": Endpoint(None, lists=(by_field("id", "municipality"),)),
    "api-municipality-detail": Endpoint("municipality"),
    "api-school-list": Endpoint(None, lists=(by_field("id", "school"),)),
    "api-school-detail": Endpoint("school"),
    "api-class-list": Endpoint(None, lists=OF_SCHOOL),
    "api-class-detail": Endpoint("class"),
    "api-weekly-activity-list": Endpoint(None, lists=OF_SCHOOL),
    "api-activation-snapshot-list": Endpoint(
        None,
        lists=(
            by_field("school", "school", when={"scope": "class"}),
            by_field("school", "school", when={"scope": "school"}),
            by_field("municipality", "municipality", when={"scope": "municipality"}),
        ),
    ),
    "api-reconciliation-list": Endpoint(None, lists=OF_SCHOOL),
    "api-reconciliation-detail": Endpoint("reconciliation"),
    "api-roster-change-list": Endpoint(None, lists=OF_SCHOOL),
    "api-roster-change-detail": Endpoint("roster_change"),
    "api-sync-run-list": Endpoint(None, lists=OF_SCHOOL),
    "api-sync-run-detail": Endpoint("sync_run"),
    "api-roster-upload-create": Endpoint("school"),
    "api-roster-upload-detail": Endpoint("roster_upload"),
    "api-roster-upload-confirm": Endpoint("roster_upload"),
    "api-school-sync-start": Endpoint("school"),
    "api-sync-run-confirm": Endpoint("sync_run"),
}


@dataclass
class World:
    regions: dict[str, Region]
    municipalities: dict[str, Municipality]
    schools: dict[str, School]
    objects: dict[str, dict[str, object]] = field(default_factory=dict)  # kind -> school key -> object
    users: dict[str, User] = field(default_factory=dict)


# For each role, the schools, municipalities and regions of the world outside its scope.
FOREIGN = {
    "teacher": {"schools": ["sibling", "neighbour", "far"], "municipalities": ["own", "neighbour", "far"]},
    "school": {"schools": ["sibling", "neighbour", "far"], "municipalities": ["own", "neighbour", "far"]},
    "municipal": {"schools": ["neighbour", "far"], "municipalities": ["neighbour", "far"]},
    "regional": {"schools": ["far"], "municipalities": ["far"]},
}
FOREIGN_REGIONS = {
    "teacher": ["own", "far"],
    "school": ["own", "far"],
    "municipal": ["own", "far"],
    "regional": ["far"],
}


def world_build() -> World:
    """Build the matrix's world: per school the objects the endpoints address, per role a login."""
    regions = {"own": RegionFactory(code="MX-R1"), "far": RegionFactory(code="MX-R2")}
    municipalities = {
        "own": MunicipalityFactory(region=regions["own"], code="MX-M1"),
        "neighbour": MunicipalityFactory(region=regions["own"], code="MX-M2"),
        "far": MunicipalityFactory(region=regions["far"], code="MX-M3"),
    }
    places = {"own": "own", "sibling": "own", "neighbour": "neighbour", "far": "far"}
    data = {key: school_build(municipality=municipalities[place], classes=2) for key, place in places.items()}
    world = World(regions=regions, municipalities=municipalities, schools={k: d.school for k, d in data.items()})
    world.objects["school"] = dict(world.schools)
    world.objects["region"] = dict(regions)
    world.objects["municipality"] = dict(municipalities)
    world.objects["sync_run"] = {key: sync_runs_add(school, held=1)[-1] for key, school in world.schools.items()}
    admins = {key: school_admin(school) for key, school in world.schools.items()}
    content = csv_bytes(rows_of(PEOPLE))
    world.objects["roster_upload"] = {
        key: roster_upload_create(school=school, user=admins[key], file_name="roster.csv", content=content)
        for key, school in world.schools.items()
    }
    world.objects["class"] = {key: d.classes[0] for key, d in data.items()}
    world.objects["roster_change"] = {
        key: roster_change_report_arrival(
            school_class=d.classes[0],
            last_name="Новикова",
            first_name="Алёна",
            birth_date=None,
            on=DAY,
            user=admins[key],
        )
        for key, d in data.items()
    }
    world.objects["reconciliation"] = {key: reconciliation_add(d) for key, d in data.items()}
    school_summaries_build(schools=list(world.schools.values()))
    for municipality in municipalities.values():
        activation_snapshot_build_municipality(municipality=municipality, day=DAY)
    weekly_activity_store(schools=list(world.schools.values()), week_start=LAST_WEEK)
    world.users = {
        "teacher": teacher_user(data["own"]),
        "school": admins["own"],
        "municipal": municipal_admin(municipalities["own"]),
        "regional": regional_admin(regions["own"]),
    }
    return world


def foreign_objects(world: World, role: str, kind: str) -> list[object]:
    """Return the objects of the kind that lie outside the role's scope."""
    if kind == "region":
        return [world.regions[key] for key in FOREIGN_REGIONS[role]]
    if kind == "municipality":
        return [world.municipalities[key] for key in FOREIGN[role]["municipalities"]]
    return [world.objects[kind][key] for key in FOREIGN[role]["schools"] if key in world.objects[kind]]


def api_urls() -> list[tuple[str, URLPattern]]:
    """Return (route, pattern) of every URL under /api/v1/ in the URL conf."""

    def walk(patterns, prefix: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    return [(route, pattern) for route, pattern in walk(get_resolver().url_patterns) if route.startswith(API_PREFIX)]


def methods_of(pattern: URLPattern) -> list[str]:
    """Return the HTTP methods the URL's view answers (a viewset's actions, an APIView's handlers)."""
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return sorted(actions)
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    return [method for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)]
