"""Base settings: everything reads from the environment, with defaults that need no server.

`DATABASE_URL` defaults to an SQLite file in the project folder and `REDIS_URL` to
kombu's filesystem transport, so `make run` works on a bare machine. Production
(`sferum_admin.settings.production`) tightens the defaults.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE
from csp.constants import SELF
from django.utils.translation import gettext_lazy as _

from .environment import env_bool
from .environment import env_float
from .environment import env_int
from .environment import env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# Development default only; production.py requires DJANGO_SECRET_KEY and has no default.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-dev-only-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: schools' networks reach no CDN
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "classes",
    "activation",
    "chats",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "sferum_admin.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sferum_admin.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sferum_admin.middleware.ApiConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "classes.audit_context.AuditAddressMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sferum_admin.urls"

# Security headers of every response. Nothing a user or the platform sends may run in a browser: the pages
# load scripts and styles only from static files (no inline <script>, <style>, style= or on…= attributes;
# htmx is told not to inject styles nor to evaluate code, see templates/base.html), and no page may be framed.
# django-csp 4 reads CONTENT_SECURITY_POLICY["DIRECTIVES"]; the Django admin works under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Browser features no page of the product uses (sferum_admin.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=()"
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sferum_admin.navigation.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "sferum_admin.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 30, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "classes.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): log in by username or e-mail; sign-up is closed,
# administrators create logins.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "classes.accounts.ClosedSignupAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
# Wrong passwords (the site's login and the admin's alike) are counted per client address and per account
# (allauth's rate syntax, like "10/m/ip,5/5m/key"), in the shared cache (CACHES below).
ACCOUNT_RATE_LIMITS = {"login_failed": os.environ.get("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key")}
# The client's address behind a reverse proxy: believed only from TRUSTED_PROXY_ADDRESSES (addresses or
# networks); from there, the address the proxy set in TRUSTED_CLIENT_IP_HEADER (like X-Real-IP), or else the
# TRUSTED_PROXY_COUNT-th address from the right of X-Forwarded-For. Default: no proxy, the peer's address.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES", ["127.0.0.1", "::1"])
# A password-reset request for an address no login uses sends nothing (allauth would mail "no account here"),
# and the page after it reads the same either way (ACCOUNT_PREVENT_ENUMERATION, allauth's default, kept).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PREVENT_ENUMERATION = True
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"
SOCIALACCOUNT_ADAPTER = "classes.accounts.ClosedSignupSocialAccountAdapter"
# Optional VK ID login, off unless both are set; a user connects VK ID at /accounts/3rdparty/ after a password login.
VK_ID_CLIENT_ID = os.environ.get("VK_ID_CLIENT_ID", "")
VK_ID_SECRET = os.environ.get("VK_ID_SECRET", "")
SOCIALACCOUNT_PROVIDERS: dict = {}
if VK_ID_CLIENT_ID and VK_ID_SECRET:
    INSTALLED_APPS.append("allauth.socialaccount.providers.vk")
    SOCIALACCOUNT_PROVIDERS["vk"] = {"APPS": [{"client_id": VK_ID_CLIENT_ID, "secret": VK_ID_SECRET, "key": ""}]}
    # The VK ID login form posts here and is redirected to VK ID: the policy's form-action must allow it.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("https://id.vk.ru")

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files (instructions' attachments) under var/media; served only through views that check access,
# never at MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
# The largest file attached to an instruction or to a school's report on it (PDF, DOCX or XLSX).
INSTRUCTION_FILE_MAX_BYTES = env_int("INSTRUCTION_FILE_MAX_BYTES", 10 * 1024 * 1024)

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@localhost")

# The REST API (/api/v1/, README "REST API"): JSON only, cursor pages, django-filter filters and ordering, errors
# as RFC 9457 problem details in the request's language.
# API request rates (DRF's syntax, like "1000/hour"): per API token and per login.
API_THROTTLE_RATES = {
    "api_token": os.environ.get("API_RATE_PER_TOKEN", "1000/hour"),
    "api_user": os.environ.get("API_RATE_PER_USER", "2000/hour"),
}
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A personal API token (Authorization: Bearer) first; the browser's session after it (CSRF enforced).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "classes.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per token when the request has one, per login always (counters in CACHES: Redis in production).
    "DEFAULT_THROTTLE_CLASSES": [
        "classes.api.throttling.ApiTokenRateThrottle",
        "classes.api.throttling.ApiUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "classes.api.pagination.ApiCursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "classes.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The API's OpenAPI 3.1 description (/api/schema/) and its two readers, Swagger UI (/api/docs/) and ReDoc
# (/api/redoc/), served from drf-spectacular-sidecar's static files; all three only to a logged-in user.
SPECTACULAR_SETTINGS = {
    "TITLE": "API панели соответствия Сферума",
    "DESCRIPTION": """\
