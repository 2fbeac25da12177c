"""Forms of the classes app's pages: creating a year's classes, a class's teachers, the school profile, and the
roster pages' (the upload, the column mapping, the import, arrivals and departures)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes.dates import RUSSIAN_ZONES
from classes.dates import timezone_text
from classes.holds import removals_need_typed_count
from classes.models import AcademicYear
from classes.models import School
from classes.roster.columns import COLUMNS
from classes.tabular.limits import TableLimitError
from classes.tabular.limits import size_check
from classes.tabular.limits import table_limits

NEXT_YEAR = "next"


class ClassesCreateForm(forms.Form):
    year = forms.ChoiceField(label=gettext_lazy("Academic year"))
    grades = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Grades"),
        choices=[(grade, str(grade)) for grade in range(1, 12)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    letters = forms.CharField(
        label=gettext_lazy("Letters"),
        max_length=20,
        initial="АБВ",
        help_text=gettext_lazy("Cyrillic capitals together, like АБВ: each grade gets a class for each letter."),
    )

    def __init__(self, *args, years: list[AcademicYear], next_year_name: str | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(year.pk), year.name) for year in years]
        if next_year_name:
            choices.append((NEXT_YEAR, _("%(name)s (new: created with the usual quarters)") % {"name": next_year_name}))
        self.fields["year"].choices = choices


class ClassTeacherForm(forms.Form):
    class_teacher = forms.TypedChoiceField(
        label=gettext_lazy("Class teacher"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, staff_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["class_teacher"].choices = [("", _("no class teacher")), *staff_choices]


class AssignmentForm(forms.Form):
    staff = forms.TypedChoiceField(label=gettext_lazy("Teacher"), coerce=int, required=False, empty_value=None)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=150, required=False)

    def __init__(self, *args, staff_choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "—"), *staff_choices]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("staff") and not (data.get("subject") or "").strip():
            self.add_error("subject", _("Give the subject this teacher teaches in the class."))
        if (data.get("subject") or "").strip() and not data.get("staff"):
            self.add_error("staff", _("Choose the teacher of this subject."))
        return data


AssignmentFormSet = forms.formset_factory(AssignmentForm, extra=3, can_delete=True)


PERCENT = Decimal("0.01")


def _percent_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2)


class SchoolProfileForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=500)
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=255)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=500, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    contacts = forms.CharField(
        label=gettext_lazy("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Phones, e-mail, the reception hours: as parents and the municipality should see them."),
    )
    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    activity_threshold = forms.IntegerField(
        label=gettext_lazy("Messages a week for an active teacher"), required=False, min_value=1, max_value=100
    )
    staff_target = _percent_field(gettext_lazy("Staff activation target, %"))
    students_target = _percent_field(gettext_lazy("Students activation target, %"))
    parents_target = _percent_field(gettext_lazy("Parents activation target, %"))
    short_week_scaling = forms.TypedChoiceField(
        label=gettext_lazy("Short weeks (after holidays) ask for fewer messages"),
        choices=[("", ""), ("on", gettext_lazy("Yes")), ("off", gettext_lazy("No"))],
        coerce=lambda value: value == "on",
        empty_value=None,
        required=False,
        help_text=gettext_lazy("A week of 3 school days asks for ceil(threshold × 3 ÷ 5) messages."),
    )

    def __init__(self, *args, school: School, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zones = list(RUSSIAN_ZONES)  # a school's own zone is offered too if it is another one
        if school.timezone not in zones:
            zones.insert(0, school.timezone)
        self.fields["timezone"].choices = [(zone, timezone_text(zone)) for zone in zones]
        municipality = school.municipality
        inherit = _("Leave empty to follow the municipality: %(value)s.")
        self.fields["activity_threshold"].help_text = inherit % {"value": municipality.effective_activity_threshold}
        for name in ("staff_target", "students_target", "parents_target"):
            value = (municipality.effective(name) * 100).quantize(PERCENT, ROUND_HALF_UP)
            self.fields[name].help_text = inherit % {"value": f"{value} %"}
        inherited = _("yes") if municipality.effective_short_week_scaling else _("no")
        self.fields["short_week_scaling"].choices = [
            ("", _("As the municipality: %(value)s") % {"value": inherited}),
            *self.fields["short_week_scaling"].choices[1:],
        ]

    def school_fields(self) -> list:
        return [self[name] for name in ("full_name", "short_name", "address", "timezone", "description", "contacts")]

    def threshold_fields(self) -> list:
        names = ("activity_threshold", "short_week_scaling", "staff_target", "students_target", "parents_target")
        return [self[name] for name in names]

    @staticmethod
    def initial_for(school: School) -> dict:
        initial = {name: getattr(school, name) for name in ("full_name", "short_name", "address", "description")}
        initial.update({"contacts": school.contacts, "timezone": school.timezone})
        initial["activity_threshold"] = school.activity_threshold
        initial["short_week_scaling"] = {True: "on", False: "off"}.get(school.short_week_scaling, "")
        for name in ("staff_target", "students_target", "parents_target"):
            value = getattr(school, name)
            initial[name] = (value * 100).quantize(PERCENT, ROUND_HALF_UP) if value is not None else None
        return initial

    def profile_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("staff_target", "students_target", "parents_target"):
            value = data[name]
            data[name] = (value / 100).quantize(Decimal("0.0001"), ROUND_HALF_UP) if value is not None else None
        return data


# ---------------------------------------------------------------------------
# The roster pages
# ---------------------------------------------------------------------------


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (CSV or XLSX)"),
        help_text=gettext_lazy("The full roster of the school: staff, students and parents, one header row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            size_check(size=upload.size, limits=table_limits())
        except TableLimitError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def column_choices() -> list[tuple[str, str]]:
    """Return the roster columns to choose from, by their Russian names (the file's headers), «not imported» first."""
    return [("", gettext_lazy("— not imported —"))] + [(column.key, column.russian) for column in COLUMNS]


class ColumnMappingForm(forms.Form):
    """One select per header of the file: the roster column it holds (guessed where it can be)."""

    def __init__(self, *args, headers: list[str], initial_columns: list[str], recognised: list[bool], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.recognised = recognised
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or gettext_lazy("(column %(number)d without a header)") % {"number": index + 1},
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


def typed_count_field(*, label, help_text) -> forms.IntegerField:
    """Return the field where an administrator types how many people a released hold removes (classes.holds)."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class RosterImportForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("The file shows the school on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Arrivals and departures are dated from this day; leave it empty for today. "
            "A day of this academic year, not in the future."
        ),
    )
    confirm_removals = forms.BooleanField(
        label=gettext_lazy("I have checked the file: these people really leave the school."),
        required=False,
    )
    removals_typed = typed_count_field(
        label=gettext_lazy("Number of people who leave"),
        help_text=gettext_lazy("More than half of the people would leave: type their number to confirm."),
    )


class HoldReleaseForm(forms.Form):
    """Releasing a sync hold; a release that removes more than half of the people needs their number typed."""

    removals_typed = typed_count_field(
        label=gettext_lazy("Number of memberships to end"),
        help_text=gettext_lazy("More than half of the memberships would end: type their number to confirm."),
    )

    def __init__(self, *args, removals: int, current: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.removals = removals
        self.typing_required = removals_need_typed_count(removals=removals, current=current)

    def clean_removals_typed(self) -> int | None:
        typed = self.cleaned_data.get("removals_typed")
        if self.typing_required and typed != self.removals:
            raise forms.ValidationError(
                _("Nothing was released: type the number of memberships to end, %(count)d, to confirm.")
                % {"count": self.removals}
            )
        return typed


class DepartureForm(forms.Form):
    student = forms.TypedChoiceField(label=gettext_lazy("Student"), coerce=int)
    happened_on = forms.DateField(
        label=gettext_lazy("Left on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("Like «moved to school No. 7» or «moved to another city»."),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = {student.pk: student for student in students}
        self.fields["student"].choices = [("", gettext_lazy("— choose —"))] + [
            (student.pk, student.full_name) for student in students
        ]


class ArrivalForm(forms.Form):
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    patronymic = forms.CharField(label=gettext_lazy("Patronymic"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=gettext_lazy("Birth date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    happened_on = forms.DateField(
        label=gettext_lazy("Arrived on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ProcessForm(forms.Form):
    changed_in_sferum = forms.BooleanField(label=gettext_lazy("Changed in Sferum"), required=False)
    changed_in_roster = forms.BooleanField(label=gettext_lazy("Changed in the roster"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("changed_in_sferum") or data.get("changed_in_roster")):
            raise forms.ValidationError(gettext_lazy("Tick what you changed: Sferum, the roster, or both."))
        return data
