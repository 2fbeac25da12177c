"""URLs of the classes app's pages: class management and the school profile, and the roster pages (upload and
import log, arrivals and departures, a student's page)."""

from django.urls import path

from .views import calendar, classes, roster

urlpatterns = [
    # Class management and the school profile.
    path("schools/<int:school_id>/classes/", classes.class_list, name="class-list"),
    path("schools/<int:school_id>/classes/create/", classes.class_create, name="class-create"),
    path("classes/<int:class_id>/update/", classes.class_update, name="class-update"),
    path("schools/<int:school_id>/profile/", classes.school_profile, name="school-profile"),
    # The school calendar: staff absences, holidays, quarters.
    path("schools/<int:school_id>/calendar/", calendar.calendar_page, name="school-calendar"),
    path(
        "schools/<int:school_id>/calendar/<str:kind>/create/",
        calendar.calendar_entry_edit,
        name="school-calendar-create",
    ),
    path(
        "schools/<int:school_id>/calendar/<str:kind>/<int:pk>/update/",
        calendar.calendar_entry_edit,
        name="school-calendar-update",
    ),
    path(
        "schools/<int:school_id>/calendar/<str:kind>/<int:pk>/delete/",
        calendar.calendar_entry_delete_view,
        name="school-calendar-delete",
    ),
    # The roster: upload and import log, arrivals and departures, a student's page.
    path(
        "schools/<int:school_id>/roster/",
        roster.roster_upload,
        name="roster-upload",
    ),
    path(
        "schools/<int:school_id>/roster/uploads/<int:upload_id>/",
        roster.roster_upload_preview,
        name="roster-upload-preview",
    ),
    path(
        "schools/<int:school_id>/roster/uploads/<int:upload_id>/import/",
        roster.roster_upload_import,
        name="roster-upload-import",
    ),
    path(
        "schools/<int:school_id>/roster/uploads/<int:upload_id>/cancel/",
        roster.roster_upload_cancel,
        name="roster-upload-cancel",
    ),
    path(
        "schools/<int:school_id>/roster/imports/<int:import_id>/",
        roster.roster_import_detail,
        name="roster-import-detail",
    ),
    path("schools/<int:school_id>/roster-changes/", roster.roster_changes, name="roster-changes"),
    path(
        "schools/<int:school_id>/roster-changes/<int:change_id>/process/",
        roster.roster_change_process_view,
        name="roster-change-process",
    ),
    path("classes/<int:class_id>/report-change/", roster.roster_change_report, name="roster-change-report"),
    path("students/<int:student_id>/", roster.student_detail, name="student-detail"),
]
