"""Forms of the school calendar pages: a staff absence, holidays, a quarter (their rules are the models' `clean`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import Quarter
from classes.models import School
from classes.models import Staff
from classes.models import StaffAbsence


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SchoolCalendarForm(forms.ModelForm):
    """A calendar entry of one school: the choices offered are the school's own years or staff."""

    def __init__(self, *args, school: School, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget = _DateInput()
        if "year" in self.fields:
            self.fields["year"].queryset = AcademicYear.objects.filter(school=school)
        if "staff" in self.fields:
            self.fields["staff"].queryset = Staff.objects.filter(school=school).order_by(
                "last_name", "first_name", "patronymic", "person_id"
            )
            self.fields["staff"].label_from_instance = lambda staff: staff.full_name


class StaffAbsenceForm(SchoolCalendarForm):
    class Meta:
        model = StaffAbsence
        fields = ["staff", "kind", "starts_on", "ends_on"]
        labels = {"starts_on": _("First day"), "ends_on": _("Last day")}


class HolidayForm(SchoolCalendarForm):
    class Meta:
        model = Holiday
        fields = ["year", "name", "starts_on", "ends_on"]
        labels = {"starts_on": _("First day"), "ends_on": _("Last day")}


class QuarterForm(SchoolCalendarForm):
    class Meta:
        model = Quarter
        fields = ["year", "number", "starts_on", "ends_on"]
        labels = {"starts_on": _("First day"), "ends_on": _("Last day")}
