"""Language selection: Russian unless the user chose another language."""

from django.conf import settings
from django.utils import translation


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
