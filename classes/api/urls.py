"""The classes app's endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from classes.api.views import MunicipalityViewSet
from classes.api.views import RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="api-region")
router.register("municipalities", MunicipalityViewSet, basename="api-municipality")

urlpatterns = router.urls
