"""Test settings: fast hashing, eager-free Celery, in-memory e-mail."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks run eagerly; the broker is still Redis when REDIS_URL is set (CI checks it is reachable).
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Each test process has a cache of its own, emptied around every test (conftest.py), even when CI sets
# REDIS_URL: tests run in parallel (xdist) and must not share login-throttling counters.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
SFERUM_TOKEN_KEY = "dGVzdC1rZXktZm9yLXNmZXJ1bS10b2tlbnMtMzJieXQ="
SFERUM_HTTP_RETRY = {"max_attempts": 3, "backoff_base": 0.001, "backoff_cap": 0.004}
SFERUM_HTTP_TIMEOUT = 2.0
# Tests read English messages; the product's default (Russian) is checked by a test of its own.
LANGUAGE_CODE = "en"
# Request pacing stays in each test's process (the shared Redis pacer has tests of its own, on Redis db 7).
SFERUM_PACE_REDIS_URL = ""
