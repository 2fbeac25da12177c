"""The reports app's read endpoints, each within the request's scope (classes.api.scope; 404 outside it).

Lists read stored figures for a whole page in a fixed number of queries: the schools' latest summaries, the
classes' latest snapshots, the weekly rows of one week, the snapshots of a period, the reconciliations.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins
from rest_framework import viewsets

from classes import clock
from classes.api.filters import filterset_of
from classes.api.scope import api_admin_schools
from classes.api.scope import api_classes
from classes.api.scope import api_municipalities
from classes.api.scope import api_schools
from classes.calendar import last_complete_week
from classes.models import School
from classes.models import SchoolClass
from classes.models import User
from reports.api import examples
from reports.api.params import date_range_of_params
from reports.api.params import week_of_params
from reports.api.serializers import ActivationSnapshotSerializer
from reports.api.serializers import ClassSerializer
from reports.api.serializers import ReconciliationDetailSerializer
from reports.api.serializers import ReconciliationSerializer
from reports.api.serializers import SchoolSerializer
from reports.api.serializers import WeeklyActivitySerializer
from reports.models import ActivationSnapshot
from reports.models import Reconciliation
from reports.models import WeeklyActivity
from reports.selectors import class_snapshots_latest
from reports.selectors import school_figures_read


class PageContextMixin:
    """Build the serializer's context from the objects it shapes (a page, or the one object), in one go."""

    def page_context(self, objects: list) -> dict:
        return {}

    def get_serializer(self, *args, **kwargs):
        if args:
            objects = list(args[0]) if kwargs.get("many") else [args[0]]
            kwargs["context"] = {**self.get_serializer_context(), **self.page_context(objects)}
            return self.get_serializer_class()(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="Школы",
        description=(
            "Школы области доступа с текущими показателями из последней сохранённой сводки школы (ночной расчёт и "
            "каждая успешная синхронизация): активация сотрудников, учеников и родителей (числитель, знаменатель, "
            "доля, цель, достигнута ли), классы ниже цели, активные учителя последней завершённой недели; `as_of` — "
            "когда показатели рассчитаны. Пока сводки нет, показатели — null. Фильтры: муниципалитет, код."
        ),
        examples=[examples.SCHOOL],
    ),
    retrieve=extend_schema(
        summary="Школа", description="Школа вне области доступа отвечает 404.", examples=[examples.SCHOOL]
    ),
)
class SchoolViewSet(PageContextMixin, viewsets.ReadOnlyModelViewSet):
    queryset = School.objects.none()  # the model, for the schema; requests read get_queryset
    serializer_class = SchoolSerializer
    ordering = "pk"
    ordering_fields = ["id", "short_name", "code"]
    filterset_class = filterset_of(School, ["municipality", "code"])

    def get_queryset(self):
        return api_schools(self.request).order_by("pk")

    def page_context(self, objects: list) -> dict:
        return {"figures": school_figures_read(schools=objects)}


@extend_schema_view(
    list=extend_schema(
        summary="Классы",
        description=(
            "Классы области доступа (учителю — свои) с долями активированных учеников и родителей из последнего "
            "сохранённого ежедневного снимка класса: `rates_day` — день снимка (обычно сегодняшний или вчерашний "
            "день школы); без снимка доли — null. Фильтр: школа."
        ),
        examples=[examples.CLASS],
    ),
    retrieve=extend_schema(
        summary="Класс", description="Класс вне области доступа отвечает 404.", examples=[examples.CLASS]
    ),
)
class ClassViewSet(PageContextMixin, viewsets.ReadOnlyModelViewSet):
    queryset = SchoolClass.objects.none()
    serializer_class = ClassSerializer
    ordering = "pk"
    ordering_fields = ["id", "grade"]
    filterset_class = filterset_of(SchoolClass, ["school", "year", "grade"])

    def get_queryset(self):
        return api_classes(self.request).order_by("pk")

    def page_context(self, objects: list) -> dict:
        return {"snapshots": class_snapshots_latest(class_ids=[item.pk for item in objects])}


