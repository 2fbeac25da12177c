"""The sync's write endpoints: start a sync of a school, confirm a held one; both run on the worker.

The sync page's buttons (chats.views.sync_now, sync_confirm) and these call the same services (chats.sync_start):
the school must be connected to Sferum, one run at a time per school, the task queued once the transaction
commits; a held run is released through the page's HoldReleaseForm. Only the school administrator
writes; the school's other readers get 403, a school or run outside the request's scope 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chats.api.sync_serializers import SyncConfirmRequestSerializer
from chats.api.sync_serializers import SyncRunQueuedSerializer
from chats.api.sync_serializers import sync_run_url
from chats.models import SyncRun
from chats.sync import memberships_current_count
from chats.sync_start import SyncNotConnected
from chats.sync_start import SyncQueued
from chats.sync_start import sync_held_release
from chats.sync_start import sync_start
from classes.api.writing import Conflict
from classes.api.writing import QueueUnavailable
from classes.api.writing import api_school_to_write
from classes.api.writing import object_to_write
from classes.api.writing import problem_responses
from classes.forms import HoldReleaseForm
from classes.models import School


def _accepted(run: SyncRun) -> Response:
    return Response(
        SyncRunQueuedSerializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": sync_run_url(run)}
    )


def _already_running(school: School, run: SyncRun) -> Conflict:
    return Conflict(
        _("A sync of %(school)s is already under way; follow it at %(url)s and start another when it ends.")
        % {"school": school, "url": sync_run_url(run)}
    )


def _answer(school: School, outcome: SyncQueued) -> Response:
    """202 with the run's address; 409 when a run was already under way; 503 when the queue refused the task."""
    if not outcome.started:
        raise _already_running(school, outcome.run)
    if outcome.error:
        raise QueueUnavailable(outcome.error)
    return _accepted(outcome.run)


class SchoolSyncStartView(APIView):
    @extend_schema(
        summary="Запустить синхронизацию школы",
        description=(
            "Ставит синхронизацию школы со Сферумом в очередь фонового обработчика, как кнопка на странице "
            "синхронизаций. Ответ 202: Location — адрес запуска (/api/v1/sync-runs/{id}/). 409 — школа не "
            "подключена к Сферуму или синхронизация уже идёт. Только администратор школы."
        ),
        request=None,
        responses={202: SyncRunQueuedSerializer, **problem_responses(403, 404, 409, 503)},
        tags=["sync"],
    )
    def post(self, request: Request, school_id: int) -> Response:
        school = api_school_to_write(request, school_id)
        try:
            outcome = sync_start(school=school)
        except SyncNotConnected as error:
            raise Conflict(str(error)) from None
        return _answer(school, outcome)


class SyncRunConfirmView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        summary="Подтвердить задержанную синхронизацию",
        description=(
            "Разрешает удаления задержанного (held) запуска: ставит в очередь новую синхронизацию школы с "
            "разрешёнными удалениями, как кнопка на странице. Когда заканчивается больше половины членств, "
            "нужно их число в removals_typed. Ответ 202: Location — адрес нового запуска. 409 — запуск не "
            "задержан или уже подтверждён, или синхронизация уже идёт."
        ),
        request=SyncConfirmRequestSerializer,
        responses={202: SyncRunQueuedSerializer, **problem_responses(400, 403, 404, 409, 503)},
        tags=["sync"],
    )
    def post(self, request: Request, pk: int) -> Response:
        run = object_to_write(request, SyncRun.objects.select_related("school"), pk)
        if run.status != SyncRun.Status.HELD or run.confirmed_at is not None:
            raise Conflict(_("Only a held sync waits for confirmation."))
        form = HoldReleaseForm(
            request.data, removals=run.held_removals, current=memberships_current_count(school=run.school)
        )
        if not form.is_valid():
            raise ValidationError(
                {name: [str(message) for message in messages] for name, messages in form.errors.items()}
            )
        return _answer(run.school, sync_held_release(run=run, user=request.user))
