from django.contrib import admin

from .manual_links import account_save_audited
from .models import InviteLink
from .models import SferumAccount


@admin.register(SferumAccount)
class SferumAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "role_code", "status", "staff", "student", "parent", "link_manual"]
    list_filter = ["school", "backend", "status", "role_code", "link_manual"]
    search_fields = ["last_name", "first_name", "platform_user_id"]
    list_select_related = ["school", "staff", "student", "parent"]
    autocomplete_fields = ["staff", "student", "parent"]

    def save_model(self, request, obj, form, change):
        """Save the account, a link or unlink by hand audited; without roles (MAX) its role follows the person."""
        account_save_audited(account=obj, user=request.user)


@admin.register(InviteLink)
class InviteLinkAdmin(admin.ModelAdmin):
    list_display = ["school_class", "audience", "url", "expires_at", "created_by", "created_at"]
    list_filter = ["audience"]
    list_select_related = ["school_class", "created_by"]
