"""Query shapes the apps share."""

from __future__ import annotations

from django.db.models import Aggregate
from django.db.models import OuterRef
from django.db.models import QuerySet
from django.db.models import Subquery


def aggregate_per_row(rows: QuerySet, link: str, aggregate: Aggregate) -> Subquery:
    """Return, for `.annotate()`, the aggregate over the `rows` whose `link` field is the outer row's key.

    One correlated subquery: a count or a maximum per class, per chat, … without a join that would multiply the
    outer rows. An outer row with no such rows gets NULL (wrap it in Coalesce for 0).
    """
    per_outer_row = rows.filter(**{link: OuterRef("pk")}).order_by().values(link)
    return Subquery(per_outer_row.annotate(value=aggregate).values("value"))
