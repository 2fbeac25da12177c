"""Forms of the roster pages: the upload, the column mapping, the import, arrivals and departures."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classes.roster.columns import COLUMNS
from classes.tabular.limits import TableLimitError, size_check, table_limits


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV or XLSX)"),
        help_text=_("The full roster of the school: staff, students and parents, one header row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            size_check(size=upload.size, limits=table_limits())
        except TableLimitError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def column_choices() -> list[tuple[str, str]]:
    return [("", _("— not imported —"))] + [(column.key, f"{column.key} ({column.russian})") for column in COLUMNS]


class ColumnMappingForm(forms.Form):
    """One select per header of the file: the roster column it holds (guessed where it can be)."""

    def __init__(self, *args, headers: list[str], initial_columns: list[str], recognised: list[bool], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.recognised = recognised
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("(column %(number)d without a header)") % {"number": index + 1},
                choices=column_choices(),
                required=False,
                initial=initial_columns[index],
            )

    def rows(self):
        """Yield (header, bound field, recognised) for the template."""
        for index, header in enumerate(self.headers):
            yield header, self[f"column_{index}"], self.recognised[index]

    def chosen(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{index}", "") for index in range(len(self.headers))]


class RosterImportForm(forms.Form):
    as_of = forms.DateField(
        label=_("The file shows the school on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Arrivals and departures are dated from this day; leave it empty for today. "
            "A day of this academic year, not in the future."
        ),
    )
    confirm_removals = forms.BooleanField(
        label=_("I have checked the file: these people really leave the school."),
        required=False,
    )


class DepartureForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    happened_on = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Reason"), max_length=255, help_text=_("Like «moved to school No. 7» or «moved to another city».")
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = {student.pk: student for student in students}
        self.fields["student"].choices = [("", _("— choose —"))] + [
            (student.pk, student.full_name) for student in students
        ]


class ArrivalForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    happened_on = forms.DateField(
        label=_("Arrived on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ProcessForm(forms.Form):
    changed_in_sferum = forms.BooleanField(label=_("Changed in Sferum"), required=False)
    changed_in_roster = forms.BooleanField(label=_("Changed in the roster"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("changed_in_sferum") or data.get("changed_in_roster")):
            raise forms.ValidationError(_("Tick what you changed: Sferum, the roster, or both."))
        return data
