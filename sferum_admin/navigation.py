"""The navigation bar, per role. Items whose page is not installed are left out."""

from __future__ import annotations

from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, needs the school id) per role; the pages live in the apps' urls.py.
NAVIGATION = {
    "school_admin": [
        ("school-dashboard", _("Dashboard"), True),
        ("class-list", _("Classes"), True),
        ("chat-registry", _("Chats"), True),
        ("roster-upload", _("Roster"), True),
        ("reconciliation", _("Reconciliation"), True),
        ("roster-changes", _("Arrivals and departures"), True),
        ("school-help-requests", _("Help requests"), True),
        ("staff-logins", _("Logins"), True),
        ("school-calendar", _("Calendar"), True),
        ("school-profile", _("School profile"), True),
        ("school-instructions", _("Instructions"), True),
        ("audit-log", _("Audit log"), False),
        ("api-tokens", _("API tokens"), False),
    ],
    "teacher": [
        ("teacher-home", _("My classes"), False),
        ("teacher-activity", _("My messages"), False),
        ("teacher-help", _("Help"), False),
    ],
    "regional_admin": [
        ("region-overview", _("Municipalities"), False),
        ("instruction-list", _("Instructions"), False),
        ("audit-log", _("Audit log"), False),
        ("api-tokens", _("API tokens"), False),
    ],
    "municipal_admin": [
        ("municipal-overview", _("Schools"), False),
        ("instruction-list", _("Instructions"), False),
        ("admin-logins", _("Administrators' logins"), False),
        ("audit-log", _("Audit log"), False),
        ("api-tokens", _("API tokens"), False),
    ],
}


def navigation(request) -> dict:
    """Context processor: `nav` — the current user's menu as (url, label, active) tuples."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    links = []
    for name, label, needs_school in NAVIGATION.get(user.role, []):
        try:
            links.append((reverse(name, kwargs={"school_id": user.school_id} if needs_school else None), label))
        except NoReverseMatch:
            continue
    # The current item is the one whose address is the longest prefix of the page's (the dashboard's
    # address is a prefix of every school page's).
    matching = [url for url, _label in links if request.path.startswith(url) and url != "/"]
    current = max(matching, key=len, default=None)
    return {"nav": [(url, label, url == current) for url, label in links]}
