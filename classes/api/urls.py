"""The classes app's endpoints under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from classes.api.roster_views import RosterUploadConfirmView
from classes.api.roster_views import RosterUploadCreateView
from classes.api.roster_views import RosterUploadDetailView
from classes.api.views import MunicipalityViewSet
from classes.api.views import RegionViewSet
from classes.api.views import RosterChangeViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="api-region")
router.register("municipalities", MunicipalityViewSet, basename="api-municipality")
router.register("roster-changes", RosterChangeViewSet, basename="api-roster-change")

urlpatterns = [
    *router.urls,
    path(
        "schools/<int:school_id>/roster-uploads/",
        RosterUploadCreateView.as_view(),
        name="api-roster-upload-create",
    ),
    path("roster-uploads/<int:pk>/", RosterUploadDetailView.as_view(), name="api-roster-upload-detail"),
    path("roster-uploads/<int:pk>/confirm/", RosterUploadConfirmView.as_view(), name="api-roster-upload-confirm"),
]
