"""API throttling: per token when the request carries one, else per login (rates in API_THROTTLE_RATES).

Counters live in Django's cache (Redis in production, shared by every worker). A request over its rate gets a
429 problem with Retry-After.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from classes.models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    """Reads its rate from settings.API_THROTTLE_RATES on each request (DRF binds its rates once, at import)."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope)


class ApiTokenRateThrottle(_SettingsRateThrottle):
    """Requests of one API token (scope `api_token`); requests without a token are not counted here."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class ApiUserRateThrottle(_SettingsRateThrottle):
    """Requests of one login, by session or by any of its tokens (scope `api_user`); anonymous ones by address."""

    scope = "api_user"

    def get_cache_key(self, request, view):
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
