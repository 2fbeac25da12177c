"""Filters of the API lists: a related object is named by its id and never looked up.

django-filter's default for a foreign key checks the id against every row of the related table, so an id
outside the request's scope would answer differently from one that does not exist. Here both read as no rows.
"""

from __future__ import annotations

import django_filters
from django.db import models


class IdFilterSet(django_filters.FilterSet):
    """A FilterSet whose foreign keys filter by the id as given (a number; anything else is a 400)."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if isinstance(field, models.ForeignKey):
            return django_filters.NumberFilter(
                field_name=field_name, lookup_expr=lookup_expr or "exact", label=field.verbose_name
            )
        return super().filter_for_field(field, field_name, lookup_expr)


def filterset_of(model: type[models.Model], fields: list[str]) -> type[IdFilterSet]:
    """Return an IdFilterSet of the model's fields (exact matches)."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (IdFilterSet,), {"Meta": meta})
