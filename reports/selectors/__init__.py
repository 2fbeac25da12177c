"""Read-side queries of the reports layer, one module per topic; every public name is importable from here.

- scope: what a login may see (the home page);
- weekly_activity: a school's teachers in one week, computed live from messages;
- activation_rates: activation rates and chat coverage on a day;
- history: stored snapshots and weekly rows over time;
- dashboards: the school dashboard's and the municipal overview's figures, the class page's lists.
"""

from activation.staff_status import STAFF_ROLES

from .activation_rates import (
    ClassActivation,
    ClassesBelowTarget,
    MunicipalityActivation,
    SchoolActivation,
    activation_compute,
    classes_below_target,
    classes_of_day,
    municipality_timezones,
    timezone_most_used,
)
from .dashboards import (
    ACTIVATION_GROUPS,
    CLASS_ROW_SORTS,
    TEACHER_STATUS_ORDER,
    ClassRow,
    SchoolMetrics,
    chats_of_class,
    class_rows,
    class_rows_sort,
    class_teachers_of_class,
    school_metrics_compute,
    sync_runs_held,
    sync_runs_last,
)
from .history import (
    TeacherWeekRow,
    activation_history,
    activation_snapshots_of_days,
    week_mondays,
    weekly_activity_recent,
    weekly_activity_table,
    weekly_activity_trend,
)
from .scope import (
    UserScope,
    classes_for_teacher,
    scope_for_user,
)
from .weekly_activity import (
    BURST_SIZE,
    BURST_SPAN,
    SUSPICIOUS_SHARE,
    SchoolWeek,
    TeacherStatus,
    TeacherWeek,
    counted_messages,
    teacher_status,
    teacher_week_messages,
    teachers_of_week,
    weekly_activity_compute,
    weekly_activity_history,
)

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
    "class_teachers_of_class",
    "classes_below_target",
    "classes_for_teacher",
    "classes_of_day",
    "counted_messages",
    "municipality_timezones",
    "school_metrics_compute",
    "scope_for_user",
    "sync_runs_held",
    "sync_runs_last",
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
]
