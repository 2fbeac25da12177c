"""OpenAPI examples of the reports endpoints' answers."""

from drf_spectacular.utils import OpenApiExample

RATE = {"numerator": 27, "denominator": 30, "rate": 0.9, "target": 0.9, "passes": True}

SCHOOL = OpenApiExample(
    "Школа со сводкой",
    response_only=True,
    value={
        "id": 3,
        "code": "SCH-014",
        "short_name": "Школа № 14",
        "full_name": "МБОУ «Средняя общеобразовательная школа № 14»",
        "municipality": 2,
        "timezone": "Europe/Moscow",
        "staff": {"numerator": 58, "denominator": 60, "rate": 0.9667, "target": 1.0, "passes": False},
        "students": {"numerator": 610, "denominator": 700, "rate": 0.8714, "target": 0.9, "passes": False},
        "parents": RATE,
        "classes_below_target": {"any": 6, "students": 5, "parents": 2},
        "active_teachers": {"week_start": "2026-11-09", "evaluated": True, "active": 41, "teachers": 48},
        "figures_day": "2026-11-19",
        "as_of": "2026-11-19T03:00:12Z",
    },
)

CLASS = OpenApiExample(
    "Класс с долями",
    response_only=True,
    value={
        "id": 41,
        "school": 3,
        "year": 5,
        "grade": 5,
        "letter": "А",
        "name": "5А",
        "class_teacher": 17,
        "students": RATE,
        "parents": {"numerator": 22, "denominator": 30, "rate": 0.7333, "target": 0.9, "passes": False},
        "rates_day": "2026-11-19",
    },
)

WEEKLY_ACTIVITY = OpenApiExample(
    "Учитель за неделю",
    response_only=True,
    value={
        "id": 901,
        "staff": 17,
        "person_id": "T-0017",
        "full_name": "Иванова Мария Петровна",
        "school": 3,
        "week": "2026-W46",
        "week_start": "2026-11-09",
        "messages": 4,
        "threshold": 3,
        "status": "active",
        "has_account": True,
        "suspicious": True,
        "emoji_only_messages": 3,
        "duplicate_messages": 0,
        "burst_messages": 0,
        "computed_at": "2026-11-16T03:00:00Z",
    },
)

ACTIVATION_SNAPSHOT = OpenApiExample(
    "Снимок класса",
    response_only=True,
    value={
        "id": 5012,
        "day": "2026-11-19",
        "scope": "class",
        "scope_id": 41,
        "group": "students",
        "municipality": 2,
        "school": 3,
        "school_class": 41,
        "numerator": 27,
        "denominator": 30,
        "rate": 0.9,
        "target": "0.9000",
        "passes": True,
        "computed_at": "2026-11-19T03:00:05Z",
    },
)

RECONCILIATION = OpenApiExample(
    "Сверка квартала",
    response_only=True,
    value={
        "id": 12,
        "school": 3,
        "quarter": 8,
        "quarter_label": "2026/2027, 2 четверть",
        "school_name": "Школа № 14",
        "status": "open",
        "source": "roster",
        "opened_at": "2026-11-30T09:00:00Z",
        "notified_at": None,
        "computed_at": "2026-11-30T09:01:10Z",
        "summary": {},
        "signed_by_name": "",
        "signed_by_position": "",
        "signed_at": None,
    },
)

RECONCILIATION_DETAIL = OpenApiExample(
    "Сверка с позициями",
    response_only=True,
    value={
        **RECONCILIATION.value,
        "items": [
            {
                "id": 301,
                "key": "student:S-0001",
                "category": "probable_match",
                "role": "student",
                "person_id": "S-0001",
                "name": "Смирнов Пётр Алексеевич",
                "roster_class": "5А",
                "sferum_class": "5А",
                "sferum_user_id": "100245",
                "note": "",
                "probable": True,
                "resolution": "",
                "resolution_note": "",
                "resolved_by_name": "",
                "resolved_at": None,
            }
        ],
    },
)
