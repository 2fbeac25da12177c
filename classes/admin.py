from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import clock
from .admin_mixins import NoAddMixin
from .admin_mixins import NoEditMixin
from .admin_mixins import NoWriteMixin
from .admin_mixins import tabular_inline
from .api_tokens import api_token_revoke
from .logins import login_activation_record
from .logins import staff_logins_follow_employment
from .models import THRESHOLD_FIELDS
from .models import AcademicYear
from .models import ApiToken
from .models import AuditEntry
from .models import Enrollment
from .models import HelpRequest
from .models import Holiday
from .models import Municipality
from .models import Parent
from .models import Quarter
from .models import Region
from .models import RosterChange
from .models import RosterImport
from .models import RosterMapping
from .models import RosterUpload
from .models import School
from .models import SchoolClass
from .models import Staff
from .models import StaffAbsence
from .models import Student
from .models import TeachingAssignment
from .models import User
from .services import SCHOOL_PROFILE_FIELDS
from .services import calendar_entry_delete
from .services import calendar_entry_save
from .settings_changes import scope_settings_save


class ScopeSettingsAudited:
    """A region's, municipality's or school's admin: a save is audited with the settings it changed."""

    def save_model(self, request, obj, form, change):
        scope_settings_save(scope=obj, user=request.user)


