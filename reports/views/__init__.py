"""Web views of the reports layer: home, the school dashboard and class page, the teachers' activity,
the municipal overview, and the exports of their tables."""

from reports.views.exports import chat_registry_export
from reports.views.exports import school_classes_export
from reports.views.exports import teacher_activity_export
from reports.views.home import ROLE_HOME
from reports.views.home import home
from reports.views.municipal import municipal_export
from reports.views.municipal import municipal_overview
from reports.views.school import class_detail
from reports.views.school import school_dashboard
from reports.views.school import teacher_activity
from reports.views.school import teacher_activity_build
from reports.views.school import teacher_activity_build_progress

__all__ = [
    "ROLE_HOME",
    "chat_registry_export",
    "class_detail",
    "home",
    "municipal_export",
    "municipal_overview",
    "school_classes_export",
    "school_dashboard",
    "teacher_activity",
    "teacher_activity_build",
    "teacher_activity_build_progress",
    "teacher_activity_export",
]
