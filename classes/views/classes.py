"""Pages of the classes app: class management (the year's classes, class teachers, teaching assignments)
and the school profile.

Access: a school administrator manages their own school; a municipal administrator sees the class list
and the profile of their municipality's schools read-only (every write here is the school
administrator's); a teacher gets 403; another school's or class's address gives 404.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from classes import clock
from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import class_for_user_or_404
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import school_for_user_or_404
from classes.forms import NEXT_YEAR
from classes.forms import AssignmentFormSet
from classes.forms import ClassesCreateForm
from classes.forms import ClassTeacherForm
from classes.forms import SchoolProfileForm
from classes.models import AcademicYear
from classes.models import School
from classes.models import TeachingAssignment
from classes.models import User
from classes.selectors import classes_of_year
from classes.selectors import staff_for_class_teacher_choice
from classes.services import academic_year_create_default
from classes.services import academic_year_starting_year
from classes.services import class_teacher_assign
from classes.services import classes_create
from classes.services import school_profile_update
from classes.services import teaching_assignments_replace

Role = User.Role


def _current_year(school: School, years: list[AcademicYear]) -> AcademicYear | None:
    today = clock.today(school.tz)
    return next((year for year in years if year.contains(today)), years[0] if years else None)


@role_required(*ADMINS)
@require_safe
def class_list(request: HttpRequest, school_id: int) -> HttpResponse:
    """The classes of an academic year (the current one by default) with their class teachers."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    chosen = request.GET.get("year", "")
    year = next((y for y in years if str(y.pk) == chosen), None) or _current_year(school, years)
    day = clock.today(school.tz)
    if year is not None and not year.contains(day):
        day = min(max(day, year.starts_on), year.ends_on)
    classes = list(classes_of_year(year=year, day=day)) if year else []
    context = {
        "school": school,
        "years": years,
        "year": year,
        "classes": classes,
        "without_class_teacher": [c for c in classes if c.class_teacher_id is None],
        "can_edit": can_write_school(user=request.user),
    }
    return render(request, "classes/class_list.html", context)


@role_required(Role.SCHOOL_ADMIN)
def class_create(request: HttpRequest, school_id: int) -> HttpResponse:
    """Create the classes of an academic year: every chosen grade gets a class for each letter."""
    school = school_for_user_or_404(user=request.user, school_id=school_id)
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    today = clock.today(school.tz)
    next_start = academic_year_starting_year(today) + 1
    next_name = f"{next_start}/{next_start + 1}"
    if any(year.name == next_name for year in years):
        next_name = None
    current = _current_year(school, years)
    form = ClassesCreateForm(
        request.POST or None,
        years=years,
        next_year_name=next_name,
        initial={"year": str(current.pk) if current else NEXT_YEAR},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["year"] == NEXT_YEAR:
            year = academic_year_create_default(school=school, on=date(next_start, 9, 1))
        else:
            year = next(y for y in years if str(y.pk) == data["year"])
        try:
            created, skipped = classes_create(
                school=school, year=year, grades=data["grades"], letters=data["letters"], user=request.user
            )
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error(None, error)
        else:
            if created:
                messages.success(
                    request,
                    _("Classes created for %(year)s: %(names)s.")
                    % {"year": year.name, "names": ", ".join(c.name for c in created)},
                )
            if skipped:
                messages.info(request, _("Already there, left as they are: %(names)s.") % {"names": ", ".join(skipped)})
            return redirect(f"{reverse('class-list', kwargs={'school_id': school.pk})}?year={year.pk}")
    return render(request, "classes/class_create.html", {"school": school, "form": form})


@role_required(Role.SCHOOL_ADMIN)
def class_update(request: HttpRequest, class_id: int) -> HttpResponse:
    """Choose a class's class teacher and the teachers of its subjects."""
    school_class = class_for_user_or_404(user=request.user, class_id=class_id)
    school = school_class.school
    today = clock.today(school.tz)
    staff = list(staff_for_class_teacher_choice(school_class=school_class, day=today))
    current = list(
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("staff")
        .order_by("subject", "staff__last_name", "pk")
    )
    by_id = {person.pk: person for person in staff}
    for assignment in current:
        by_id.setdefault(assignment.staff_id, assignment.staff)
    choices = [(pk, f"{person.full_name} ({person.position or person.person_id})") for pk, person in by_id.items()]
    teacher_form = ClassTeacherForm(
        request.POST or None, staff_choices=choices, initial={"class_teacher": school_class.class_teacher_id}
    )
    formset = AssignmentFormSet(
        request.POST or None,
        initial=[{"staff": a.staff_id, "subject": a.subject} for a in current],
        form_kwargs={"staff_choices": choices},
        prefix="assignments",
    )
    if request.method == "POST" and teacher_form.is_valid() and formset.is_valid():
        teacher_id = teacher_form.cleaned_data["class_teacher"]
        pairs = [
            (by_id[form.cleaned_data["staff"]], form.cleaned_data["subject"])
            for form in formset.forms
            if form.cleaned_data.get("staff") and not form.cleaned_data.get("DELETE")
        ]
        try:
            teacher = by_id.get(teacher_id) if teacher_id else None
            class_teacher_assign(school_class=school_class, staff=teacher, user=request.user)
            added, removed = teaching_assignments_replace(
                school_class=school_class, assignments=pairs, user=request.user
            )
        except ValidationError as exc:
            for error in exc.messages:
                teacher_form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Class %(name)s is saved: %(added)d assignments added, %(removed)d removed.")
                % {"name": school_class.name, "added": added, "removed": removed},
            )
            return redirect(f"{reverse('class-list', kwargs={'school_id': school.pk})}?year={school_class.year_id}")
    context = {
        "school": school,
        "school_class": school_class,
        "teacher_form": teacher_form,
        "formset": formset,
    }
    return render(request, "classes/class_form.html", context)


@role_required(*ADMINS)
def school_profile(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school's profile: names, address, description, contacts, time zone and thresholds.

    The school administrator edits it; a municipal administrator reads it.
    """
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    can_edit = can_write_school(user=request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = SchoolProfileForm(request.POST or None, school=school, initial=SchoolProfileForm.initial_for(school))
    if request.method == "POST" and form.is_valid():
        try:
            school_profile_update(school=school, data=form.profile_data(), user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The school profile is saved."))
            return redirect("school-profile", school_id=school.pk)
    return render(request, "classes/school_profile.html", {"school": school, "form": form, "can_edit": can_edit})
