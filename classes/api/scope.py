"""What an API request may read: the login's scope (classes.access), narrowed by its API token's when it has one.

A token (request.auth) may carry a narrower scope than its owner's; it narrows querysets through its
`schools_within`, `municipalities_within` and `regions_within` methods. Session requests have no token.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.request import Request

from classes.access import classes_for_user
from classes.access import municipalities_for_user
from classes.access import schools_for_user
from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.models import SchoolClass
from classes.models import User

Role = User.Role


def _narrowed(request: Request, queryset: QuerySet, method: str) -> QuerySet:
    narrow = getattr(request.auth, method, None)
    return narrow(queryset) if callable(narrow) else queryset


def api_schools(request: Request) -> QuerySet[School]:
    """Return the schools the request may read."""
    return _narrowed(request, schools_for_user(user=request.user), "schools_within")


def api_classes(request: Request) -> QuerySet[SchoolClass]:
    """Return the classes the request may read (a teacher's own; an administrator's schools')."""
    return classes_for_user(user=request.user).filter(school__in=api_schools(request).values("pk"))


def api_municipalities(request: Request) -> QuerySet[Municipality]:
    """Return the municipalities the request may read: a regional administrator's region's, a municipal one's own."""
    return _narrowed(request, municipalities_for_user(user=request.user), "municipalities_within")


def api_regions(request: Request) -> QuerySet[Region]:
    """Return the regions the request may read: a regional administrator's own; none for other roles."""
    user = request.user
    regions = Region.objects.filter(pk=user.region_id) if user.role == Role.REGIONAL_ADMIN else Region.objects.none()
    return _narrowed(request, regions, "regions_within")


def api_admin_schools(request: Request) -> QuerySet[School]:
    """Return the schools whose administration records (syncs, reconciliations) the request may read: an
    administrator's (school, municipal, regional) or a superuser's; none for a teacher."""
    user = request.user
    if user.role == Role.TEACHER and not user.is_superuser:
        return School.objects.none()
    return api_schools(request)
