from django.contrib import admin
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from classes.admin_mixins import NoEditMixin

from .integrations import integration_settings_save
from .models import Chat
from .models import ChatMembership
from .models import Integration
from .models import Message
from .models import ReportedActivity
from .models import SyncRun
from .tasks import sync_held_confirm_task


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "backend", "platform_id", "kind", "school_class", "mapping_confirmed"]
    list_filter = ["school", "backend", "kind", "mapping_confirmed"]
    search_fields = ["title", "platform_id"]
    list_select_related = ["school", "school_class"]
    readonly_fields = ["history_from", "history_from_start"]  # recorded by the sync (chats.horizon)


@admin.register(ChatMembership)
class ChatMembershipAdmin(admin.ModelAdmin):
    list_display = ["chat", "account", "joined_at", "left_at", "is_admin"]
    list_filter = ["is_admin"]
    list_select_related = ["chat", "account"]
    raw_id_fields = ["chat", "account"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Metadata only: there is no message text to show."""

    list_display = ["chat", "platform_id", "author", "sent_at", "kind", "text_length", "emoji_only"]
    list_filter = ["kind", "emoji_only", "from_bot"]
    list_select_related = ["chat", "author"]
    raw_id_fields = ["chat", "author"]
    date_hierarchy = "sent_at"


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """The token is never shown; set it with the sferum_connect command."""

    list_display = ["school", "backend", "base_url", "has_token", "rps", "enabled", "history_from", "updated_at"]
    list_filter = ["backend", "enabled"]
    list_select_related = ["school"]
    readonly_fields = ["has_token", "history_from", "created_at", "updated_at"]

    @admin.display(boolean=True, description=_("token stored"))
    def has_token(self, obj: Integration) -> bool:
        return obj.has_token

    def save_model(self, request, obj, form, change):
        """Save the integration, its changed settings audited (settings.integration)."""
        integration_settings_save(integration=obj, user=request.user)


@admin.register(SyncRun)
class SyncRunAdmin(NoEditMixin, admin.ModelAdmin):
    list_display = ["school", "backend", "status", "started_at", "duration_seconds", "requests", "retries"]
    list_filter = ["status", "backend", "school"]
    list_select_related = ["school"]
    date_hierarchy = "started_at"
    actions = ["confirm_removals"]

    @admin.action(description=_("Confirm the held removals and sync again"))
    def confirm_removals(self, request, queryset) -> None:
        runs = list(queryset.filter(status=SyncRun.Status.HELD, confirmed_at__isnull=True).select_related("school"))
        for run in runs:
            sync_held_confirm_task.delay_on_commit(run.pk, request.user.pk)
        self.message_user(
            request,
            _("%(count)d held syncs queued with their removals confirmed; the sync log shows how they end.")
            % {"count": len(runs)},
            messages.SUCCESS,
        )


@admin.register(ReportedActivity)
class ReportedActivityAdmin(admin.ModelAdmin):
    """Weekly message counts imported from activity reports."""

    list_display = ["staff", "school", "week_start", "messages", "source_file", "imported_at"]
    list_filter = ["school", "week_start"]
    search_fields = ["staff__last_name", "staff__first_name", "source_file"]
    list_select_related = ["school", "staff"]
    raw_id_fields = ["staff"]
    date_hierarchy = "week_start"
