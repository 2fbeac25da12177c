"""The seeded demo's pages within their query budgets (DESIGN.md: queries per page do not grow with the data)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes.models import User

# The dashboard's own; its instructions, help requests and materials panels load after it (htmx) at their addresses.
DASHBOARD_QUERIES = 15


def test_the_demo_school_dashboard_takes_at_most_15_queries(client, demo):
    # given
    client.force_login(User.objects.get(username="demo_admin"))
    url = reverse("school-dashboard", kwargs={"school_id": demo.pk})
    client.get(url)
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # then
    assert response.status_code == 200
    assert len(queries) <= DASHBOARD_QUERIES, [query["sql"][:80] for query in queries.captured_queries]
