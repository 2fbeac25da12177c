"""Filters of the API lists: a related object is named by its id and never looked up.

django-filter's default for a foreign key checks the id against every row of the related table, so an id
outside the request's scope would answer differently from one that does not exist. Here both read as no rows.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models

# The largest id a database integer holds: a larger number names no row (and SQLite cannot even bind it).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.Filter):
    """A related object's id: a whole number from 1 to MAX_ID (anything else is a 400 naming the field)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilterSet(django_filters.FilterSet):
    """A FilterSet whose foreign keys filter by the id as given (a whole number; anything else is a 400)."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if isinstance(field, models.ForeignKey):
            return IdFilter(field_name=field_name, lookup_expr=lookup_expr or "exact", label=field.verbose_name)
        return super().filter_for_field(field, field_name, lookup_expr)


def filterset_of(model: type[models.Model], fields: list[str]) -> type[IdFilterSet]:
    """Return an IdFilterSet of the model's fields (exact matches)."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (IdFilterSet,), {"Meta": meta})
