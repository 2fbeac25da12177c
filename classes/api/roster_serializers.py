"""The roster uploads' API representations: what an upload is, what its preview would change, what a confirm takes.

Only shapes: the upload page's form validates the file (classes.forms.RosterUploadForm) and its import form the
confirmation (classes.forms.RosterImportForm); the request serializers here document them.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from classes.models import RosterImport
from classes.models import RosterUpload
from classes.views.roster_uploads import import_refused_message

CHANGES = ("added", "moved_in", "updated", "moved_out", "left")


def roster_upload_url(upload: RosterUpload) -> str:
    """Return the API address of the upload."""
    return reverse("api-roster-upload-detail", kwargs={"pk": upload.pk})


class RosterUploadRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Файл списка школы (CSV или XLSX) с одной строкой заголовков.")


class RosterConfirmRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="День, на который файл показывает школу (ГГГГ-ММ-ДД); по умолчанию сегодня.",
    )
    confirm_removals = serializers.BooleanField(
        required=False, default=False, help_text="Подтвердить выбытия, когда импорт задержан (held)."
    )
    removals_typed = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Число выбывающих, когда выбывает больше половины людей (removals_need_typed_count).",
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Строка файла (1 — заголовок); null — весь файл.")
    column = serializers.CharField()
    message = serializers.CharField()


class ClassChangeCountsSerializer(serializers.Serializer):
    """How many students a class gains, loses or keeps changed: counts only, no names."""

    name = serializers.CharField()
    new_class = serializers.BooleanField()
    added = serializers.IntegerField()
    moved_in = serializers.IntegerField()
    updated = serializers.IntegerField()
    moved_out = serializers.IntegerField()
    left = serializers.IntegerField()

    def to_representation(self, instance: dict) -> dict:
        return {
            "name": instance["name"],
            "new_class": instance.get("new_class", False),
            **{name: len(instance.get(name, ())) for name in CHANGES},
        }


class CountsField(serializers.DictField):
    def __init__(self, **kwargs) -> None:
        super().__init__(child=serializers.IntegerField(), required=False, **kwargs)


class RosterPreviewSerializer(serializers.Serializer):
    """What the import would do, as the preview page shows it (counts per class instead of names)."""

    status = serializers.CharField(help_text="ok — импортируется; held — задержан; failed — ошибки файла.")
    classes = CountsField()
    staff = CountsField()
    students = CountsField()
    parents = CountsField()
    errors = RowErrorSerializer(many=True)
    would_leave = serializers.IntegerField(required=False)
    current_people = serializers.IntegerField(required=False)
    emptied_classes = serializers.ListField(child=serializers.CharField(), required=False)
    removals_need_typed_count = serializers.BooleanField(required=False)
    class_changes = ClassChangeCountsSerializer(many=True, required=False)

    def to_representation(self, instance: dict) -> dict:
        data = super().to_representation({"class_changes": [], **instance})
        return {name: value for name, value in data.items() if name in instance or name == "class_changes"}


class LastImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="ok — импортирован; held — задержан; failed — ошибки файла.")
    message = serializers.CharField(help_text="Почему ничего не импортировано (пусто, если импорт прошёл).")

    def to_representation(self, instance: RosterImport) -> dict:
        counts = instance.counts
        return {
            "id": instance.pk,
            "status": instance.status,
            "message": import_refused_message(
                status=instance.status,
                leaving=counts.get("would_leave", 0),
                current=counts.get("current_people", 0),
                errors=len(instance.errors),
                typed_count_wrong=counts.get("typed_count_wrong", False),
            ),
        }


class RosterUploadSerializer(serializers.ModelSerializer):
    """An upload with its state; `preview` comes from the view's context (classes.roster.upload_preview)."""

    url = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField(source="created_at")
    preview = serializers.SerializerMethodField()
    held = serializers.SerializerMethodField()
    last_import = LastImportSerializer(source="import_log", allow_null=True)

    class Meta:
        model = RosterUpload
        fields = [
            "id",
            "url",
            "school",
            "file_name",
            "uploaded_at",
            "state",
            "rows_read",
            "read_error",
            "preview",
            "held",
            "last_import",
            "import_error",
        ]
        read_only_fields = fields

    def get_url(self, upload: RosterUpload) -> str:
        return roster_upload_url(upload)

    @extend_schema_field(RosterPreviewSerializer(allow_null=True))
    def get_preview(self, upload: RosterUpload) -> dict | None:
        preview = self.context.get("preview")
        return RosterPreviewSerializer(preview).data if preview is not None else None

    def get_held(self, upload: RosterUpload) -> bool:
        """Return True when confirming without `confirm_removals` would be held (too many would leave)."""
        preview = self.context.get("preview")
        return bool(preview) and preview.get("status") == RosterImport.Status.HELD
