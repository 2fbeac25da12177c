"""The school calendar pages: staff absences, holidays and quarters, listed and edited by the school administrator.

They decide which weeks count for teachers (DESIGN.md, "Active teacher"): an absent teacher is excused, a week
in holidays is not evaluated, a short week asks for fewer messages. Access: the school administrator edits their
own school's calendar; a municipal administrator reads it; a teacher gets 403; another school's address gives 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import models
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe

from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import school_writer_school_or_404
from classes.calendar_forms import HolidayForm
from classes.calendar_forms import QuarterForm
from classes.calendar_forms import SchoolCalendarForm
from classes.calendar_forms import StaffAbsenceForm
from classes.models import Holiday
from classes.models import Quarter
from classes.models import School
from classes.models import StaffAbsence
from classes.selectors import school_calendar
from classes.services import calendar_entry_delete
from classes.services import calendar_entry_save


@dataclass(frozen=True)
class CalendarKind:
    model: type[models.Model]
    form: type[SchoolCalendarForm]
    school_path: str  # the lookup from the entry to its school
    title_new: str
    title_edit: str


KINDS = {
    "absence": CalendarKind(
        StaffAbsence, StaffAbsenceForm, "staff__school", gettext_lazy("New absence"), gettext_lazy("Absence")
    ),
    "holiday": CalendarKind(
        Holiday, HolidayForm, "year__school", gettext_lazy("New holidays"), gettext_lazy("Holidays")
    ),
    "quarter": CalendarKind(Quarter, QuarterForm, "year__school", gettext_lazy("New quarter"), gettext_lazy("Quarter")),
}


def _kind_or_404(kind: str) -> CalendarKind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _entry_or_404(kind: CalendarKind, school: School, pk: int) -> models.Model:
    entry = kind.model.objects.filter(pk=pk, **{kind.school_path: school}).first()
    if entry is None:
        raise Http404
    return entry


def _day(day) -> str:
    return date_format(day, "d.m.Y")


def _sections(calendar: dict[str, list]) -> list[dict]:
    """Return the page's three tables: kind, heading, the add button's text, headers, rows (pk, [(header, cell)]),
    empty text (each cell with its column's header: a row becomes a labelled card on a phone)."""
    dates = [_("First day"), _("Last day")]
    sections = [
        {
            "kind": "absence",
            "heading": _("Staff absences"),
            "add": _("Add an absence"),
            "headers": [_("Staff member"), _("Kind"), *dates],
            "rows": [
                (a.pk, [a.staff.full_name, a.get_kind_display(), _day(a.starts_on), _day(a.ends_on)])
                for a in calendar["absences"]
            ],
            "empty": _("No absences recorded."),
        },
        {
            "kind": "holiday",
            "heading": _("Holidays"),
            "add": _("Add holidays"),
            "headers": [_("Holidays"), _("Academic year"), *dates],
            "rows": [(h.pk, [h.name, h.year.name, _day(h.starts_on), _day(h.ends_on)]) for h in calendar["holidays"]],
            "empty": _("No holidays recorded."),
        },
        {
            "kind": "quarter",
            "heading": _("Quarters"),
            "add": _("Add a quarter"),
            "headers": [_("Quarter"), _("Academic year"), *dates],
            "rows": [
                (q.pk, [str(q.number), q.year.name, _day(q.starts_on), _day(q.ends_on)]) for q in calendar["quarters"]
            ],
            "empty": _("No quarters recorded."),
        },
    ]
    for section in sections:
        section["rows"] = [(pk, list(zip(section["headers"], cells, strict=True))) for pk, cells in section["rows"]]
    return sections


@role_required(*ADMINS)
@require_safe
def calendar_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's staff absences, and the holidays and quarters of its academic years."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    context = {
        "school": school,
        "can_edit": can_write_school(user=request.user),
        "sections": _sections(school_calendar(school=school)),
    }
    return render(request, "classes/calendar.html", context)


@role_required(*ADMINS)
def calendar_entry_edit(request: HttpRequest, school_id: int, kind: str, pk: int | None = None) -> HttpResponse:
    """Create (no `pk`) or change a calendar entry; a wrong one is shown again with what to fix."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    spec = _kind_or_404(kind)
    entry = _entry_or_404(spec, school, pk) if pk is not None else None
    form = spec.form(request.POST or None, instance=entry, school=school)
    if request.method == "POST" and form.is_valid():
        calendar_entry_save(entry=form.instance, user=request.user)
        messages.success(request, _("The school calendar is saved."))
        return redirect("school-calendar", school_id=school.pk)
    title = spec.title_edit if entry is not None else spec.title_new
    return render(request, "classes/calendar_form.html", {"school": school, "form": form, "title": title})


@role_required(*ADMINS)
@require_POST
def calendar_entry_delete_view(request: HttpRequest, school_id: int, kind: str, pk: int) -> HttpResponse:
    """Delete a calendar entry of the school."""
    school = school_writer_school_or_404(user=request.user, school_id=school_id)
    spec = _kind_or_404(kind)
    calendar_entry_delete(entry=_entry_or_404(spec, school, pk), user=request.user)
    messages.success(request, _("The entry is deleted from the school calendar."))
    return redirect("school-calendar", school_id=school.pk)
