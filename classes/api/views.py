"""The classes app's read endpoints: regions and municipalities of the request's scope (404 outside it)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from classes.api.scope import api_municipalities
from classes.api.scope import api_regions
from classes.api.serializers import MunicipalitySerializer
from classes.api.serializers import RegionSerializer
from classes.models import Municipality
from classes.models import Region


@extend_schema_view(
    list=extend_schema(summary="Регионы", description="Регион регионального администратора (другим ролям — пусто)."),
    retrieve=extend_schema(summary="Регион", description="Регион вне области доступа отвечает 404."),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.none()  # the model, for the OpenAPI description: get_queryset() reads the scope
    serializer_class = RegionSerializer
    ordering_fields = ["id", "code", "name"]
    filterset_fields = ["code"]

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
    filterset_fields = ["code", "region"]

    def get_queryset(self):
        return api_municipalities(self.request).order_by("pk")
