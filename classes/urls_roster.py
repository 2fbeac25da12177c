"""URLs of the roster pages: upload and import log, arrivals and departures, a student's page.

Included from sferum_admin/urls.py with `path("", include("classes.urls_roster"))`.
"""

from django.urls import path

from . import views_roster as views

urlpatterns = [
    path("schools/<int:school_id>/roster/", views.roster_upload, name="roster-upload"),
    path(
        "schools/<int:school_id>/roster/uploads/<int:upload_id>/",
        views.roster_upload_preview,
        name="roster-upload-preview",
    ),
    path(
        "schools/<int:school_id>/roster/uploads/<int:upload_id>/import/",
        views.roster_upload_import,
        name="roster-upload-import",
    ),
    path(
        "schools/<int:school_id>/roster/uploads/<int:upload_id>/cancel/",
        views.roster_upload_cancel,
        name="roster-upload-cancel",
    ),
    path(
        "schools/<int:school_id>/roster/imports/<int:import_id>/",
        views.roster_import_detail,
        name="roster-import-detail",
    ),
    path("schools/<int:school_id>/roster-changes/", views.roster_changes, name="roster-changes"),
    path(
        "schools/<int:school_id>/roster-changes/<int:change_id>/process/",
        views.roster_change_process_view,
        name="roster-change-process",
    ),
    path("classes/<int:class_id>/report-change/", views.roster_change_report, name="roster-change-report"),
    path("students/<int:student_id>/", views.student_detail, name="student-detail"),
]
