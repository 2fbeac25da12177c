"""Filters of the reports pages: django-filter FilterSets (the forms are in reports/forms.py)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from classes.models import SchoolClass

CLASS_TEACHER_CHOICES = [("with", _("assigned")), ("without", _("missing"))]
CHATS_CHOICES = [
    ("missing", _("a chat is missing")),
    ("students", _("no students chat")),
    ("parents", _("no parents chat")),
    ("complete", _("both chats present")),
]
BELOW_TARGET_CHOICES = [
    ("any", _("below target")),
    ("students", _("students below target")),
    ("parents", _("parents below target")),
]


def _any_of(label, choices: list[tuple[str, str]], method: str) -> django_filters.ChoiceFilter:
    """Return a choice filter whose empty choice is «any», applied by the FilterSet's `method`."""
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=_("any"), method=method)


class SchoolClassFilter(django_filters.FilterSet):
    """The dashboard's classes table: by grade, class teacher, chats and activation below target.

    The queryset is `classes_of_day` (annotated with the chats); `below_target` depends on rates computed
    outside the database, so it leaves the queryset alone and the view applies it to the computed rows.
    """

    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=[(grade, str(grade)) for grade in range(1, 12)], empty_label=_("all grades")
    )
    class_teacher = _any_of(_("Class teacher"), CLASS_TEACHER_CHOICES, "filter_class_teacher")
    chats = _any_of(_("Chats"), CHATS_CHOICES, "filter_chats")
    below_target = _any_of(_("Activation"), BELOW_TARGET_CHOICES, "filter_nothing")

    class Meta:
        model = SchoolClass
        fields = ["grade"]

    def filter_class_teacher(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "with":
            return queryset.filter(class_teacher__isnull=False)
        if value == "without":
            return queryset.filter(class_teacher__isnull=True)
        return queryset

    def filter_chats(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        conditions = {
            "missing": Q(has_students_chat=False) | Q(has_parents_chat=False),
            "students": Q(has_students_chat=False),
            "parents": Q(has_parents_chat=False),
            "complete": Q(has_students_chat=True, has_parents_chat=True),
        }
        return queryset.filter(conditions[value]) if value in conditions else queryset

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset

    @property
    def below_target_value(self) -> str:
        """Return the valid `below_target` choice, or ""."""
        if self.form.is_valid():
            return self.form.cleaned_data.get("below_target") or ""
        return ""
