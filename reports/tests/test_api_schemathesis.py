"""Schemathesis against the live OpenAPI schema (/api/schema/), in process through the WSGI application: every
operation, with a bounded number of generated requests and a fixed seed (derandomized), as a regional
administrator's API token on the permission matrix's world. No answer is a server error, and every answer
matches the schema (status documented, body of the documented shape).
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from classes.api_tokens import api_token_create
from classes.tests.scenario import NOW
from reports.tests.api_matrix import world_build

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
# Generated requests per operation: enough to reach the error paths, few enough for CI.
EXAMPLES = 15
# No server error; the status, the content type and the body each as documented.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def connection_kept():
    """Keep the test's database connection across the WSGI requests, as Django's test client does: a request's
    start and end would close it, and with it the test's transaction on PostgreSQL. (The test client connects
    the handlers again after each of its own requests: enter this after the last one.)"""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def test_every_operation_answers_without_server_errors_and_as_the_schema_says(client):
    # given
    world = world_build()
    user = world.users["regional"]
    client.force_login(user)
    document = client.get("/api/schema/", {"format": "json"}).json()
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    _token, secret = api_token_create(user=user, name="schemathesis", days=30)
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    failures: list[str] = []
    operations = 0
    # when
    with connection_kept():
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def check(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except (Exception, BaseExceptionGroup) as error:  # every operation's failure is reported together
                details = " | ".join([str(error), *(str(sub) for sub in getattr(error, "exceptions", []))])
                failures.append(f"{operation.label}: {details}"[:3000])
    # then
    # every operation of the schema was exercised (none dropped by the loader)
    assert operations == sum(len(methods) for methods in document["paths"].values())
    assert failures == []
