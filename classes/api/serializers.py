"""The classes app's API representations: regions and municipalities with their effective thresholds, roster changes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from classes.models import Municipality
from classes.models import Region
from classes.models import RosterChange
from classes.models.school import THRESHOLD_FIELDS


# The OpenAPI description of ThresholdsField's object (component "Thresholds"): the fields' types and Russian names.
# (No docstring: the component's description would be it.)
class ThresholdsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = list(THRESHOLD_FIELDS)
        read_only_fields = fields


THRESHOLDS_EXAMPLE = {
    "activity_threshold": 3,
    "staff_target": "0.90",
    "students_target": "0.80",
    "parents_target": "0.70",
    "roster_change_overdue_days": 5,
    "help_request_overdue_days": 3,
    "short_week_scaling": True,
}


@extend_schema_field(ThresholdsSerializer)
class ThresholdsField(serializers.Field):
    """The object's thresholds as they apply (its own, else inherited from the level above)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value) -> dict:
        effective = getattr(value, "effective", None)
        return {
            name: (str(v) if hasattr(v, "as_tuple") else v)
            for name in THRESHOLD_FIELDS
            for v in [effective(name) if effective else getattr(value, name)]
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Регион",
            value={"id": 1, "code": "77", "name": "Москва", "thresholds": THRESHOLDS_EXAMPLE},
            response_only=True,
        )
    ]
)
class RegionSerializer(serializers.ModelSerializer):
    thresholds = ThresholdsField(help_text="Пороги и цели региона: наследуются муниципалитетами и школами.")

    class Meta:
        model = Region
        fields = ["id", "code", "name", "thresholds"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Муниципалитет",
            value={
                "id": 12,
                "code": "45000000",
                "name": "Городской округ Примерный",
                "region": 1,
                "thresholds": THRESHOLDS_EXAMPLE,
            },
            response_only=True,
        )
    ]
)
class MunicipalitySerializer(serializers.ModelSerializer):
    thresholds = ThresholdsField(help_text="Действующие пороги и цели: свои, иначе региона.")

    class Meta:
        model = Municipality
        fields = ["id", "code", "name", "region", "thresholds"]


class RosterChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RosterChange
        fields = [
            "id",
            "school",
            "school_class",
            "kind",
            "student",
            "happened_on",
            "reason",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "state",
            "reported_by",
            "reported_at",
            "processed_at",
            "changed_in_sferum",
            "changed_in_roster",
            "processed_note",
            "confirmed_at",
            "confirmed_source",
        ]
