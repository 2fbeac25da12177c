"""URL configuration: each app's pages come from its urls.py."""

from django.contrib import admin
from django.urls import include
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from classes.accounts import AdminLoginForm

# The admin's login counts wrong passwords with the site's login (allauth's throttle, in the shared cache).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    *(path("", include(f"{app}.urls")) for app in ("reports", "classes", "activation", "chats")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("sferum_admin.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
