from django.contrib import admin

from .models import Chat, ChatMembership, Message


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "backend", "platform_id", "kind", "school_class", "mapping_confirmed"]
    list_filter = ["school", "backend", "kind", "mapping_confirmed"]
    search_fields = ["title", "platform_id"]
    list_select_related = ["school", "school_class"]


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
