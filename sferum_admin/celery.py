"""The Celery application: configuration from Django settings (CELERY_*), tasks from each app."""

import os

from celery import Celery

# A worker started without DJANGO_SETTINGS_MODULE runs the production settings, never the development ones;
# `make run` passes the development settings to its worker explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings.production")

app = Celery("sferum_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
