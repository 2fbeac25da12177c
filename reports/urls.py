"""URLs of the reports app's pages: home, the school dashboard, a class, teachers' activity, the overview, the
quarterly roster reconciliation."""

from django.urls import path

from . import views
from .views import reconciliation, staff, teacher

urlpatterns = [
    # The teacher's pages (a class's page and its invite links are activation's).
    path("my/", teacher.teacher_home, name="teacher-home"),
    path("my/activity/", teacher.teacher_activity, name="teacher-activity"),
    path("", views.home, name="home"),
    path("schools/<int:school_id>/", views.school_dashboard, name="school-dashboard"),
    path("schools/<int:school_id>/export/classes/", views.school_classes_export, name="school-classes-export"),
    path("schools/<int:school_id>/teachers/", views.teacher_activity, name="school-teacher-activity"),
    path("schools/<int:school_id>/teachers/build/", views.teacher_activity_build, name="teacher-activity-build"),
    path(
        "schools/<int:school_id>/teachers/build/progress/",
        views.teacher_activity_build_progress,
        name="teacher-activity-build-progress",
    ),
    path("schools/<int:school_id>/export/teachers/", views.teacher_activity_export, name="teacher-activity-export"),
    path("schools/<int:school_id>/export/chats/", views.chat_registry_export, name="chat-registry-export"),
    path("schools/<int:school_id>/staff/not-activated/", staff.staff_not_activated_page, name="staff-not-activated"),
    path(
        "schools/<int:school_id>/export/staff-not-activated/",
        staff.staff_not_activated_export,
        name="staff-not-activated-export",
    ),
    path("classes/<int:class_id>/", views.class_detail, name="class-detail"),
    path("municipality/", views.municipal_overview, name="municipal-overview"),
    path("municipality/export/", views.municipal_export, name="municipal-export"),
    # The quarterly roster reconciliation.
    path("schools/<int:school_id>/reconciliation/", reconciliation.reconciliation_page, name="reconciliation"),
    path(
        "schools/<int:school_id>/reconciliation/run/", reconciliation.reconciliation_run_view, name="reconciliation-run"
    ),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/",
        reconciliation.reconciliation_detail,
        name="reconciliation-detail",
    ),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/sign-off/",
        reconciliation.reconciliation_sign_off_view,
        name="reconciliation-sign-off",
    ),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/export.<str:fmt>",
        reconciliation.reconciliation_export_view,
        name="reconciliation-export",
    ),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/items/resolve/",
        reconciliation.reconciliation_items_resolve_view,
        name="reconciliation-items-resolve",
    ),
    path(
        "schools/<int:school_id>/reconciliation/items/<int:item_id>/resolve/",
        reconciliation.reconciliation_item_resolve_view,
        name="reconciliation-item-resolve",
    ),
]
