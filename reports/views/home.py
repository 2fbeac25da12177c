"""The home page: each role lands on its main page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse

from classes.access import superuser_to_admin
from classes.access import superuser_without_role
from classes.models import User
from reports.selectors import scope_for_user

# Where each role lands after logging in.
ROLE_HOME = {
    User.Role.SCHOOL_ADMIN: ("school-dashboard", True),
    User.Role.TEACHER: ("teacher-home", False),
    User.Role.MUNICIPAL_ADMIN: ("municipal-overview", False),
    User.Role.REGIONAL_ADMIN: ("region-overview", False),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their role's main page (a superuser without a role to the Django admin); without one,
    show who they are and what they can see.
    """
    user = request.user
    if superuser_without_role(user):
        return superuser_to_admin(request)
    if user.role in ROLE_HOME:
        name, needs_school = ROLE_HOME[user.role]
        try:
            return redirect(reverse(name, kwargs={"school_id": user.school_id} if needs_school else None))
        except NoReverseMatch:
            pass
    return render(request, "reports/home.html", {"scope": scope_for_user(user=user)})
