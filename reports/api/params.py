"""Query parameters of the reports endpoints that are not plain filters: a week, a date range."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from classes.calendar import WeekFormatError
from classes.calendar import week_parse

SNAPSHOT_DAYS_DEFAULT = 30
SNAPSHOT_DAYS_MAX = 366


def week_of_params(params, *, default: date) -> date:
    """Return the Monday of the `week` parameter (like 2026-W46), or `default` without one; 400 when malformed."""
    value = params.get("week")
    if value is None or value == "":
        return default
    try:
        return week_parse(value)
    except WeekFormatError as error:
        raise ValidationError({"week": [str(error)]}) from None


class DateRangeSerializer(serializers.Serializer):
    """`date_from` and `date_to` (ISO dates, both included): by default the last 30 days, at most 366 days."""

    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs: dict) -> dict:
        today = self.context["today"]
        date_to = attrs.get("date_to") or today
        date_from = attrs.get("date_from") or date_to - timedelta(days=SNAPSHOT_DAYS_DEFAULT - 1)
        if date_from > date_to:
            raise ValidationError({"date_from": [_("The start of the period comes after its end; swap them.")]})
        if (date_to - date_from).days + 1 > SNAPSHOT_DAYS_MAX:
            raise ValidationError(
                {"date_to": [_("A period is at most %(days)s days; shorten it.") % {"days": SNAPSHOT_DAYS_MAX}]}
            )
        return {"date_from": date_from, "date_to": date_to}


def date_range_of_params(params, *, today: date) -> tuple[date, date]:
    """Return (date_from, date_to) of the query parameters; 400 problem details when they are not valid."""
    serializer = DateRangeSerializer(data=params, context={"today": today})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["date_from"], serializer.validated_data["date_to"]
