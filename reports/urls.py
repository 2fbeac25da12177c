"""URLs of the reports app's pages: home, the school dashboard, a class, teachers' activity, the overview, the
quarterly roster reconciliation, the regional overview. Grouped by address: each group is included under its prefix."""

from django.urls import include
from django.urls import path

from . import views
from .views import audit
from .views import duties
from .views import help_requests
from .views import instructions
from .views import municipal
from .views import publications
from .views import reconciliation
from .views import region
from .views import staff
from .views import teacher

# The teacher's own pages (a class's page and its invite links are activation's): my/…
my_pages = [
    path("", teacher.teacher_home, name="teacher-home"),
    path("activity/", teacher.teacher_activity, name="teacher-activity"),
    path("help/", help_requests.teacher_help, name="teacher-help"),
    path("help/<int:request_id>/", help_requests.teacher_help_detail, name="teacher-help-detail"),
]

# A school's teachers' weekly activity: schools/<id>/teachers/…
teacher_activity_pages = [
    path("", views.teacher_activity, name="school-teacher-activity"),
    path("build/", views.teacher_activity_build, name="teacher-activity-build"),
    path("build/progress/", views.teacher_activity_build_progress, name="teacher-activity-build-progress"),
]

# A school's tables as XLSX, CSV or a printable page: schools/<id>/export/…
export_pages = [
    path("classes/", views.school_classes_export, name="school-classes-export"),
    path("teachers/", views.teacher_activity_export, name="teacher-activity-export"),
    path("chats/", views.chat_registry_export, name="chat-registry-export"),
    path("staff-not-activated/", staff.staff_not_activated_export, name="staff-not-activated-export"),
]

# One quarter's reconciliation: schools/<id>/reconciliation/<reconciliation id>/…
reconciliation_one = [
    path("", reconciliation.reconciliation_detail, name="reconciliation-detail"),
    path("sign-off/", reconciliation.reconciliation_sign_off_view, name="reconciliation-sign-off"),
    path("export.<str:fmt>", reconciliation.reconciliation_export_view, name="reconciliation-export"),
    path("items/resolve/", reconciliation.reconciliation_items_resolve_view, name="reconciliation-items-resolve"),
]

# The quarterly roster reconciliation: schools/<id>/reconciliation/…
reconciliation_pages = [
    path("", reconciliation.reconciliation_page, name="reconciliation"),
    path("run/", reconciliation.reconciliation_run_view, name="reconciliation-run"),
    path("<int:reconciliation_id>/", include(reconciliation_one)),
    path(
        "items/<int:item_id>/resolve/",
        reconciliation.reconciliation_item_resolve_view,
        name="reconciliation-item-resolve",
    ),
]

# The instructions addressed to a school: schools/<id>/instructions/…
school_instruction_pages = [
    path("", instructions.school_instruction_list, name="school-instructions"),
    path("<int:instruction_id>/", instructions.school_instruction, name="school-instruction"),
    path("<int:instruction_id>/file/", instructions.school_instruction_file, name="school-instruction-file"),
    path(
        "<int:instruction_id>/reply-file/",
        instructions.school_instruction_reply_file,
        name="school-instruction-reply-file",
    ),
]

# The instructions a municipal or regional administrator issues: instructions/…
instruction_pages = [
    path("", instructions.instruction_list, name="instruction-list"),
    path("new/", instructions.instruction_create, name="instruction-create"),
    path("<int:instruction_id>/", instructions.instruction_detail, name="instruction-detail"),
    path("<int:instruction_id>/remind/", instructions.instruction_remind_view, name="instruction-remind"),
    path("<int:instruction_id>/export/", instructions.instruction_export, name="instruction-export"),
    path("<int:instruction_id>/file/", instructions.instruction_file, name="instruction-file"),
    path(
        "<int:instruction_id>/schools/<int:school_id>/file/",
        instructions.instruction_reply_file,
        name="instruction-reply-file",
    ),
]

# A school's materials, channel posts and calls: schools/<id>/publications/…
publication_pages = [
    path("", publications.publications_page, name="publications"),
    path("panel/", publications.publications_panel, name="publications-panel"),
    path("export/materials/", publications.materials_export, name="publications-materials-export"),
    path("export/calls/", publications.calls_export, name="publications-calls-export"),
]

# A school's pages: schools/<id>/…
school_pages = [
    path("", views.school_dashboard, name="school-dashboard"),
    path("teachers/", include(teacher_activity_pages)),
    path("export/", include(export_pages)),
    path("staff/not-activated/", staff.staff_not_activated_page, name="staff-not-activated"),
    path("reconciliation/", include(reconciliation_pages)),
    path("instructions/", include(school_instruction_pages)),
    path("duties/", duties.duties_panels, name="school-duties-panels"),
    path("help/", help_requests.school_help_requests, name="school-help-requests"),
    path("help/<int:request_id>/answer/", help_requests.help_request_answer_view, name="help-request-answer"),
    path("publications/", include(publication_pages)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("my/", include(my_pages)),
    path("schools/<int:school_id>/", include(school_pages)),
    path("classes/<int:class_id>/", views.class_detail, name="class-detail"),
    path("municipality/", views.municipal_overview, name="municipal-overview"),
    path("municipality/export/", views.municipal_export, name="municipal-export"),
    path("municipality/<int:municipality_id>/", municipal.municipality_overview, name="municipality-overview"),
    path("municipality/<int:municipality_id>/export/", municipal.municipality_export, name="municipality-export"),
    path("region/", region.region_overview, name="region-overview"),
    path("region/export/", region.region_export, name="region-export"),
    path("instructions/", include(instruction_pages)),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export/", audit.audit_export, name="audit-export"),
]
