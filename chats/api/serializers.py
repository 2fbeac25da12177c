"""The chats app's API representations: a sync run as the sync page shows it, without its worker's details."""

from __future__ import annotations

from rest_framework import serializers

from chats.models import SyncRun


class SyncRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        # No token and no message text: a run stores neither; the worker's host and process stay internal.
        fields = [
            "id",
            "school",
            "backend",
            "status",
            "started_at",
            "finished_at",
            "duration_seconds",
            "since",
            "counts",
            "requests",
            "retries",
            "skipped_chats",
            "error",
            "held_removals",
            "held_reason",
            "confirm_removals",
            "confirmed_by",
            "confirmed_at",
            "chats_total",
            "chats_done",
            "messages_read",
        ]