Данные панели для программ муниципалитетов и регионов, в JSON: чтение (регионы, муниципалитеты, школы, классы,
активность учителей, снимки активации, сверки, прибытие и выбытие, синхронизации) и запись (загрузка списка
контингента с подтверждением вторым запросом, запуск синхронизации, подтверждение приостановленной синхронизации).

**Доступ.** Личный токен: заголовок `Authorization: Bearer sfr_…`; токен создаётся на странице
`/account/tokens/` и может быть сужен до одной школы или одного муниципалитета владельца — тогда он видит
не больше этого. Из браузера API доступно и по сессии вошедшего пользователя.

**Область видимости.** Как на страницах: учитель видит свои классы, администратор школы — свою школу,
муниципальный администратор — свой муниципалитет, региональный — свой регион. Объект вне области
отвечает 404.

**Страницы.** Списки разбиты на страницы по курсору: ссылки `next` и `previous` в ответе, размер страницы —
параметр `page_size` (по умолчанию 100, не больше 500). Порядок — параметр `ordering`, фильтры — по полям,
названным у каждого списка.

**Ошибки.** В формате problem details (RFC 9457, `application/problem+json`): `type`, `title`, `status`,
`detail`, `instance`, для ошибок проверки — `errors`; на языке из `Accept-Language` (русский или английский).

