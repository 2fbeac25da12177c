"""Who may see what: a teacher their classes, a school administrator their school, a municipal
administrator their municipality's schools, a regional administrator every municipality and school of their
region. Every view goes through these helpers; a denial is a 404
(the object is not in the user's scope) or a 403 (the role may not use the page), never data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models import QuerySet
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import clock
from .models import Municipality
from .models import School
from .models import SchoolClass
from .models import Staff
from .models import User

Role = User.Role
# The roles of a school's pages (see can_write_school: only the school administrator writes).
ADMINS = (Role.SCHOOL_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN)
# The roles of the municipal overview (a regional administrator opens any municipality of the region).
OVERVIEW_ROLES = (Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN)


def superuser_without_role(user: User) -> bool:
    """Return True for a superuser login that has no school or municipal role (the app's pages are per role)."""
    return bool(user.is_authenticated and user.is_superuser and not user.role)


def superuser_to_admin(request: HttpRequest) -> HttpResponse:
    """Send a superuser without a role to the Django admin, saying why and what to do."""
    messages.info(
        request,
        _(
            "Your login is a superuser with no school or municipal role, so the dashboards have nothing to show it; "
            "manage the data here, or give your login a role to use the dashboards."
        ),
    )
    return redirect("admin:index")


def role_required(*roles: str) -> Callable:
    """Decorate a view: anonymous users go to the login page, a superuser without a role to the Django admin,
    users of other roles get 403.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                if superuser_without_role(user):
                    return superuser_to_admin(request)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def teacher_employed_today(*, user: User) -> bool:
    """Return True when the teacher's staff member is employed today (in their school's time zone).

    A teacher whose employment ended (or has not begun) sees nothing of the school, whatever their
    classes and teaching assignments say: access ends with employment.
    """
    if not user.staff_id:
        return False
    staff = (
        Staff.objects.select_related("school")
        .only("employed_from", "employed_to", "school__timezone")
        .filter(pk=user.staff_id)
        .first()
    )
    return staff is not None and staff.is_employed_on(clock.today(staff.school.tz))


def schools_for_user(*, user: User) -> QuerySet[School]:
    """Return the schools a login may see (a region's, a municipality's, one school's, a teacher's own while
    employed), with their municipality and its region (the thresholds a school inherits)."""
    schools = School.objects.select_related("municipality__region")
    if user.role == Role.REGIONAL_ADMIN:
        return schools.filter(municipality__region_id=user.region_id)
    if user.role == Role.MUNICIPAL_ADMIN:
        return schools.filter(municipality_id=user.municipality_id)
    if user.role == Role.TEACHER and not teacher_employed_today(user=user):
        return schools.none()
    if user.role in (Role.SCHOOL_ADMIN, Role.TEACHER):
        return schools.filter(pk=user.school_id)
    if user.is_superuser:
        return schools.all()
    return schools.none()


def municipalities_for_user(*, user: User) -> QuerySet[Municipality]:
    """Return the municipalities whose overview a login may open: a regional administrator's region's, a municipal
    administrator's own; none for other roles."""
    municipalities = Municipality.objects.select_related("region")
    if user.role == Role.REGIONAL_ADMIN:
        return municipalities.filter(region_id=user.region_id)
    if user.role == Role.MUNICIPAL_ADMIN:
        return municipalities.filter(pk=user.municipality_id)
    return municipalities.none()


def municipality_for_user_or_404(*, user: User, municipality_id: int) -> Municipality:
    """Return the municipality if the login may open its overview, else raise 404."""
    return get_object_or_404(municipalities_for_user(user=user), pk=municipality_id)


def school_for_user_or_404(*, user: User, school_id: int) -> School:
    """Return the school if the login may see it, else raise 404."""
    return get_object_or_404(schools_for_user(user=user), pk=school_id)


def school_admin_school_or_404(*, user: User, school_id: int) -> School:
    """Return the school if the login administers it (its school administrator, its municipality's or region's)."""
    if user.role not in ADMINS and not user.is_superuser:
        raise PermissionDenied
    return school_for_user_or_404(user=user, school_id=school_id)


def school_writer_school_or_404(*, user: User, school_id: int) -> School:
    """Return the school if the login writes its pages (its school administrator); 404 for another school, 403 for
    a login that only reads it."""
    school = school_admin_school_or_404(user=user, school_id=school_id)
    if not can_write_school(user=user):
        raise PermissionDenied
    return school


def can_write_school(*, user: User) -> bool:
    """Return True for the school administrator: a school's pages write for them alone, a municipal or regional
    administrator reads them.
    """
    return user.role == Role.SCHOOL_ADMIN


def classes_for_user(*, user: User) -> QuerySet[SchoolClass]:
    """Return the classes a login may see: a teacher's own (led or taught) while employed, an administrator's
    school's.
    """
    classes = SchoolClass.objects.select_related("school__municipality__region", "year", "class_teacher")
    if user.role == Role.TEACHER:
        if not teacher_employed_today(user=user):
            return classes.none()
        return classes.filter(Q(class_teacher_id=user.staff_id) | Q(assignments__staff_id=user.staff_id)).distinct()
    return classes.filter(school__in=schools_for_user(user=user))


def class_for_user_or_404(*, user: User, class_id: int) -> SchoolClass:
    """Return the class if the login may see it, else raise 404 (another class's address gives no data)."""
    return get_object_or_404(classes_for_user(user=user), pk=class_id)


def class_led_by_user_or_404(*, user: User, class_id: int) -> SchoolClass:
    """Return the class if the login leads it (a class teacher) or administers its school, else raise 404."""
    school_class = class_for_user_or_404(user=user, class_id=class_id)
    if user.role == Role.TEACHER and school_class.class_teacher_id != user.staff_id:
        raise Http404
    return school_class
