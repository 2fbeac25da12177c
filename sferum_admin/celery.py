"""The Celery application: configuration from Django settings (CELERY_*), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings.base")

app = Celery("sferum_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
