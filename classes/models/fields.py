"""Field shapes the models share."""

from __future__ import annotations

from django.db import models


def optional_link(to, **options) -> models.ForeignKey:
    """Return a link that may be empty and is emptied when what it points to is deleted (the record stays)."""
    return models.ForeignKey(to, on_delete=models.SET_NULL, null=True, blank=True, **options)
