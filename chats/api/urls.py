"""The chats app's endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from chats.api.views import SyncRunViewSet

router = SimpleRouter()
router.register("sync-runs", SyncRunViewSet, basename="api-sync-run")

urlpatterns = router.urls
