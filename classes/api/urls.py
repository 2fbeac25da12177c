"""The classes app's endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from classes.api.views import MunicipalityViewSet
from classes.api.views import RegionViewSet
from classes.api.views import RosterChangeViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="api-region")
router.register("municipalities", MunicipalityViewSet, basename="api-municipality")
router.register("roster-changes", RosterChangeViewSet, basename="api-roster-change")

urlpatterns = router.urls
