"""The sync endpoints' representations: a queued run's address and state, what a held run's confirmation takes.

Only shapes: the sync page's HoldReleaseForm validates the confirmation; the request serializer documents it.
"""

from __future__ import annotations

from rest_framework import serializers

from chats.models import SyncRun


def sync_run_url(run: SyncRun) -> str:
    """Return the API address of the run (its GET endpoint: /api/v1/sync-runs/{id}/)."""
    return f"/api/v1/sync-runs/{run.pk}/"


class SyncRunQueuedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Адрес запуска: его ход и итог.")

    class Meta:
        model = SyncRun
        fields = ["id", "url", "school", "status", "started_at"]
        read_only_fields = fields

    def get_url(self, run: SyncRun) -> str:
        return sync_run_url(run)


class SyncConfirmRequestSerializer(serializers.Serializer):
    removals_typed = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Число членств, которые закончатся, когда заканчивается больше половины (как на странице).",
    )
