"""Language selection (Russian unless the user chose another language), Permissions-Policy, the API's ETags."""

from django.conf import settings
from django.middleware.http import ConditionalGetMiddleware
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.cache import patch_vary_headers
from django.utils.cache import set_response_etag


class DefaultLanguageMiddleware:
    """Activate the language from the language cookie, else LANGUAGE_CODE (not the browser's header).

    Schools' computers often run English browsers; the product's default is Russian. The API (/api/) reads
    Accept-Language: a script asks for its language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        available = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/"):
            # Scripts say their language in Accept-Language (Russian when they name none we have).
            language = translation.get_language_from_request(request)
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header (settings.PERMISSIONS_POLICY) to every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    """On the API's read endpoints (GET and HEAD under /api/v1/): a strong ETag, the hash of the body, and
    `304 Not Modified` for a matching If-None-Match; `Vary` names what the body depends on. Other pages unchanged.

    The body is in the request's language (Accept-Language) and in its caller's scope (token or session), so a
    cache must key on those headers too.
    """

    PREFIX = "/api/v1/"
    VARY = ("Accept-Language", "Authorization", "Cookie")

    def process_response(self, request, response):
        if not request.path.startswith(self.PREFIX):
            return response
        patch_vary_headers(response, self.VARY)
        if request.method not in ("GET", "HEAD") or response.streaming or response.has_header("ETag"):
            return response
        if not (200 <= response.status_code < 300) or not self.needs_etag(response):
            return response
        set_response_etag(response)
        if not response.has_header("ETag"):  # an empty body has none
            return response
        return get_conditional_response(request, etag=response["ETag"], response=response)
