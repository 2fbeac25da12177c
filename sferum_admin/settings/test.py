"""Test settings: fast hashing, eager-free Celery, in-memory e-mail."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
SFERUM_TOKEN_KEY = "dGVzdC1rZXktZm9yLXNmZXJ1bS10b2tlbnMtMzJieXQ="
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
