"""The reports app's endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from reports.api.views import ActivationSnapshotViewSet
from reports.api.views import ClassViewSet
from reports.api.views import ReconciliationViewSet
from reports.api.views import SchoolViewSet
from reports.api.views import WeeklyActivityViewSet

router = SimpleRouter()
router.register("schools", SchoolViewSet, basename="api-school")
router.register("classes", ClassViewSet, basename="api-class")
router.register("weekly-activity", WeeklyActivityViewSet, basename="api-weekly-activity")
router.register("activation-snapshots", ActivationSnapshotViewSet, basename="api-activation-snapshot")
router.register("reconciliations", ReconciliationViewSet, basename="api-reconciliation")

urlpatterns = router.urls
