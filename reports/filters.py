"""Filters of the reports pages: django-filter FilterSets and the week-range form of the activity report."""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from classes.calendar import week_start
from classes.models import SchoolClass

MAX_WEEKS = 26


class SchoolClassFilter(django_filters.FilterSet):
    """The dashboard's classes table: by grade, class teacher, chats and activation below target.

    The queryset is `classes_of_day` (annotated with the chats); `below_target` depends on rates computed
    outside the database, so it leaves the queryset alone and the view applies it to the computed rows.
    """

    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=[(grade, str(grade)) for grade in range(1, 12)], empty_label=_("all grades")
    )
    class_teacher = django_filters.ChoiceFilter(
        label=_("Class teacher"),
        choices=[("with", _("assigned")), ("without", _("missing"))],
        empty_label=_("any"),
        method="filter_class_teacher",
    )
    chats = django_filters.ChoiceFilter(
        label=_("Chats"),
        choices=[
            ("missing", _("a chat is missing")),
            ("students", _("no students chat")),
            ("parents", _("no parents chat")),
            ("complete", _("both chats present")),
        ],
        empty_label=_("any"),
        method="filter_chats",
    )
    below_target = django_filters.ChoiceFilter(
        label=_("Activation"),
        choices=[
            ("any", _("below target")),
            ("students", _("students below target")),
            ("parents", _("parents below target")),
        ],
        empty_label=_("any"),
        method="filter_nothing",
    )

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


class WeekRangeForm(forms.Form):
    """A range of ISO weeks given by two days (each stands for its week); at most MAX_WEEKS weeks."""

    date_from = forms.DateField(
        label=_("From the week of"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To the week of"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, last_week: date, default_weeks: int = 8, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.last_week = week_start(last_week)
        self.default_weeks = default_weeks
        if not self.is_bound:
            self.initial.setdefault("date_from", self.last_week - timedelta(days=7 * (default_weeks - 1)))
            self.initial.setdefault("date_to", self.last_week)

    def clean(self) -> dict:
        data = super().clean()
        end = week_start(data.get("date_to") or self.last_week)
        start = week_start(data.get("date_from") or end - timedelta(days=7 * (self.default_weeks - 1)))
        if start > end:
            raise forms.ValidationError(_("The first week comes after the last one; swap the dates."))
        if (end - start).days // 7 + 1 > MAX_WEEKS:
            raise forms.ValidationError(
                _("Choose at most %(weeks)d weeks at a time; narrow the range.") % {"weeks": MAX_WEEKS}
            )
        data["mondays"] = [start + timedelta(days=7 * offset) for offset in range((end - start).days // 7 + 1)]
        return data

    def mondays(self) -> list[date]:
        """Return the Mondays of the chosen weeks, or of the default weeks when the input is not valid."""
        if self.is_valid():
            return self.cleaned_data["mondays"]
        return [self.last_week - timedelta(days=7 * offset) for offset in range(self.default_weeks - 1, -1, -1)]
