"""Read-side queries of the reports layer, one module per topic; every public name is importable from here.

- scope: what a login may see (the home page);
- weekly_activity: a school's teachers in one week, computed live from messages;
- activation_rates: activation rates and chat coverage on a day;
- history: stored snapshots and weekly rows over time;
- dashboards: the school dashboard's figures (and the nightly summaries' computation), the class page's lists;
- summaries: the stored school summaries the municipal and regional overviews read.
"""

from activation.staff_status import STAFF_ROLES

from .activation_rates import ClassActivation
from .activation_rates import ClassesBelowTarget
from .activation_rates import MunicipalityActivation
from .activation_rates import SchoolActivation
from .activation_rates import activation_compute
from .activation_rates import classes_below_target
from .activation_rates import classes_of_day
from .activation_rates import municipality_timezones
from .activation_rates import timezone_most_used
from .dashboards import ACTIVATION_GROUPS
from .dashboards import CLASS_ROW_SORTS
from .dashboards import TEACHER_STATUS_ORDER
from .dashboards import ClassRow
from .dashboards import SchoolMetrics
from .dashboards import chats_of_class
from .dashboards import class_rows
from .dashboards import class_rows_sort
from .dashboards import class_teachers_of_class
from .dashboards import school_metrics_compute
from .dashboards import sync_runs_last
from .dashboards import sync_runs_last_and_held
from .history import TeacherWeekRow
from .history import activation_history
from .history import activation_snapshots_of_days
from .history import class_snapshots_latest
from .history import week_mondays
from .history import weekly_activity_recent
from .history import weekly_activity_table
from .history import weekly_activity_trend
from .history import weekly_activity_trend_of
from .scope import UserScope
from .scope import classes_for_teacher
from .scope import scope_for_user
from .summaries import SchoolFigures
from .summaries import figures_as_of
from .summaries import school_figures_read
from .summaries import school_summaries_latest
from .weekly_activity import BURST_SIZE
from .weekly_activity import BURST_SPAN
from .weekly_activity import SUSPICIOUS_SHARE
from .weekly_activity import SchoolWeek
from .weekly_activity import TeacherStatus
from .weekly_activity import TeacherWeek
from .weekly_activity import counted_messages
from .weekly_activity import teacher_status
from .weekly_activity import teacher_week_messages
from .weekly_activity import teachers_of_week
from .weekly_activity import weekly_activity_compute
from .weekly_activity import weekly_activity_history

__all__ = [
    "ACTIVATION_GROUPS",
    "BURST_SIZE",
    "BURST_SPAN",
    "CLASS_ROW_SORTS",
    "STAFF_ROLES",
    "SUSPICIOUS_SHARE",
    "TEACHER_STATUS_ORDER",
    "ClassActivation",
    "ClassRow",
    "ClassesBelowTarget",
    "MunicipalityActivation",
    "SchoolActivation",
    "SchoolFigures",
    "SchoolMetrics",
    "SchoolWeek",
    "TeacherStatus",
    "TeacherWeek",
    "TeacherWeekRow",
    "UserScope",
    "activation_compute",
    "activation_history",
    "activation_snapshots_of_days",
    "chats_of_class",
    "class_rows",
    "class_rows_sort",
    "class_snapshots_latest",
    "class_teachers_of_class",
    "classes_below_target",
    "classes_for_teacher",
    "classes_of_day",
    "counted_messages",
    "figures_as_of",
    "municipality_timezones",
    "school_figures_read",
    "school_metrics_compute",
    "school_summaries_latest",
    "scope_for_user",
    "sync_runs_last",
    "sync_runs_last_and_held",
    "teacher_status",
    "teacher_week_messages",
    "teachers_of_week",
    "timezone_most_used",
    "week_mondays",
    "weekly_activity_compute",
    "weekly_activity_history",
    "weekly_activity_recent",
    "weekly_activity_table",
    "weekly_activity_trend",
    "weekly_activity_trend_of",
]
