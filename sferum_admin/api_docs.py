"""The API's description (/api/schema/) and its readers, Swagger UI (/api/docs/) and ReDoc (/api/redoc/).

All three answer a logged-in user only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); an anonymous browser is sent to
the login page, an anonymous script gets problem details. The readers' scripts and styles are drf-spectacular-
sidecar's static files (schools' networks reach no CDN) and the pages have no inline code of their own
(templates/api/), so the site's Content-Security-Policy holds on them with only these additions:

- Swagger UI: its stylesheet draws icons from `data:` images (img-src).
- ReDoc: it styles itself with <style> elements it creates (styled-components): they carry the response's nonce
  (Redoc's `nonce` option) instead of the policy allowing inline styles; its search index runs in a worker it
  creates from a `blob:` URL (worker-src); its icons are `data:` images. Still blocked, harmlessly (checked in
  chromium): its "API docs by Redocly" logo, which it asks of its CDN, and two style= attributes it sets.
"""

from __future__ import annotations

from csp.constants import NONCE
from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularRedocView
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer

SWAGGER_CSP = {"img-src": ["data:"]}
REDOC_CSP = {"style-src": [NONCE], "img-src": ["data:"], "worker-src": [SELF, "blob:"]}


class SchemaView(SpectacularAPIView):
    """The OpenAPI document; its errors (an anonymous caller) are problem details in JSON, not YAML."""

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; its start-up script is this URL with `?script` (a file of the same origin, not inline)."""

    url_name = "api-schema"
    template_name = "api/swagger_ui.html"


class RedocView(SpectacularRedocView):
    url_name = "api-schema"
    template_name = "api/redoc.html"


schema_view = SchemaView.as_view()
swagger_view = login_required(csp_update(SWAGGER_CSP)(SwaggerView.as_view()))
redoc_view = login_required(csp_update(REDOC_CSP)(RedocView.as_view()))