WEEK_PARAMETER = OpenApiParameter(
    "week",
    OpenApiTypes.STR,
    description="ISO-неделя вида 2026-W46; по умолчанию — последняя завершённая неделя.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Недельная активность учителей",
        description=(
            "Сохранённые итоги недели по учителям школ области доступа: сообщения, порог, статус, признаки "
            "подозрительной активности. Учитель видит только свою строку. Неделя без учебных дней не хранится "
            "(пустой список). Неверная неделя — 400 с объяснением формата."
        ),
        parameters=[WEEK_PARAMETER],
        examples=[examples.WEEKLY_ACTIVITY],
    ),
)
class WeeklyActivityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = WeeklyActivity.objects.none()
    serializer_class = WeeklyActivitySerializer
    ordering = "pk"
    ordering_fields = ["id", "messages"]
    filterset_class = filterset_of(WeeklyActivity, ["school", "status", "suspicious", "staff"])

    def get_queryset(self):
        week = week_of_params(self.request.query_params, default=last_complete_week(clock.today()))
        rows = WeeklyActivity.objects.filter(
            school__in=api_schools(self.request).values("pk"), week_start=week
        ).select_related("staff")
        if self.request.user.role == User.Role.TEACHER:
            rows = rows.filter(staff_id=self.request.user.staff_id)
        return rows.order_by("pk")


@extend_schema_view(
    list=extend_schema(
        summary="Снимки активации",
        description=(
            "Ежедневные снимки долей активации за период (`date_from`–`date_to` включительно; по умолчанию — "
            "последние 30 дней, не больше 366): строки классов и школ области доступа (учителю — его школы и его "
            "классов), строки муниципалитетов — муниципальному и региональному администратору. Фильтры: уровень "
            "(`scope`: `class`, `school`, `municipality`), школа, муниципалитет, группа."
        ),
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="Первый день периода."),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description="Последний день периода (по умолчанию сегодня)."
            ),
        ],
        examples=[examples.ACTIVATION_SNAPSHOT],
    ),
)
class ActivationSnapshotViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ActivationSnapshot.objects.none()
    serializer_class = ActivationSnapshotSerializer
    ordering = "pk"
    ordering_fields = ["id", "day"]
    filterset_class = filterset_of(ActivationSnapshot, ["scope", "school", "municipality", "school_class", "group"])

    def get_queryset(self):
        date_from, date_to = date_range_of_params(self.request.query_params, today=clock.today())
        Scope = ActivationSnapshot.Scope
        in_scope = (
            Q(scope=Scope.CLASS, school_class__in=api_classes(self.request).values("pk"))
            | Q(scope=Scope.SCHOOL, school__in=api_schools(self.request).values("pk"))
            | Q(scope=Scope.MUNICIPALITY, municipality__in=api_municipalities(self.request).values("pk"))
        )
        return ActivationSnapshot.objects.filter(in_scope, day__gte=date_from, day__lte=date_to).order_by("pk")


@extend_schema_view(
    list=extend_schema(
        summary="Сверки",
        description=(
            "Квартальные сверки списков со Сферумом в школах, которые администратор видит (учителям — пусто): "
            "статус, итоги, подписание. Позиции — в ответе по одной сверке. Фильтры: школа, квартал, статус."
        ),
        examples=[examples.RECONCILIATION],
    ),
    retrieve=extend_schema(
        summary="Сверка с позициями",
        description="Сверка со всеми её позициями; сверка вне области доступа (и любая — учителю) отвечает 404.",
        examples=[examples.RECONCILIATION_DETAIL],
    ),
)
class ReconciliationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Reconciliation.objects.none()
    ordering = "-pk"
    ordering_fields = ["id", "opened_at"]
    filterset_class = filterset_of(Reconciliation, ["school", "quarter", "status"])

    def get_serializer_class(self):
        return ReconciliationDetailSerializer if self.action == "retrieve" else ReconciliationSerializer

    def get_queryset(self):
        reconciliations = Reconciliation.objects.filter(school__in=api_admin_schools(self.request).values("pk"))
        if self.action == "retrieve":
            reconciliations = reconciliations.prefetch_related("items")
        return reconciliations.order_by("-pk")
