"""Error pages: under /api/ an error is RFC 9457 problem details like the API's own (classes.api.problems),
never an HTML page a script cannot read; elsewhere Django's pages (templates/404.html and the others)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from classes.api.problems import CONTENT_TYPE
from classes.api.problems import problem


def _problem(request: HttpRequest, status: int, title: str, detail: str) -> JsonResponse:
    body = problem(status=status, title=title, detail=detail, instance=request.get_full_path())
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _api(request):
        return _problem(request, 404, _("Not found"), _("No endpoint or object answers at this address."))
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _api(request):
        return _problem(request, 400, _("The request is not valid"), _("The request could not be read."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _api(request):
        return _problem(request, 403, _("Access is denied"), str(exception or "") or _("Access is denied"))
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _api(request):
        return _problem(request, 500, _("Server error"), _("The server failed; try again later."))
    return defaults.server_error(request)