**Кэширование.** Ответы на GET несут `ETag`; запрос с `If-None-Match` с тем же значением получает
`304 Not Modified` без тела.
""",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents its problem-details error answers (classes.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "classes.api.schema.problem_responses",
    ],
    # Several models have a "status": each choice set keeps its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "WeeklyActivityStatusEnum": "reports.models.WeeklyActivity.Status",
        "ReconciliationStatusEnum": "reports.models.Reconciliation.Status",
        "SyncRunStatusEnum": "chats.models.SyncRun.Status",
    },
}

# Tokens of Sferum integrations are encrypted with this key (a Fernet key); see README.
SFERUM_TOKEN_KEY = os.environ.get("SFERUM_TOKEN_KEY", "")
# Without SFERUM_TOKEN_KEY, development derives a key from SECRET_KEY; production refuses.
SFERUM_TOKEN_KEY_DEV_FALLBACK = True

# Celery: Redis in production and CI; with no REDIS_URL, kombu's filesystem
# transport, so the demo's worker and beat run without a server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DATA_DIR = Path(os.environ.get("CELERY_DATA_DIR", BASE_DIR / "var" / "celery"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),  # else kombu writes ./control
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Three queues (README, "Running a region"): `sync` (one task per school's sync), `metrics` (every reports.*
# task: weekly activity, snapshots, summaries, reconciliation), `default` (the rest: the hourly fan-outs, logins,
# uploads). A pattern route sends tasks added later by the same names to the same queue.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "chats.sync_all_schools": {"queue": "default"},
    "chats.sync_municipality": {"queue": "default"},
    "reports.*_dispatch": {"queue": "default"},
    "chats.sync_*": {"queue": "sync"},
    "reports.*": {"queue": "metrics"},
}
# Request pacing shared by every worker (chats.rate_limit): Redis when set, else each process paces alone.
SFERUM_PACE_REDIS_URL = os.environ.get("SFERUM_PACE_REDIS_URL", REDIS_URL)


def cache_settings(*, redis_url: str) -> dict:
    """Return CACHES: Redis, shared by every worker process, when redis_url is set; else local memory
    (one process: the demo's `make run` only; production requires REDIS_URL).
    """
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "sferum",
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sferum"}}


CACHES = cache_settings(redis_url=REDIS_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies (killed, out of memory) goes back to the queue instead of being lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has time limits (seconds): at the soft one it is told to stop, at the hard one its process is
# killed. The sync tasks have their own (SYNC_TASK_*), below the sync lock's timeout.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("TASK_SOFT_TIME_LIMIT", 1500)
CELERY_TASK_TIME_LIMIT = env_int("TASK_TIME_LIMIT", 1800)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Sync: hours of the school day (Europe/Moscow, crontab syntax) when every school is synced hourly;
# a run that would end more than this share of a school's memberships is held for confirmation;
# a run still marked running after this many minutes is taken as dead (its lock is released).
SYNC_HOURS = os.environ.get("SYNC_HOURS", "7-19")
SYNC_HOLD_REMOVAL_SHARE = env_float("SYNC_HOLD_REMOVAL_SHARE", 0.10)
SYNC_LOCK_TIMEOUT_MINUTES = env_int("SYNC_LOCK_TIMEOUT_MINUTES", 120)
# Tabular files read from outside (rosters, member lists, activity reports): a file over any of these is
# refused before it is parsed further. XLSX: the unpacked size, packing ratio and parts its zip directory declares.
IMPORT_FILE_MAX_BYTES = env_int("IMPORT_FILE_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 1000)
IMPORT_XLSX_MAX_UNPACKED_BYTES = env_int("IMPORT_XLSX_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 100)
IMPORT_XLSX_MAX_MEMBERS = env_int("IMPORT_XLSX_MAX_MEMBERS", 200)
IMPORT_XLSX_MAX_PART_BYTES = env_int("IMPORT_XLSX_MAX_PART_BYTES", 10 * 1024 * 1024)
# Roster uploads waiting for their preview to be confirmed: at most this many per user, removed after this
# many hours; a file larger than ROSTER_READ_INLINE_MAX_BYTES is read by the worker, its progress on the page.
ROSTER_UPLOADS_PER_USER = env_int("ROSTER_UPLOADS_PER_USER", 5)
ROSTER_UPLOAD_KEEP_HOURS = env_int("ROSTER_UPLOAD_KEEP_HOURS", 24)
ROSTER_READ_INLINE_MAX_BYTES = env_int("ROSTER_READ_INLINE_MAX_BYTES", 1024 * 1024)
# A sync stops itself (status failed, finished chats kept) after SYNC_DEADLINE_SECONDS; the sync task's
# soft and hard time limits come after it, and the hard one before the lock timeout (a system check holds
# SYNC_DEADLINE_SECONDS < SYNC_TASK_SOFT_TIME_LIMIT < SYNC_TASK_TIME_LIMIT < SYNC_LOCK_TIMEOUT_MINUTES).
SYNC_DEADLINE_SECONDS = env_float("SYNC_DEADLINE_SECONDS", 3600.0)
SYNC_TASK_SOFT_TIME_LIMIT = env_int("SYNC_TASK_SOFT_TIME_LIMIT", 4200)
SYNC_TASK_TIME_LIMIT = env_int("SYNC_TASK_TIME_LIMIT", 4800)
# HTTP to Sferum: bounded exponential backoff with jitter, the read timeout in seconds, and the total
# deadline of one call (its retries included) however slowly the server answers.
SFERUM_HTTP_RETRY = {"max_attempts": 5, "backoff_base": 0.5, "backoff_cap": 30.0}
SFERUM_HTTP_TIMEOUT = 20.0
SFERUM_HTTP_CALL_DEADLINE = env_float("SFERUM_HTTP_CALL_DEADLINE", 60.0)
# Messages are kept for this many academic years, the current one included (2: the current and the previous);
# on PostgreSQL the daily chats.message_partitions_maintain job drops the month partitions older than that.
MESSAGE_RETENTION_ACADEMIC_YEARS = env_int("MESSAGE_RETENTION_ACADEMIC_YEARS", 2)
BEAT_RUN_EXPIRES = 50 * 60  # seconds: an hourly run that has not started by then gives way to the next one


def _hourly(task: str, **when) -> dict:
    """Return a beat entry that runs the task at crontab(**when), dropping a run not started within 50 minutes."""
    return {"task": task, "schedule": crontab(**when), "options": {"expires": BEAT_RUN_EXPIRES}}


CELERY_BEAT_SCHEDULE = {
    # Hourly at :20 Europe/Moscow; deletes the roster uploads older than ROSTER_UPLOAD_KEEP_HOURS, even when
    # nobody opens a roster page.
    "classes-roster-uploads-expire": _hourly("classes.roster_uploads_expire", minute=20),
    # Europe/Moscow (CELERY_TIMEZONE): sync every school hourly during the school day.
    "sync-all-schools-hourly": _hourly("chats.sync_all_schools", minute=5, hour=SYNC_HOURS),
    # Hourly at :00 Europe/Moscow; queues the week that ended for each school whose own time is
    # Monday 06:xx (schools differ in time zone, so every school gets it at 06:00 its time).
    "reports-weekly-activity": _hourly("reports.weekly_activity_dispatch", minute=0),
    # Hourly at :00 Europe/Moscow; opens the quarter's reconciliation and e-mails the school's admins
    # for each school whose own time is 06:xx on a school day from the quarter's first one.
    "reports-reconciliation-open": _hourly("reports.reconciliation_open_dispatch", minute=0),
    # Hourly at :50 Europe/Moscow during SYNC_HOURS; confirms processed arrivals/departures the last
    # sync agrees with.
    "reports-roster-changes-confirm": _hourly("reports.roster_changes_confirm_dispatch", minute=50, hour=SYNC_HOURS),
    # Hourly at :15 Europe/Moscow; deactivates the logins of staff whose employment ended yesterday (in
    # their school's time zone) when the end was set ahead of time (a roster import deactivates at once).
    "classes-staff-logins-sweep": _hourly("classes.staff_logins_sweep", minute=15),
    # Hourly at :00 Europe/Moscow; queues the daily activation snapshot of each municipality whose
    # time is 06:xx (one task per municipality: its schools, classes and itself).
    "reports-activation-snapshot": _hourly("reports.activation_snapshot_dispatch", minute=0),
    # Daily at 03:40 Europe/Moscow; on PostgreSQL creates the message partitions of this month and the next
    # ones, and drops those older than MESSAGE_RETENTION_ACADEMIC_YEARS (chats.partitions).
    "chats-message-partitions-maintain": _hourly("chats.message_partitions_maintain", minute=40, hour=3),
    # Hourly at :10 Europe/Moscow; queues today's summary (the figures the municipal and regional overviews read)
    # of each school whose own time is 06:xx, in chunks of schools.
    "reports-school-summary": _hourly("reports.school_summary_dispatch", minute=10),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # One line per HTTP request to Sferum is noise; the sync log counts requests and retries.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "sferum-demo")

# Invite links (i/<key>/) redirect only to these hosts and their subdomains (VK/Sferum and MAX); a pasted link
# to any other host is refused, and a stored one is not followed.
INVITE_LINK_HOSTS = [
    host.lower().strip(".")
    for host in env_list("INVITE_LINK_HOSTS", ["sferum.ru", "vk.me", "vk.com", "vk.ru", "web.vk.me", "max.ru"])
]
