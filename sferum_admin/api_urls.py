"""/api/v1/: every app's endpoints (each app's `api/urls.py`, where the app has one)."""

from importlib import util

from django.urls import include
from django.urls import path

APPS = ("classes", "activation", "chats", "reports")


def _has_api(app: str) -> bool:
    return util.find_spec(f"{app}.api") is not None and util.find_spec(f"{app}.api.urls") is not None


urlpatterns = [path("", include(f"{app}.api.urls")) for app in APPS if _has_api(app)]
