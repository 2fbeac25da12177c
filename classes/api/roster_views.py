"""The roster upload's write endpoints: upload a file, read its preview, confirm its import (run by the worker).

The same steps as the roster page, through the same form and services: the page's RosterUploadForm checks the
file, `roster_upload_create` reads and keeps it (a large file is read by the worker), and a confirmed import is
queued for the worker (`roster_upload_import_queue`), held when it removes too many people unless confirmed.
Only the school administrator who uploaded a file sees and confirms it (as on the page).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser
from rest_framework.parsers import JSONParser
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classes.api.roster_serializers import RosterConfirmRequestSerializer
from classes.api.roster_serializers import RosterUploadRequestSerializer
from classes.api.roster_serializers import RosterUploadSerializer
from classes.api.roster_serializers import roster_upload_url
from classes.api.writing import Conflict
from classes.api.writing import api_school_to_write
from classes.api.writing import object_to_write
from classes.api.writing import problem_responses
from classes.forms import RosterImportForm
from classes.forms import RosterUploadForm
from classes.models import RosterUpload
from classes.roster.dating import RosterDateError
from classes.roster.dating import roster_as_of_check
from classes.roster.upload_preview import roster_upload_preview
from classes.roster.uploads import RosterUploadError
from classes.roster.uploads import roster_upload_create
from classes.roster.uploads import roster_uploads_expire
from classes.tabular.reading import TableReadError
from classes.tasks import roster_upload_read_task
from classes.views.roster_uploads import roster_upload_import_queue

State = RosterUpload.State


def _accepted(upload: RosterUpload, *, preview: dict | None = None) -> Response:
    url = roster_upload_url(upload)
    data = RosterUploadSerializer(upload, context={"preview": preview}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


def _form_errors(form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def _own_upload(request: Request, pk: int) -> RosterUpload:
    """Return the request's own upload of a school it writes to; 404 outside its scope or another's, 403 a reader."""
    roster_uploads_expire()
    uploads = RosterUpload.objects.select_related("school", "import_log").defer("content")
    upload = object_to_write(request, uploads, pk)
    if upload.user_id != request.user.pk:
        raise NotFound
    return upload


def _not_ready(upload: RosterUpload) -> Conflict:
    """Return why the upload cannot be confirmed now."""
    if upload.state == State.READING:
        return Conflict(_("The file is still being read; wait for its preview, then confirm the import."))
    if upload.state == State.FAILED:
        return Conflict(
            _("The file cannot be read (%(reason)s); fix it and upload it again.") % {"reason": upload.read_error}
        )
    return Conflict(
        _("The import of this file is already confirmed; follow it at %(url)s.") % {"url": roster_upload_url(upload)}
    )


class RosterUploadCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Загрузить список школы",
        description=(
            "Файл проверяется так же, как на странице списка (размер, тип, читаемость). Ответ 202: загрузка "
            "сохранена, большой файл читает фоновый обработчик; заголовок Location — адрес загрузки, где видны "
            "её состояние и предпросмотр. Импорт начинается только после подтверждения (…/confirm/). "
            "Только администратор школы."
        ),
        request={"multipart/form-data": RosterUploadRequestSerializer},
        responses={202: RosterUploadSerializer, **problem_responses(400, 403, 404, 409)},
        tags=["roster"],
    )
    def post(self, request: Request, school_id: int) -> Response:
        school = api_school_to_write(request, school_id)
        form = RosterUploadForm(data={}, files=request.FILES)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        file = form.cleaned_data["file"]
        try:
            upload = roster_upload_create(school=school, user=request.user, file_name=file.name, content=file.read())
        except TableReadError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        except RosterUploadError as exc:
            raise Conflict(str(exc)) from exc
        if upload.state == State.READING:
            roster_upload_read_task.delay_on_commit(upload.pk)
        return _accepted(upload, preview=roster_upload_preview(upload=upload))


class RosterUploadDetailView(APIView):
    @extend_schema(
        summary="Загрузка списка: состояние и предпросмотр",
        description=(
            "Состояние загрузки (reading — читается, ready — готова, failed — не читается, importing — "
            "импортируется, imported — импортирована), предпросмотр как на странице (изменения по классам — "
            "только числа, ошибки с номерами строк), held — будет ли подтверждение без confirm_removals "
            "задержано, и итог последнего импорта. Видна только загрузившему её администратору школы."
        ),
        responses={200: RosterUploadSerializer, **problem_responses(403, 404)},
        tags=["roster"],
    )
    def get(self, request: Request, pk: int) -> Response:
        upload = _own_upload(request, pk)
        preview = roster_upload_preview(upload=upload)
        return Response(RosterUploadSerializer(upload, context={"preview": preview}).data)


class RosterUploadConfirmView(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Подтвердить импорт списка",
        description=(
            "Второй шаг: ставит импорт загруженного файла в очередь фонового обработчика, как кнопка «Импорт» "
            "на странице. Ответ 202 с адресом загрузки в Location: там видно, импортирован ли файл или импорт "
            "задержан (тогда подтвердите снова с confirm_removals, а при выбытии больше половины — с "
            "removals_typed). 409 — файл ещё читается или импорт уже подтверждён."
        ),
        request=RosterConfirmRequestSerializer,
        responses={202: RosterUploadSerializer, **problem_responses(400, 403, 404, 409)},
        tags=["roster"],
    )
    def post(self, request: Request, pk: int) -> Response:
        upload = _own_upload(request, pk)
        if upload.state != State.READY:
            raise _not_ready(upload)
        form = RosterImportForm(data=request.data)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        as_of = form.cleaned_data["as_of"]
        if as_of is not None:
            try:
                roster_as_of_check(school=upload.school, as_of=as_of)
            except RosterDateError as error:
                raise ValidationError({"as_of": [str(error)]}) from error
        queued = roster_upload_import_queue(
            upload=upload,
            confirm_removals=form.cleaned_data["confirm_removals"],
            removals_typed=form.cleaned_data["removals_typed"],
            on=as_of,
        )
        if not queued:
            upload.refresh_from_db()
            raise _not_ready(upload)
        upload.refresh_from_db()
        return _accepted(upload, preview=upload.preview)
