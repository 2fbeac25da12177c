import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import QuarterFactory
from classes.tests.factories import UserFactory

PROJECT_APPS = ("classes", "activation", "chats", "reports")


def test_the_admin_lists_every_model_of_the_project():
    missing = [
        model._meta.label
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.django_db
def test_the_inlines_show_a_year_s_quarters_and_holidays_and_a_class_s_teachers_and_a_student_s_classes(client):
    year = AcademicYearFactory()
    QuarterFactory(year=year)
    enrollment = EnrollmentFactory(school_class__year=year)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    pages = {
        "academicyear": (year.pk, ["quarters-TOTAL_FORMS", "holidays-TOTAL_FORMS"]),
        "schoolclass": (enrollment.school_class.pk, ["assignments-TOTAL_FORMS"]),
        "student": (enrollment.student.pk, ["enrollments-TOTAL_FORMS"]),
    }
    for model, (pk, formsets) in pages.items():
        page = client.get(reverse(f"admin:classes_{model}_change", args=[pk])).content.decode()
        assert all(formset in page for formset in formsets), model
