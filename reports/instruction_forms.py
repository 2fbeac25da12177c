"""Forms of instructions: the issuer's new instruction, the school's "done" report."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classes import clock
from reports.instruction_files import attachment_check
from reports.instruction_models import COMMENT_MAX
from reports.instruction_models import TEXT_MAX
from reports.instruction_models import TITLE_MAX

FILE_HELP = _("Optional: a PDF, DOCX or XLSX file.")


class AttachmentField(forms.FileField):
    """An optional PDF, DOCX or XLSX file, checked by its extension and its content."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", FILE_HELP)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            attachment_check(upload)
        return upload or None


class InstructionForm(forms.Form):
    """A new instruction: title, text, deadline, the schools (some or every school of the issuer's scope), a file."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    all_schools = forms.BooleanField(label=_("Every school"), required=False)
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the schools, or «Every school» above."),
    )
    file = AttachmentField(label=_("File"))

    def __init__(self, *args, schools, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools
        self.fields["schools"].label_from_instance = lambda school: school.short_name

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < clock.today():
            raise forms.ValidationError(_("The deadline is in the past; choose today or a later day."))
        return deadline

    def clean(self) -> dict:
        data = super().clean()
        if data.get("all_schools"):
            data["schools"] = list(self.fields["schools"].queryset)
        elif not data.get("schools") and "schools" not in self.errors:
            self.add_error("schools", _("Choose at least one school, or tick «Every school»."))
        return data


class InstructionDoneForm(forms.Form):
    """The school's report: what was done (required) and an optional file."""

    comment = forms.CharField(
        label=_("What was done"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a comment: say what was done.")},
    )
    file = AttachmentField(label=_("File"))
