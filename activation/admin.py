from django.contrib import admin

from .models import InviteLink
from .models import SferumAccount
from .roles import ROLELESS_BACKENDS
from .roles import accounts_roles_derive


@admin.register(SferumAccount)
class SferumAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "role_code", "status", "staff", "student", "parent", "link_manual"]
    list_filter = ["school", "backend", "status", "role_code", "link_manual"]
    search_fields = ["last_name", "first_name", "platform_user_id"]
    list_select_related = ["school", "staff", "student", "parent"]
    autocomplete_fields = ["staff", "student", "parent"]

    def save_model(self, request, obj, form, change):
        """Save the account; on a platform without roles (MAX) its role follows the person linked at once."""
        super().save_model(request, obj, form, change)
        if obj.backend in ROLELESS_BACKENDS:
            accounts_roles_derive(school=obj.school)


@admin.register(InviteLink)
class InviteLinkAdmin(admin.ModelAdmin):
    list_display = ["school_class", "audience", "url", "expires_at", "created_by", "created_at"]
    list_filter = ["audience"]
    list_select_related = ["school_class", "created_by"]
