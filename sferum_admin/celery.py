"""The Celery application: configuration from Django settings (CELERY_*), tasks from each app."""

from pathlib import Path

from celery import Celery
from celery.signals import beat_init
from celery.signals import before_task_publish
from celery.signals import worker_init

from sferum_admin.settings.environment import settings_module_default_production

settings_module_default_production()

app = Celery("sferum_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def broker_folders_ensure(**_signal) -> None:
    """Create the filesystem broker's folders when they are missing: kombu fails on a missing one.

    Called before any task is published (the web's, a command's like seed_demo's), and when a worker or beat
    starts.
    """
    if not str(app.conf.broker_url or "").startswith("filesystem:"):
        return
    options = app.conf.broker_transport_options or {}
    for key in BROKER_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


worker_init.connect(broker_folders_ensure, weak=False)
beat_init.connect(broker_folders_ensure, weak=False)
before_task_publish.connect(broker_folders_ensure, weak=False)
