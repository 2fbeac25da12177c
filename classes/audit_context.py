"""Where an audited change comes from (the client's address of the request being served) and its scope.

`AuditAddressMiddleware` keeps the address of each request in a context variable for the request's duration,
so `classes.services.audit_record` writes "from where" without every service taking the request. The address
is allauth's adapter's (`classes.accounts`): a proxy's X-Forwarded-For is believed only from a trusted proxy.
Work outside a request (a Celery task, a command) has no address: its entries say so by leaving it empty.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http import HttpResponse

_address: ContextVar[str | None] = ContextVar("audit_address", default=None)


def client_address(request: HttpRequest) -> str | None:
    """Return the request's client address (None when it cannot be told)."""
    try:
        return get_adapter(request).get_client_ip(request) or None
    except PermissionDenied:
        return None


def current_address() -> str | None:
    """Return the client address of the request being served, None outside a request."""
    return _address.get()


class AuditAddressMiddleware:
    """Keep the client's address for the audit entries written while the request is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)


def audit_scope(*, school=None, municipality=None, region=None) -> dict:
    """Return the entry's school, municipality and region: each wider one from the narrower when not given."""
    municipality = municipality or (school.municipality if school is not None else None)
    region = region or (municipality.region if municipality is not None else None)
    return {"school": school, "municipality": municipality, "region": region}


def user_scope(user) -> dict:
    """Return a login's own scope as audit_scope's arguments (its school, municipality or region)."""
    return {"school": user.school, "municipality": user.municipality, "region": user.region}
