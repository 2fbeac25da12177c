"""The chats app's read endpoints: sync runs of the schools an administrator may read (404 outside; teachers none)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import viewsets

from chats.api.serializers import SyncRunSerializer
from chats.models import SyncRun
from classes.api.filters import filterset_of
from classes.api.scope import api_admin_schools

SYNC_RUN_EXAMPLE = OpenApiExample(
    "Синхронизация приостановлена",
    response_only=True,
    value={
        "id": 118,
        "school": 3,
        "backend": "vk",
        "status": "held",
        "started_at": "2026-11-19T07:00:00Z",
        "finished_at": "2026-11-19T07:04:12Z",
        "duration_seconds": 252.4,
        "since": "2026-09-01",
        "counts": {
            "chats": {"seen": 60, "added": 0, "skipped": [], "gone": []},
            "members": {"added": 3, "removed": 40},
            "accounts": {"linked": 2, "unlinked": 0, "ambiguous": 0},
            "messages": {"added": 412, "duplicates": 0},
            "skipped_items": [],
        },
        "requests": 140,
        "retries": 2,
        "skipped_chats": [],
        "error": "",
        "held_removals": 40,
        "held_reason": "40 of 60 memberships would end.",
        "confirm_removals": False,
        "confirmed_by": None,
        "confirmed_at": None,
        "chats_total": 60,
        "chats_done": 60,
        "messages_read": 412,
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="Синхронизации",
        description=(
            "Журнал синхронизаций со Сферумом школ, которые администратор видит, новые — первыми. Учителям — "
            "пусто. Токены и тексты сообщений не выдаются никогда. Фильтры: школа, статус "
            "(`queued`, `running`, `ok`, `held`, `failed`), источник."
        ),
        examples=[SYNC_RUN_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Синхронизация",
        description="Синхронизация школы вне области доступа (и любая — учителю) отвечает 404.",
        examples=[SYNC_RUN_EXAMPLE],
    ),
)
class SyncRunViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = SyncRun.objects.none()  # the model, for the schema; requests read get_queryset
    serializer_class = SyncRunSerializer
    ordering = "-pk"
    ordering_fields = ["id", "started_at"]
    filterset_class = filterset_of(SyncRun, ["school", "status", "backend"])

    def get_queryset(self):
        return SyncRun.objects.filter(school__in=api_admin_schools(self.request).values("pk")).order_by("-pk")