class CalendarAudited:
    """A calendar entry's admin (academic year, quarter, holiday, absence): each save or delete is audited."""

    def save_model(self, request, obj, form, change):
        calendar_entry_save(entry=obj, user=request.user)

    def delete_model(self, request, obj):
        calendar_entry_delete(entry=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for entry in queryset:
                calendar_entry_delete(entry=entry, user=request.user)

    def save_formset(self, request, form, formset, change):
        entries = formset.save(commit=False)
        for entry in formset.deleted_objects:
            calendar_entry_delete(entry=entry, user=request.user)
        for entry in entries:
            calendar_entry_save(entry=entry, user=request.user)
        formset.save_m2m()


@admin.register(Region)
class RegionAdmin(ScopeSettingsAudited, admin.ModelAdmin):
    # The thresholds come from an abstract model, so name the order the form shows.
    fields = ["code", "name", *THRESHOLD_FIELDS]
    list_display = ["name", "code", "activity_threshold", "staff_target", "students_target", "parents_target"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(ScopeSettingsAudited, admin.ModelAdmin):
    # Empty thresholds follow the region (or the built-in values without one).
    fields = ["region", "code", "name", *THRESHOLD_FIELDS]
    list_display = ["name", "code", "region", "activity_threshold", "staff_target", "students_target"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]


@admin.register(School)
class SchoolAdmin(ScopeSettingsAudited, admin.ModelAdmin):
    fields = ["municipality", "code", *SCHOOL_PROFILE_FIELDS, "roster_change_overdue_days", "help_request_overdue_days"]
    list_display = ["short_name", "code", "municipality", "timezone"]
    list_filter = ["municipality"]
    search_fields = ["short_name", "full_name", "code"]
    list_select_related = ["municipality"]


@admin.register(AcademicYear)
class AcademicYearAdmin(CalendarAudited, admin.ModelAdmin):
    list_display = ["name", "school", "starts_on", "ends_on"]
    list_filter = ["school"]
    list_select_related = ["school"]
    inlines = [tabular_inline(Quarter), tabular_inline(Holiday)]


@admin.register(Quarter)
class QuarterAdmin(CalendarAudited, admin.ModelAdmin):
    list_display = ["__str__", "year", "starts_on", "ends_on"]
    list_select_related = ["year__school"]


@admin.register(Holiday)
class HolidayAdmin(CalendarAudited, admin.ModelAdmin):
    list_display = ["name", "year", "starts_on", "ends_on"]
    list_select_related = ["year__school"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "year", "class_teacher"]
    list_filter = ["school", "grade"]
    list_select_related = ["school", "year", "class_teacher"]
    autocomplete_fields = ["class_teacher"]
    inlines = [tabular_inline(TeachingAssignment, autocomplete_fields=["staff"])]


class PersonAdmin(admin.ModelAdmin):
    """A person of a school's roster (staff, student, parent): found by name or person id, filtered by school."""

    list_display = ["full_name", "person_id", "school"]
    list_filter = ["school"]
    search_fields = ["last_name", "first_name", "person_id"]
    list_select_related = ["school"]


@admin.register(Staff)
class StaffAdmin(PersonAdmin):
    list_display = [*PersonAdmin.list_display, "position", "teaches", "employed_from", "employed_to"]
    list_filter = [*PersonAdmin.list_filter, "teaches"]

    def save_model(self, request, obj, form, change) -> None:
        """Save the staff member; their login follows a change of employment (deactivated or reactivated)."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and {"employed_from", "employed_to"} & set(form.changed_data):
                staff_logins_follow_employment(
                    staff=obj, on=clock.today(obj.school.tz), by=request.user, source=gettext("the admin site")
                )


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["school_class", "subject", "staff"]
    list_select_related = ["school_class", "staff"]
    autocomplete_fields = ["staff"]


@admin.register(Student)
class StudentAdmin(PersonAdmin):
    list_display = [*PersonAdmin.list_display, "birth_date"]
    inlines = [tabular_inline(Enrollment)]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["student", "school_class", "starts_on", "ends_on"]
    list_select_related = ["student", "school_class"]
    autocomplete_fields = ["student"]


@admin.register(Parent)
class ParentAdmin(PersonAdmin):
    list_display = [*PersonAdmin.list_display, "left_on"]
    autocomplete_fields = ["children"]


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(CalendarAudited, admin.ModelAdmin):
    list_display = ["staff", "kind", "starts_on", "ends_on"]
    list_select_related = ["staff"]
    autocomplete_fields = ["staff"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "region", "municipality", "school", "staff", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["municipality", "school", "staff"]
    autocomplete_fields = ["staff"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role"), {"fields": ["role", "region", "municipality", "school", "staff"]}),
    )

    def save_model(self, request, obj, form, change) -> None:
        """Save the login; activating or deactivating it by hand goes to the audit log."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "is_active" in form.changed_data:
                login_activation_record(login=obj, by=request.user)


@admin.register(RosterImport)
class RosterImportAdmin(NoAddMixin, admin.ModelAdmin):
    list_display = ["created_at", "school", "file_name", "status", "user"]
    list_filter = ["status", "school"]
    list_select_related = ["school", "user"]
    readonly_fields = ["school", "user", "created_at", "file_name", "file_hash", "status", "counts", "errors"]


@admin.register(AuditEntry)
class AuditEntryAdmin(NoWriteMixin, admin.ModelAdmin):
    list_display = ["created_at", "username", "action", "school", "rows", "address", "description"]
    list_filter = ["action", "school"]
    date_hierarchy = "created_at"


@admin.register(ApiToken)
class ApiTokenAdmin(NoWriteMixin, admin.ModelAdmin):
    """Personal API tokens: created on their owners' page (the secret shown there once); revoked here, audited."""

    list_display = ["prefix", "name", "user", "school", "municipality", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user", "school", "municipality"]
    search_fields = ["prefix", "name", "user__username"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at=None):
            api_token_revoke(token=token, by=request.user)


@admin.register(RosterMapping)
class RosterMappingAdmin(admin.ModelAdmin):
    list_display = ["school", "updated_at", "updated_by"]
    list_select_related = ["school", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(RosterChange)
class RosterChangeAdmin(admin.ModelAdmin):
    list_display = ["reported_at", "school_class", "kind", "last_name", "first_name", "happened_on", "state"]
    list_filter = ["state", "kind", "school"]
    list_select_related = ["school_class", "school"]
    search_fields = ["last_name", "first_name", "student__person_id"]
    date_hierarchy = "reported_at"
    raw_id_fields = ["student", "school_class", "reported_by", "processed_by", "confirmed_by"]


@admin.register(RosterUpload)
class RosterUploadAdmin(NoEditMixin, admin.ModelAdmin):
    """Files staged in the upload page, waiting for their preview to be confirmed (file and preview not shown)."""

    list_display = ["school", "file_name", "user", "created_at"]
    list_select_related = ["school", "user"]
    exclude = ["content", "headers", "preview"]  # the file and the names its preview shows


@admin.register(HelpRequest)
class HelpRequestAdmin(NoWriteMixin, admin.ModelAdmin):
    """Shown only: a request is asked, answered and closed on the app's pages, where each step is audited."""

    list_display = ["asked_at", "school", "topic", "state", "asked_by", "closed_at"]
    list_filter = ["state", "topic", "school"]
    list_select_related = ["school", "asked_by"]
    date_hierarchy = "asked_at"
    raw_id_fields = ["asked_by", "answered_by", "closed_by"]
