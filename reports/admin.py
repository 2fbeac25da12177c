from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from classes.admin_mixins import NoEditMixin
from classes.admin_mixins import NoWriteMixin
from classes.admin_mixins import SignedOffLockedMixin
from classes.dates import quarter_label_text
from classes.dates import week_text

from .models import ActivationSnapshot
from .models import Instruction
from .models import InstructionTarget
from .models import Reconciliation
from .models import ReconciliationItem
from .models import SchoolSummary
from .models import WeeklyActivity
from .selectors import teacher_week_messages


@admin.register(WeeklyActivity)
class WeeklyActivityAdmin(NoEditMixin, admin.ModelAdmin):
    """A teacher's week: the count, the status, the flag and, on the page, the counted messages."""

    list_display = ["staff", "school", "week_display", "messages", "threshold", "status", "suspicious", "has_account"]
    list_filter = ["status", "suspicious", "has_account", "school", "week_start"]
    list_select_related = ["staff", "school"]
    search_fields = ["staff__last_name", "staff__first_name", "staff__person_id"]
    date_hierarchy = "week_start"
    # Every stored field is read-only (the weekly job writes them), and the page adds the counted messages.
    readonly_fields = [
        *(field.name for field in WeeklyActivity._meta.concrete_fields if not field.primary_key),
        "counted_messages",
    ]

    @admin.display(description=_("week"), ordering="week_start")
    def week_display(self, obj: WeeklyActivity) -> str:
        return week_text(obj.week_start)

    @admin.display(description=_("counted messages (date, chat, kind; never text)"))
    def counted_messages(self, obj: WeeklyActivity) -> str:
        rows = teacher_week_messages(staff=obj.staff, week_start=obj.week_start)
        return format_html_join(
            "\n",
            "<div>{} · {} ({}) · {}{}{}{}</div>",
            (
                (
                    row["sent_at"].astimezone(obj.school.tz).strftime("%d.%m.%Y %H:%M:%S"),
                    row["chat__title"] or row["chat_id"],
                    row["chat__kind"],
                    row["kind"],
                    " · " + str(_("emoji only")) if row["emoji_only"] else "",
                    " · " + str(_("near-duplicate")) if row["near_duplicate"] else "",
                    " · " + str(_("in a burst")) if row["in_burst"] else "",
                )
                for row in rows
            ),
        )


@admin.register(ActivationSnapshot)
class ActivationSnapshotAdmin(NoEditMixin, admin.ModelAdmin):
    list_display = [
        "day",
        "scope",
        "municipality",
        "school",
        "school_class",
        "group",
        "numerator",
        "denominator",
        "target",
        "passes",
    ]
    list_filter = ["scope", "group", "passes", "day", "municipality"]
    list_select_related = ["municipality", "school", "school_class"]
    date_hierarchy = "day"


@admin.register(SchoolSummary)
class SchoolSummaryAdmin(NoEditMixin, admin.ModelAdmin):
    """A school's stored figures of a day, as the overviews read them (the nightly job writes them)."""

    list_display = [
        "day",
        "school",
        "municipality",
        "staff_numerator",
        "staff_denominator",
        "students_numerator",
        "students_denominator",
        "parents_numerator",
        "parents_denominator",
        "below_target_any",
        "teachers_active",
        "teachers_evaluated",
        "computed_at",
    ]
    list_filter = ["day", "municipality"]
    list_select_related = ["school", "municipality"]
    date_hierarchy = "day"


class ReconciliationItemInline(SignedOffLockedMixin, admin.TabularInline):
    model = ReconciliationItem
    extra = 0
    fields = [
        "category",
        "role",
        "person_id",
        "name",
        "roster_class",
        "sferum_class",
        "sferum_user_id",
        "note",
        "resolution",
        "resolution_note",
        "resolved_by_name",
        "resolved_at",
    ]
    # The resolution is the one thing the inline edits (until the reconciliation is signed off).
    readonly_fields = [name for name in fields if name not in ("resolution", "resolution_note")]


@admin.register(Reconciliation)
class ReconciliationAdmin(SignedOffLockedMixin, admin.ModelAdmin):
    """Quarterly reconciliations; a signed-off one is read-only and cannot be deleted."""

    list_display = ["quarter_display", "school_name", "status", "computed_at", "signed_by_name", "signed_at"]
    list_filter = ["status", "school"]
    list_select_related = ["school"]
    search_fields = ["school_name", "quarter_label"]

    @admin.display(description=_("quarter"), ordering="quarter_label")
    def quarter_display(self, obj: Reconciliation) -> str:
        return quarter_label_text(obj.quarter_label)

    readonly_fields = [
        "school",
        "quarter",
        "quarter_label",
        "school_name",
        "opened_at",
        "notified_at",
        "computed_at",
        "source",
        "summary",
        "signed_by",
        "signed_by_name",
        "signed_at",
    ]
    inlines = [ReconciliationItemInline]

    def delete_queryset(self, request, queryset) -> None:
        """Delete the chosen reconciliations that are not signed off; a signed-off one is kept."""
        queryset.exclude(status=Reconciliation.Status.SIGNED_OFF).delete()


@admin.register(ReconciliationItem)
class ReconciliationItemAdmin(NoWriteMixin, admin.ModelAdmin):
    """Every item of every reconciliation, to search; items are worked in the reconciliation page."""

    list_display = ["reconciliation", "category", "role", "person_id", "name", "roster_class", "sferum_class"]
    list_filter = ["category", "role", "resolution"]
    list_select_related = ["reconciliation"]
    search_fields = ["name", "person_id"]


# Instructions of a municipal or regional administrator to schools: changed only on their pages (each change audited).
@admin.register(Instruction)
class InstructionAdmin(NoEditMixin, admin.ModelAdmin):
    list_display = ["title", "municipality", "region", "deadline", "created_at", "reminders"]
    list_filter = ["municipality", "region", "deadline"]
    list_select_related = ["municipality", "region"]
    search_fields = ["title"]
    date_hierarchy = "created_at"


@admin.register(InstructionTarget)
class InstructionTargetAdmin(NoWriteMixin, admin.ModelAdmin):
    list_display = ["instruction", "school", "read_at", "done_at"]
    list_filter = ["school"]
    list_select_related = ["instruction", "school"]
