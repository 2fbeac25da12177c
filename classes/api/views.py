"""The classes app's read endpoints: regions, municipalities, roster changes of the request's scope (404 outside)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from classes.api.filters import filterset_of
from classes.api.scope import api_municipalities
from classes.api.scope import api_regions
from classes.api.scope import api_schools
from classes.api.serializers import MunicipalitySerializer
from classes.api.serializers import RegionSerializer
from classes.api.serializers import RosterChangeSerializer
from classes.models import Municipality
from classes.models import Region
from classes.models import RosterChange
from classes.models import User


@extend_schema_view(
    list=extend_schema(summary="Регионы", description="Регион регионального администратора (другим ролям — пусто)."),
    retrieve=extend_schema(summary="Регион", description="Регион вне области доступа отвечает 404."),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.none()  # the model, for the OpenAPI description: get_queryset() reads the scope
    serializer_class = RegionSerializer
    ordering_fields = ["id", "code", "name"]
    filterset_class = filterset_of(Region, ["code"])

    def get_queryset(self):
        return api_regions(self.request).order_by("pk")


@extend_schema_view(
    list=extend_schema(
        summary="Муниципалитеты", description="Муниципалитеты региона или собственный муниципалитет администратора."
    ),
    retrieve=extend_schema(summary="Муниципалитет", description="Муниципалитет вне области доступа отвечает 404."),
)
class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Municipality.objects.none()  # the model, for the OpenAPI description: get_queryset() reads the scope
    serializer_class = MunicipalitySerializer
    ordering_fields = ["id", "code", "name"]
    filterset_class = filterset_of(Municipality, ["code", "region"])

    def get_queryset(self):
        return api_municipalities(self.request).order_by("pk")


ROSTER_CHANGE_EXAMPLE = OpenApiExample(
    "Выбытие",
    response_only=True,
    value={
        "id": 7,
        "school": 3,
        "school_class": 41,
        "kind": "departure",
        "student": 905,
        "happened_on": "2026-11-13",
        "reason": "переезд в другой город",
        "last_name": "Смирнов",
        "first_name": "Пётр",
        "patronymic": "Алексеевич",
        "birth_date": "2015-03-12",
        "state": "reported",
        "reported_by": 12,
        "reported_at": "2026-11-16T06:00:00Z",
        "processed_at": None,
        "changed_in_sferum": False,
        "changed_in_roster": False,
        "processed_note": "",
        "confirmed_at": None,
        "confirmed_source": "",
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="Прибытия и выбытия",
        description=(
            "Сообщённые классными руководителями прибытия и выбытия учеников в школах области доступа, новые "
            "записи — по курсору. Учитель видит только те, о которых сообщил сам. Фильтры: школа, класс, вид "
            "(`arrival`, `departure`), состояние (`reported`, `processed`, `confirmed`)."
        ),
        examples=[ROSTER_CHANGE_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Прибытие или выбытие",
        description="Запись вне области доступа отвечает 404.",
        examples=[ROSTER_CHANGE_EXAMPLE],
    ),
)
class RosterChangeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RosterChange.objects.none()  # the model, for the schema; requests read get_queryset
    serializer_class = RosterChangeSerializer
    ordering = "-pk"
    ordering_fields = ["id", "reported_at", "happened_on"]
    filterset_class = filterset_of(RosterChange, ["school", "school_class", "kind", "state"])

    def get_queryset(self):
        changes = RosterChange.objects.filter(school__in=api_schools(self.request).values("pk"))
        if self.request.user.role == User.Role.TEACHER:
            changes = changes.filter(reported_by=self.request.user)
        return changes.order_by("-pk")
