"""Errors of the API as RFC 9457 problem details (`application/problem+json`), in the request's language.

Every error DRF raises (validation, authentication, permission, not found, throttling, method) and Django's
Http404 and PermissionDenied become {"type", "title", "status", "detail", "instance"}; validation errors add
"errors" (field: messages). The language is the request's Accept-Language (Russian or English), see
sferum_admin.middleware.DefaultLanguageMiddleware.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "about:blank"
CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        status.HTTP_400_BAD_REQUEST: _("The request is not valid"),
        status.HTTP_401_UNAUTHORIZED: _("Authentication is required"),
        status.HTTP_403_FORBIDDEN: _("Access is denied"),
        status.HTTP_404_NOT_FOUND: _("Not found"),
        status.HTTP_405_METHOD_NOT_ALLOWED: _("Method not allowed"),
        status.HTTP_406_NOT_ACCEPTABLE: _("Not acceptable"),
        status.HTTP_409_CONFLICT: _("Conflict"),
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: _("Unsupported media type"),
        status.HTTP_429_TOO_MANY_REQUESTS: _("Too many requests"),
        status.HTTP_503_SERVICE_UNAVAILABLE: _("Service unavailable"),
    }


def _detail(data) -> str:
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    if isinstance(data, list) and data:
        return " ".join(str(item) for item in data)
    return ""


def problem(*, status: int, title: str, detail: str, instance: str) -> dict:
    """Return the problem details body (RFC 9457) of an error answered at `instance` (the request's path)."""
    return {"type": PROBLEM_TYPE, "title": title, "status": status, "detail": detail, "instance": instance}


def problem_exception_handler(exc, context) -> Response | None:
    """Return DRF's response for the exception reshaped as problem details (None for unhandled errors: a 500).

    An id in the address beyond the database's integer range names no object: 404 (SQLite cannot bind it).
    Every 404 says the same: an object outside the scope and one that does not exist read alike.
    """
    if isinstance(exc, OverflowError | Http404):
        # Django's 404 names the model in English ("No School matches…"): the API says only "not found".
        exc = NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    body = problem(
        status=response.status_code,
        title=_titles().get(response.status_code, _("Error")),
        detail=_detail(response.data),
        instance=request.get_full_path() if request is not None else "",
    )
    if isinstance(exc, ValidationError):
        body["detail"] = body["detail"] or _("Correct the fields named in «errors» and send it again.")
        body["errors"] = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
    response.data = body
    response.content_type = CONTENT_TYPE
    return response
