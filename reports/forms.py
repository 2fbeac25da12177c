"""Forms of the reports pages: the week range of the activity report, resolving and signing off a reconciliation,
the filter of the staff not activated."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from activation.staff_status import StaffReason
from classes.calendar import week_start
from reports.models import ReconciliationItem
from reports.selectors import week_mondays

MAX_WEEKS = 26


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
                ngettext(
                    "Choose at most %(weeks)d week at a time; narrow the range.",
                    "Choose at most %(weeks)d weeks at a time; narrow the range.",
                    MAX_WEEKS,
                )
                % {"weeks": MAX_WEEKS}
            )
        data["mondays"] = [start + timedelta(days=7 * offset) for offset in range((end - start).days // 7 + 1)]
        return data

    def mondays(self) -> list[date]:
        """Return the Mondays of the chosen weeks, or of the default weeks when the input is not valid."""
        if self.is_valid():
            return self.cleaned_data["mondays"]
        return week_mondays(last_week=self.last_week, weeks=self.default_weeks)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("How it was resolved"), choices=ReconciliationItem.Resolution.choices, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class BulkResolveForm(ResolveForm):
    """One resolution for every item ticked in the list (`items`: their ids)."""

    items = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, item_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(pk, pk) for pk in item_ids]
        self.fields["items"].error_messages["invalid_choice"] = _(
            "Some selected items are not in this reconciliation any more; reload the page. Nothing was changed."
        )


class SignOffForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked every item; the roster and Sferum agree as resolved above."),
        error_messages={"required": _("Tick the confirmation to sign the quarter off.")},
    )
    position = forms.CharField(
        label=_("Your position"),
        max_length=255,
        required=False,
        help_text=_("Printed under your name on the report, like «deputy head»."),
    )


class StaffNotActivatedFilterForm(forms.Form):
    """The staff-not-activated list: by reason, and a search in names and roster ids."""

    reason = forms.ChoiceField(label=_("Reason"), required=False)
    q = forms.CharField(label=_("Name or roster id"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("any reason"))] + [(r.value, r.label) for r in StaffReason]

    def values(self) -> dict[str, str]:
        """Return the valid filter values (reason, query), empty when the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return {"reason": "", "query": ""}
        return {"reason": self.cleaned_data["reason"], "query": self.cleaned_data["q"].strip()}
