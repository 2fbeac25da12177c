from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self) -> None:
        # The chats layer says when a school's first sync succeeded; the weekly history is built then.
        from chats.horizon import history_ready
        from chats.horizon import sync_succeeded
        from reports.tasks import history_ready_received
        from reports.tasks import sync_succeeded_received

        history_ready.connect(history_ready_received, dispatch_uid="reports.weekly_history_build")
        # Every successful sync refreshes the school's stored summary, which the overviews read.
        sync_succeeded.connect(sync_succeeded_received, dispatch_uid="reports.school_summaries_build")
        # Stored weeks follow the school calendar: an absence or holidays changed later rebuild the weeks touched.
        from reports.calendar_refresh import calendar_signals_connect

        calendar_signals_connect()
