"""URLs of the classes app's pages: class management and the school profile, the school's calendar, and the roster
pages (upload and import log, arrivals and departures, a student's page). Grouped by address."""

from django.urls import include
from django.urls import path

from .views import api_tokens
from .views import calendar
from .views import classes
from .views import roster

# The school calendar (staff absences, holidays, quarters): schools/<id>/calendar/…
calendar_pages = [
    path("", calendar.calendar_page, name="school-calendar"),
    path("<str:kind>/create/", calendar.calendar_entry_edit, name="school-calendar-create"),
    path("<str:kind>/<int:pk>/update/", calendar.calendar_entry_edit, name="school-calendar-update"),
    path("<str:kind>/<int:pk>/delete/", calendar.calendar_entry_delete_view, name="school-calendar-delete"),
]

# One uploaded roster file: schools/<id>/roster/uploads/<upload id>/…
upload_pages = [
    path("", roster.roster_upload_preview, name="roster-upload-preview"),
    path("import/", roster.roster_upload_import, name="roster-upload-import"),
    path("cancel/", roster.roster_upload_cancel, name="roster-upload-cancel"),
]

# The roster: upload and import log: schools/<id>/roster/…
roster_pages = [
    path("", roster.roster_upload, name="roster-upload"),
    path("uploads/<int:upload_id>/", include(upload_pages)),
    path("imports/<int:import_id>/", roster.roster_import_detail, name="roster-import-detail"),
]

# A school's pages: schools/<id>/…
school_pages = [
    path("classes/", classes.class_list, name="class-list"),
    path("classes/create/", classes.class_create, name="class-create"),
    path("profile/", classes.school_profile, name="school-profile"),
    path("calendar/", include(calendar_pages)),
    path("roster/", include(roster_pages)),
    path("roster-changes/", roster.roster_changes, name="roster-changes"),
    path("roster-changes/<int:change_id>/process/", roster.roster_change_process_view, name="roster-change-process"),
]

urlpatterns = [
    path("schools/<int:school_id>/", include(school_pages)),
    path("classes/<int:class_id>/update/", classes.class_update, name="class-update"),
    path("classes/<int:class_id>/report-change/", roster.roster_change_report, name="roster-change-report"),
    path("students/<int:student_id>/", roster.student_detail, name="student-detail"),
    path("account/tokens/", api_tokens.api_tokens, name="api-tokens"),
    path("account/tokens/<int:token_id>/revoke/", api_tokens.api_token_revoke_view, name="api-token-revoke"),
]
