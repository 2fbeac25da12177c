"""The reports app's API representations. Figures come stored (school summaries, activation snapshots, weekly rows);
serializers only shape them, the views fetch them for a whole page at once."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from classes.models import School
from classes.models import SchoolClass
from reports.models import ActivationSnapshot
from reports.models import Reconciliation
from reports.models import ReconciliationItem
from reports.models import WeeklyActivity
from reports.rates import Rate
from reports.selectors import SchoolFigures


class RateSerializer(serializers.Serializer):
    """A rate as numerator over denominator; `rate` is empty when the denominator is 0 ("no data")."""

    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="Доля, округлённая до 4 знаков; null без данных.")
    target = serializers.FloatField(allow_null=True, help_text="Цель (доля).")
    passes = serializers.BooleanField(allow_null=True, help_text="Достигнута ли цель; null без данных или цели.")


class ClassesBelowTargetSerializer(serializers.Serializer):
    any = serializers.IntegerField(help_text="Классы ниже цели по ученикам или родителям.")
    students = serializers.IntegerField()
    parents = serializers.IntegerField()


class ActiveTeachersSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="Понедельник последней завершённой недели.")
    evaluated = serializers.BooleanField(help_text="Оценивалась ли неделя (были ли учебные дни и история).")
    active = serializers.IntegerField()
    teachers = serializers.IntegerField(help_text="Оценённые учителя.")


def rate_json(rate: Rate) -> dict:
    return rate.as_json(target=True)


class SchoolSerializer(serializers.ModelSerializer):
    """A school with the figures of its latest stored summary (the context's `figures`: {school id: SchoolFigures})."""

    staff = serializers.SerializerMethodField()
    students = serializers.SerializerMethodField()
    parents = serializers.SerializerMethodField()
    classes_below_target = serializers.SerializerMethodField()
    active_teachers = serializers.SerializerMethodField()
    figures_day = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "short_name",
            "full_name",
            "municipality",
            "timezone",
            "staff",
            "students",
            "parents",
            "classes_below_target",
            "active_teachers",
            "figures_day",
            "as_of",
        ]

    def _figures(self, school: School) -> SchoolFigures | None:
        return self.context.get("figures", {}).get(school.pk)

    def _rate(self, school: School, group: str) -> dict | None:
        figures = self._figures(school)
        return rate_json(getattr(figures, group)) if figures else None

    @extend_schema_field(RateSerializer(allow_null=True))
    def get_staff(self, school: School) -> dict | None:
        return self._rate(school, "staff")

    @extend_schema_field(RateSerializer(allow_null=True))
    def get_students(self, school: School) -> dict | None:
        return self._rate(school, "students")

    @extend_schema_field(RateSerializer(allow_null=True))
    def get_parents(self, school: School) -> dict | None:
        return self._rate(school, "parents")

    @extend_schema_field(ClassesBelowTargetSerializer(allow_null=True))
    def get_classes_below_target(self, school: School) -> dict | None:
        figures = self._figures(school)
        if figures is None:
            return None
        below = figures.below_target
        return {"any": below.any, "students": below.students, "parents": below.parents}

    @extend_schema_field(ActiveTeachersSerializer(allow_null=True))
    def get_active_teachers(self, school: School) -> dict | None:
        figures = self._figures(school)
        if figures is None:
            return None
        teachers = figures.active_teachers
        return {
            "week_start": figures.week.week_start,
            "evaluated": figures.week.evaluated,
            "active": teachers.numerator,
            "teachers": teachers.denominator,
        }

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_figures_day(self, school: School):
        figures = self._figures(school)
        return figures.day if figures else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_as_of(self, school: School) -> str | None:
        figures = self._figures(school)
        return serializers.DateTimeField().to_representation(figures.computed_at) if figures else None


class ClassSerializer(serializers.ModelSerializer):
    """A class with its students' and parents' rates of its latest stored snapshot (the context's `snapshots`)."""

    name = serializers.CharField(read_only=True)
    students = serializers.SerializerMethodField()
    parents = serializers.SerializerMethodField()
    rates_day = serializers.SerializerMethodField()

    class Meta:
        model = SchoolClass
        fields = [
            "id",
            "school",
            "year",
            "grade",
            "letter",
            "name",
            "class_teacher",
            "students",
            "parents",
            "rates_day",
        ]

    def _snapshots(self, school_class: SchoolClass) -> dict[str, ActivationSnapshot]:
        return self.context.get("snapshots", {}).get(school_class.pk, {})

    def _rate(self, school_class: SchoolClass, group: str) -> dict | None:
        row = self._snapshots(school_class).get(group)
        return rate_json(Rate(row.numerator, row.denominator, row.target)) if row else None

    @extend_schema_field(RateSerializer(allow_null=True))
    def get_students(self, school_class: SchoolClass) -> dict | None:
        return self._rate(school_class, "students")

    @extend_schema_field(RateSerializer(allow_null=True))
    def get_parents(self, school_class: SchoolClass) -> dict | None:
        return self._rate(school_class, "parents")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_rates_day(self, school_class: SchoolClass):
        rows = self._snapshots(school_class)
        return max(row.day for row in rows.values()) if rows else None


class WeeklyActivitySerializer(serializers.ModelSerializer):
    person_id = serializers.CharField(source="staff.person_id", read_only=True)
    full_name = serializers.CharField(source="staff.full_name", read_only=True)
    week = serializers.CharField(read_only=True, help_text="ISO-неделя, например 2026-W46.")

    class Meta:
        model = WeeklyActivity
        fields = [
            "id",
            "staff",
            "person_id",
            "full_name",
            "school",
            "week",
            "week_start",
            "messages",
            "threshold",
            "status",
            "has_account",
            "suspicious",
            "emoji_only_messages",
            "duplicate_messages",
            "burst_messages",
            "computed_at",
        ]


class ActivationSnapshotSerializer(serializers.ModelSerializer):
    rate = serializers.SerializerMethodField()

    class Meta:
        model = ActivationSnapshot
        fields = [
            "id",
            "day",
            "scope",
            "scope_id",
            "group",
            "municipality",
            "school",
            "school_class",
            "numerator",
            "denominator",
            "rate",
            "target",
            "passes",
            "computed_at",
        ]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rate(self, snapshot: ActivationSnapshot) -> float | None:
        return Rate(snapshot.numerator, snapshot.denominator).rounded


class ReconciliationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReconciliationItem
        fields = [
            "id",
            "key",
            "category",
            "role",
            "person_id",
            "name",
            "roster_class",
            "sferum_class",
            "sferum_user_id",
            "note",
            "probable",
            "resolution",
            "resolution_note",
            "resolved_by_name",
            "resolved_at",
        ]


class ReconciliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "school",
            "quarter",
            "quarter_label",
            "school_name",
            "status",
            "source",
            "opened_at",
            "notified_at",
            "computed_at",
            "summary",
            "signed_by_name",
            "signed_by_position",
            "signed_at",
        ]


class ReconciliationDetailSerializer(ReconciliationSerializer):
    items = ReconciliationItemSerializer(many=True, read_only=True)

    class Meta(ReconciliationSerializer.Meta):
        fields = [*ReconciliationSerializer.Meta.fields, "items"]
