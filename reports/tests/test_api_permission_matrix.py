"""The API's permission matrix, generated from the URL conf: for every endpoint and every role (a school's
teacher, its administrator, its municipality's, its region's), every object of another school, municipality or
region answers 404 to every method the endpoint has, and no list shows one. An endpoint missing from
api_matrix.ENDPOINTS fails here: a new endpoint cannot be forgotten.
"""

import re

import pytest
from django.urls import reverse

from classes.tests.scenario import NOW
from reports.tests.api_matrix import ENDPOINTS
from reports.tests.api_matrix import FOREIGN
from reports.tests.api_matrix import api_urls
from reports.tests.api_matrix import foreign_objects
from reports.tests.api_matrix import methods_of
from reports.tests.api_matrix import world_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
ROLES = sorted(FOREIGN)


def test_every_api_endpoint_is_in_the_matrix():
    # given
    names = {pattern.name for _route, pattern in api_urls()}
    # then
    assert names - ENDPOINTS.keys() == set(), "add the new endpoints to reports/tests/api_matrix.ENDPOINTS"
    assert ENDPOINTS.keys() - names == set(), "remove the endpoints that are gone from api_matrix.ENDPOINTS"


def _kwargs(route: str, obj) -> dict:
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    return {next(n for n in pair if n): obj.pk for pair in names}


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_404_for_objects_outside_the_roles_scope(client, role):
    # given
    world = world_build()
    client.force_login(world.users[role])
    checked: set[str] = set()
    for route, pattern in api_urls():
        endpoint = ENDPOINTS[pattern.name]
        if endpoint.addressed is None:
            continue
        for obj in foreign_objects(world, role, endpoint.addressed):
            url = reverse(pattern.name, kwargs=_kwargs(route, obj))
            for method in methods_of(pattern):
                # when
                response = getattr(client, method)(url, content_type="application/json")
                # then
                assert response.status_code == 404, (role, method, url, response.status_code)
                checked.add(pattern.name)
    # every addressed endpoint met at least one foreign object (a kind without objects would check nothing)
    assert checked == {name for name, endpoint in ENDPOINTS.items() if endpoint.addressed}


@pytest.mark.parametrize("role", ROLES)
def test_no_list_shows_an_object_outside_the_roles_scope(client, role):
    # given
    world = world_build()
    client.force_login(world.users[role])
    for _route, pattern in api_urls():
        endpoint = ENDPOINTS[pattern.name]
        if not endpoint.lists:
            continue
        # when
        response = client.get(reverse(pattern.name), {"page_size": 500})
        # then
        assert response.status_code == 200, (role, pattern.name)
        items = response.json()["results"]
        named = {pair for item in items for read in endpoint.lists for pair in read(item)}
        # the readers find an id in every item (a renamed field would otherwise check nothing)
        assert all(object_id is not None for _kind, object_id in named), (role, pattern.name)
        if role == "regional":  # sees every list's own objects: the list is not empty
            assert named, pattern.name
        kinds = {kind for kind, _id in named}
        foreign = {(kind, obj.pk) for kind in kinds for obj in foreign_objects(world, role, kind)}
        assert named & foreign == set(), (role, pattern.name)
