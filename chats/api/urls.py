"""The chats app's endpoints under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from chats.api.sync_views import SchoolSyncStartView
from chats.api.sync_views import SyncRunConfirmView
from chats.api.views import SyncRunViewSet

router = SimpleRouter()
router.register("sync-runs", SyncRunViewSet, basename="api-sync-run")

urlpatterns = [
    path("schools/<int:school_id>/syncs/", SchoolSyncStartView.as_view(), name="api-school-sync-start"),
    path("sync-runs/<int:pk>/confirm/", SyncRunConfirmView.as_view(), name="api-sync-run-confirm"),
    *router.urls,
]
