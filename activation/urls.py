"""URLs of the activation app's pages: logins (the teacher's pages and invite links are reports' pages)."""

from django.urls import path

from . import views_logins

urlpatterns = [
    path("schools/<int:school_id>/logins/", views_logins.staff_logins, name="staff-logins"),
    path("municipality/logins/", views_logins.admin_logins, name="admin-logins"),
]
