"""The chat registry's filters (the registry page and its export share them)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy

from classes.models import School

from .mapping import classes_for_mapping
from .models import Chat


class ChatRegistryFilter(django_filters.FilterSet):
    """The chat registry: by title, kind, class and whether the mapping is confirmed."""

    title = django_filters.CharFilter(label=gettext_lazy("Title contains"), lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), choices=Chat.Kind.choices, empty_label=gettext_lazy("any")
    )
    school_class = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Class"), queryset=None, empty_label=gettext_lazy("any")
    )
    mapping = django_filters.ChoiceFilter(
        label=gettext_lazy("Class and kind"),
        choices=[("proposed", gettext_lazy("proposed")), ("confirmed", gettext_lazy("confirmed"))],
        empty_label=gettext_lazy("any"),
        method="filter_mapping",
    )

    class Meta:
        model = Chat
        fields = ["title", "kind", "school_class"]

    def __init__(self, *args, school: School, day, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["school_class"].queryset = classes_for_mapping(school=school, day=day)

    def filter_mapping(self, queryset, name: str, value: str):
        if value == "proposed":
            return queryset.filter(mapping_confirmed=False)
        if value == "confirmed":
            return queryset.filter(mapping_confirmed=True)
        return queryset
