"""The demo school's main pages by the login that sees them: the browser tests (accessibility, CSP, phone width,
tables) and the tables' structure test all walk this one list, so a new page is checked by all of them."""

from __future__ import annotations

from django.urls import reverse

from classes.models import School
from classes.models import SchoolClass
from classes.models import User


def main_pages(school: School) -> dict[str, list[str]]:
    """Return {login: [page paths]} for the demo's school (the dashboard first for the administrator)."""
    teacher = User.objects.get(username="demo_teacher")
    led = SchoolClass.objects.filter(class_teacher=teacher.staff).first()
    return {
        "demo_admin": [
            *(
                reverse(name, kwargs={"school_id": school.pk})
                for name in (
                    "school-dashboard",
                    "class-list",
                    "chat-registry",
                    "sync-list",
                    "school-teacher-activity",
                    "staff-not-activated",
                    "staff-logins",
                    "school-calendar",
                    "roster-upload",
                    "reconciliation",
                    "roster-changes",
                    "school-help-requests",
                )
            ),
            reverse("class-detail", kwargs={"class_id": led.pk}),
        ],
        "demo_teacher": [
            reverse("teacher-home"),
            reverse("teacher-class", kwargs={"class_id": led.pk}),
            reverse("teacher-activity"),
            reverse("qr-sheet", kwargs={"class_id": led.pk}),
            reverse("teacher-help"),
        ],
        "demo_municipal": [reverse("municipal-overview"), reverse("admin-logins")],
        "demo_regional": [
            reverse("region-overview"),
            reverse("municipality-overview", kwargs={"municipality_id": school.municipality_id}),
        ],
    }
