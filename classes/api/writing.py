"""What the API's write endpoints share: the school a request may write to, conflicts, and their OpenAPI shapes.

Only a school administrator writes to their school, as on the pages (classes.access.can_write_school): another
login of the school's scope (its municipal or regional administrator, its teacher) gets 403, a school outside
the request's scope 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from classes.access import can_write_school
from classes.api.scope import api_schools
from classes.models import School


class Conflict(APIException):
    """The object is not in a state that allows the request (already confirmed, not ready yet, already running)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the object's current state.")
    default_code = "conflict"


class QueueUnavailable(APIException):
    """The background queue could not take the task; the detail says what to do."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("The background queue cannot take the task; try again later.")
    default_code = "queue_unavailable"


def writer_check(request: Request) -> None:
    """Raise 403 unless the request's login writes to its school (its school administrator)."""
    if not can_write_school(user=request.user):
        raise PermissionDenied


def api_school_to_write(request: Request, school_id: int) -> School:
    """Return the school if the request writes to it; 404 outside the request's scope, 403 for a reader."""
    school = get_object_or_404(api_schools(request), pk=school_id)
    writer_check(request)
    return school


def object_to_write(request: Request, queryset: QuerySet, pk: int):
    """Return the object of `queryset` (a model with a `school`) if its school is in the request's scope, else 404;
    403 when the login only reads that school."""
    found = get_object_or_404(queryset.filter(school__in=api_schools(request).values("pk")), pk=pk)
    writer_check(request)
    return found


class ProblemSerializer(serializers.Serializer):
    """An error as RFC 9457 problem details (classes.api.problems)."""

    type = serializers.CharField(help_text="Тип ошибки: всегда about:blank.")
    title = serializers.CharField(help_text="Краткое название ошибки на языке запроса.")
    status = serializers.IntegerField(help_text="HTTP-код ответа.")
    detail = serializers.CharField(help_text="Что не так и что сделать, одним предложением.")
    instance = serializers.CharField(help_text="Адрес запроса.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Только для 400: ошибки по полям запроса.",
    )


PROBLEM_DESCRIPTIONS = {
    400: "Запрос не прошёл проверку: «errors» называет поля и причины.",
    403: "Писать может только администратор школы; другие роли видят школу только для чтения.",
    404: "Объект вне области доступа или не существует.",
    409: "Объект в состоянии, которое не допускает запрос (уже подтверждено, ещё не готово, уже идёт).",
    503: "Фоновая очередь не принимает задачу; повторите позже.",
}


def problem_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Return the OpenAPI responses of the given error codes, each a problem details object."""
    return {code: OpenApiResponse(ProblemSerializer, description=PROBLEM_DESCRIPTIONS[code]) for code in codes}
