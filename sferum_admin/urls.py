"""URL configuration: each app's pages come from its urls.py."""

from django.contrib import admin
from django.urls import include
from django.urls import path

from classes.accounts import AdminLoginForm
from sferum_admin import api_docs

# The admin's login counts wrong passwords with the site's login (allauth's throttle, in the shared cache).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    *(path("", include(f"{app}.urls")) for app in ("reports", "classes", "activation", "chats")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("sferum_admin.api_urls")),
    # The OpenAPI description and its two readers, to a logged-in user only (sferum_admin.api_docs).
    path("api/schema/", api_docs.schema_view, name="api-schema"),
    path("api/docs/", api_docs.swagger_view, name="api-docs"),
    path("api/redoc/", api_docs.redoc_view, name="api-redoc"),
]

# Under /api/ errors answer as problem details, elsewhere as the site's pages.
handler400 = "sferum_admin.error_views.bad_request"
handler403 = "sferum_admin.error_views.permission_denied"
handler404 = "sferum_admin.error_views.not_found"
handler500 = "sferum_admin.error_views.server_error"
