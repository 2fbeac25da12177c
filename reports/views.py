"""Web views of the reports layer (dashboards come with their issue)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import scope_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show who the user is and what they can see."""
    return render(request, "reports/home.html", {"scope": scope_for_user(user=request.user)})
