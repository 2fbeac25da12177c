"""Permission mixins for the Django admin pages of records the app itself writes (imports, logs, computed rows),
and a plain tabular inline.

Put the mixin before `admin.ModelAdmin` (or `admin.TabularInline`) in the class's bases.
"""

from django.contrib import admin


def tabular_inline(model, **options) -> type[admin.TabularInline]:
    """Return a tabular inline of the model with no blank rows (options are the inline's other attributes)."""
    return type(f"{model.__name__}Inline", (admin.TabularInline,), {"model": model, "extra": 0, **options})


class NoAddMixin:
    """The admin shows and edits the records but never creates one: the app does."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class NoEditMixin(NoAddMixin):
    """The admin shows (and may delete) the records but neither creates nor changes one."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class NoWriteMixin(NoEditMixin):
    """The admin only shows the records: no creating, changing or deleting."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SignedOffLockedMixin(NoAddMixin):
    """A signed-off reconciliation (the object, or an inline's parent) can be neither changed nor deleted."""

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.signed_off

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.signed_off
