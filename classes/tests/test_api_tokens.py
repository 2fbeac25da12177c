"""Personal API tokens: created and revoked on /account/tokens/ by administrators, shown once, kept hashed,
narrowed inside their owner's scope, audited, throttled per token and per login."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test.utils import override_settings

from classes.api_tokens import api_token_authenticate
from classes.api_tokens import api_token_create
from classes.api_tokens import api_token_revoke
from classes.api_tokens import secret_hash
from classes.models import ApiToken
from classes.models import AuditEntry
from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import RegionFactory
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import regional_admin
from classes.tests.scenario import school_admin
from classes.tests.scenario import school_build
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db]
PROBLEM = "application/problem+json"
MUNICIPALITIES = "/api/v1/municipalities/"


@pytest.fixture
def world():
    region = RegionFactory(code="R1")
    north, south = MunicipalityFactory(region=region, code="N"), MunicipalityFactory(region=region, code="S")
    far = MunicipalityFactory(region=RegionFactory(code="R2"), code="F")
    return {
        "region": region,
        "north": north,
        "south": south,
        "far": far,
        "north_school": SchoolFactory(municipality=north),
        "north_other": SchoolFactory(municipality=north),
        "south_school": SchoolFactory(municipality=south),
        "far_school": SchoolFactory(municipality=far),
    }


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def test_a_new_token_opens_the_api_and_only_its_hash_is_kept(client, world):
    # given
    owner = regional_admin(world["region"])
    # when
    token, secret = api_token_create(user=owner, name="export", days=30)
    response = client.get(MUNICIPALITIES, **bearer(secret))
    # then
    assert response.status_code == 200
    assert ids(response) == {world["north"].pk, world["south"].pk}
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert secret.startswith(f"sfr_{token.prefix}_") and len(secret.split("_", 2)[2]) >= 32
    assert stored["key_hash"] == secret_hash(secret)
    assert secret not in {str(value) for value in stored.values()}


@pytest.mark.parametrize("state", ["revoked", "expired", "garbage", "wrong secret", "inactive owner"])
def test_a_bad_token_gets_a_401_problem_saying_what_to_do(client, world, state):
    # given
    owner = municipal_admin(world["north"])
    token, secret = api_token_create(user=owner, name="export", days=30)
    if state == "revoked":
        api_token_revoke(token=token, by=owner)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at - timedelta(seconds=1))
    elif state == "garbage":
        secret = "not-a-token"
    elif state == "wrong secret":
        secret = secret[:-4] + "abcd"
    else:
        owner.is_active = False
        owner.save()
    # when
    response = client.get(MUNICIPALITIES, **bearer(secret))
    # then
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"
    assert "API tokens page" in response.json()["detail"]


def test_a_token_narrowed_to_a_school_reads_that_school_only(client, world):
    # given
    owner = regional_admin(world["region"])
    token, secret = api_token_create(user=owner, name="one school", days=30, school=world["north_school"])
    # when
    listed = client.get(MUNICIPALITIES, **bearer(secret))
    foreign = client.get(f"{MUNICIPALITIES}{world['south'].pk}/", **bearer(secret))
    region = client.get(f"/api/v1/regions/{world['region'].pk}/", **bearer(secret))
    # then
    assert ids(listed) == {world["north"].pk}
    assert (foreign.status_code, region.status_code) == (404, 404)
    assert set(token.schools_within(School.objects.all())) == {world["north_school"]}
    assert set(token.municipalities_within(Municipality.objects.all())) == {world["north"]}
    assert not token.regions_within(Region.objects.all()).exists()


def test_a_municipal_administrators_token_narrowed_to_a_school_hides_the_other_schools(world):
    # given
    owner = municipal_admin(world["north"])
    # when
    token, _secret = api_token_create(user=owner, name="one school", days=30, school=world["north_school"])
    # then
    assert set(token.schools_within(School.objects.all())) == {world["north_school"]}
    assert world["north_other"] not in token.schools_within(School.objects.all())


def test_a_regional_token_narrowed_to_a_municipality_reads_its_schools_only(world):
    # given
    owner = regional_admin(world["region"])
    # when
    token, _secret = api_token_create(user=owner, name="north", days=30, municipality=world["north"])
    # then
    assert set(token.schools_within(School.objects.all())) == {world["north_school"], world["north_other"]}
    assert set(token.municipalities_within(Municipality.objects.all())) == {world["north"]}


@pytest.mark.parametrize(
    ("role", "narrowing"),
    [
        ("municipal", {"school": "south_school"}),
        ("municipal", {"municipality": "north"}),
        ("regional", {"school": "far_school"}),
        ("regional", {"municipality": "far"}),
        ("school", {"school": "north_school"}),
    ],
)
def test_a_narrowing_outside_the_owners_scope_is_refused(world, role, narrowing):
    # given
    owner = {
        "municipal": lambda: municipal_admin(world["north"]),
        "regional": lambda: regional_admin(world["region"]),
        "school": lambda: school_admin(world["north_school"]),
    }[role]()
    # when / then
    with pytest.raises(ValidationError):
        api_token_create(user=owner, name="wide", days=30, **{key: world[name] for key, name in narrowing.items()})
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, 366])
def test_an_expiry_beyond_a_year_or_in_the_past_is_refused(world, days):
    # given
    owner = municipal_admin(world["north"])
    # when / then
    with pytest.raises(ValidationError):
        api_token_create(user=owner, name="long", days=days)


def test_the_page_creates_a_token_shows_its_secret_once_and_is_not_cached(client, world):
    # given
    owner = municipal_admin(world["north"])
    client.force_login(owner)
    # when
    created = client.post("/account/tokens/", {"name": "export", "days": 30, "scope": f"s{world['north_school'].pk}"})
    again = client.get("/account/tokens/")
    # then
    token = ApiToken.objects.get(user=owner)
    secret = created.context["secret"]
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    assert secret in created.content.decode() and token.key_hash == secret_hash(secret)
    assert token.school == world["north_school"]
    assert secret not in again.content.decode() and token.prefix in again.content.decode()


def test_a_regional_administrator_may_narrow_to_their_regions_municipalities_and_schools(client, world):
    # given
    client.force_login(regional_admin(world["region"]))
    # when
    choices = client.get("/account/tokens/").context["form"].fields["scope"].choices
    # then
    offered = {value for _group, options in choices[1:] for value, _label in options}
    inside = [world["north"], world["south"]]
    schools = [world["north_school"], world["north_other"], world["south_school"]]
    assert offered == {f"m{item.pk}" for item in inside} | {f"s{item.pk}" for item in schools}


def test_a_school_administrator_gets_no_narrowing_choice(client, world):
    # given
    client.force_login(school_admin(world["north_school"]))
    # when
    response = client.get("/account/tokens/")
    # then
    assert response.status_code == 200 and "scope" not in response.context["form"].fields


def test_the_page_offers_no_narrowing_outside_the_owners_scope(client, world):
    # given
    client.force_login(municipal_admin(world["north"]))
    # when
    response = client.post("/account/tokens/", {"name": "x", "days": 30, "scope": f"s{world['south_school'].pk}"})
    # then
    assert response.status_code == 200 and response.context["form"].errors["scope"]
    assert not ApiToken.objects.exists()


def test_a_teacher_may_not_open_the_page(client):
    # given
    data = school_build(classes=1, students=1)
    client.force_login(teacher_user(data))
    # then
    assert client.get("/account/tokens/").status_code == 403
    assert client.post("/account/tokens/", {"name": "x", "days": 30}).status_code == 403


def test_an_owner_revokes_their_token_but_not_another_logins(client, world):
    # given
    owner, other = municipal_admin(world["north"]), municipal_admin(world["north"])
    mine, _ = api_token_create(user=owner, name="mine", days=30)
    theirs, _ = api_token_create(user=other, name="theirs", days=30)
    client.force_login(owner)
    # when
    revoked = client.post(f"/account/tokens/{mine.pk}/revoke/")
    refused = client.post(f"/account/tokens/{theirs.pk}/revoke/")
    # then
    assert revoked.status_code == 302
    assert refused.status_code == 404
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


@pytest.mark.clock("2026-11-30T10:00:00+03:00")
def test_creation_revocation_and_the_first_use_of_each_day_are_audited(client, world, clock):
    # given
    owner = municipal_admin(world["north"])
    token, secret = api_token_create(user=owner, name="export", days=30)
    # when
    client.get(MUNICIPALITIES, **bearer(secret))
    clock.shift(timedelta(hours=2))
    client.get(MUNICIPALITIES, **bearer(secret))
    clock.shift(timedelta(days=1))
    client.get(MUNICIPALITIES, **bearer(secret))
    api_token_revoke(token=token, by=owner)
    # then
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "description", "municipality"))
    assert [action for action, _description, _scope in entries] == [
        "token.create",
        "token.use",
        "token.use",
        "token.revoke",
    ]
    assert all(token.prefix in description and secret not in description for _a, description, _s in entries)
    assert {scope for _a, _d, scope in entries} == {world["north"].pk}


@pytest.mark.clock("2026-11-30T10:00:00+03:00")
def test_the_last_use_is_written_at_most_once_a_minute(world, clock):
    # given
    owner = municipal_admin(world["north"])
    token, secret = api_token_create(user=owner, name="export", days=30)
    api_token_authenticate(secret)
    clock.shift(timedelta(seconds=30))
    # when
    with CaptureQueriesContext(connection) as within_the_minute:
        api_token_authenticate(secret)
    clock.shift(timedelta(seconds=31))
    with CaptureQueriesContext(connection) as after_it:
        api_token_authenticate(secret)
    # then
    writes = [query["sql"] for query in within_the_minute.captured_queries if query["sql"].startswith("UPDATE")]
    assert len(within_the_minute) == 1 and writes == []
    assert any(query["sql"].startswith("UPDATE") for query in after_it.captured_queries)
    token.refresh_from_db()
    assert token.last_used_at.isoformat() == "2026-11-30T07:01:01+00:00"


@pytest.mark.parametrize("scope", ["api_token", "api_user"])
def test_a_token_over_its_rate_gets_a_429_problem_with_retry_after(client, world, scope):
    # given
    cache.clear()
    owner = municipal_admin(world["north"])
    _token, secret = api_token_create(user=owner, name="export", days=30)
    rates = {"api_token": "1000/hour", "api_user": "1000/hour", scope: "2/hour"}
    # when
    with override_settings(API_THROTTLE_RATES=rates):
        answers = [client.get(MUNICIPALITIES, **bearer(secret)) for _ in range(3)]
    # then
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2]["Content-Type"] == PROBLEM and int(answers[2]["Retry-After"]) > 0
    assert answers[2].json()["status"] == 429


def test_a_browser_session_is_throttled_per_login(client, world):
    # given
    cache.clear()
    client.force_login(municipal_admin(world["north"]))
    # when
    with override_settings(API_THROTTLE_RATES={"api_token": "1/hour", "api_user": "1/hour"}):
        answers = [client.get(MUNICIPALITIES) for _ in range(2)]
    # then
    assert [answer.status_code for answer in answers] == [200, 429]


def test_the_schema_documents_the_bearer_token(client, world):
    # given
    client.force_login(regional_admin(world["region"]))
    # when
    schema = client.get("/api/schema/", {"format": "json"}).json()
    # then
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["apiToken"]["description"],
    }
