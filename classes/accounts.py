"""django-allauth adapters: sign-up is closed; administrators create logins (classes/logins.py).

Wrong passwords are throttled by allauth's `login_failed` rate (settings.ACCOUNT_RATE_LIMITS), counted in
the shared cache per client address and per account; the admin's login goes through the same adapter
(`AdminLoginForm`), so there is one throttle, not two.

The optional VK ID login (allauth's `vk` provider, off unless configured in settings) only logs in a
user who already connected VK ID to their login; it never creates a login.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from classes.models import User

logger = logging.getLogger(__name__)


def _trusted_proxy(address: str) -> bool:
    """Return True when the peer address is one of settings.TRUSTED_PROXY_ADDRESSES (addresses or networks)."""
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.TRUSTED_PROXY_ADDRESSES:
        try:
            if peer in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            logger.warning("TRUSTED_PROXY_ADDRESSES holds %r, which is not an address or a network.", entry)
    return False


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """Return the client's address: from the proxy's header only when the peer is a trusted proxy.

        allauth believes X-Forwarded-For (ALLAUTH_TRUSTED_PROXY_COUNT) or a client-address header
        (ALLAUTH_TRUSTED_CLIENT_IP_HEADER) from anyone; a client reaching the application directly could
        then name a new address with every request and never be counted.
        """
        peer = request.META.get("REMOTE_ADDR", "")
        if _trusted_proxy(peer):
            try:
                return super().get_client_ip(request)
            except ImproperlyConfigured:  # fewer X-Forwarded-For addresses than the proxies counted
                logger.warning("X-Forwarded-For has fewer addresses than TRUSTED_PROXY_COUNT; counting the proxy.")
        try:
            return str(ipaddress.ip_address(peer))
        except ValueError:
            raise PermissionDenied("Unable to determine client IP address") from None

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Return the key wrong passwords are counted under: the account's, whether the login named it by
        username or by e-mail (allauth counts the typed text, so each spelling would have its own count).
        """
        login = (credentials.get("email") or credentials.get("username") or "").strip()
        if login:
            accounts = list(
                User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).values_list("pk", flat=True)[:2]
            )
            if len(accounts) == 1:
                return f"account:{accounts[0]}"
        return super()._get_login_attempts_cache_key(request, **credentials)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, authenticating through allauth's adapter: the same throttle as the site's login."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Raises ValidationError («Too many failed login attempts…») once the account or address is limited.
            self.user_cache = get_adapter(self.request).authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ClosedSignupSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False
