from django.apps import apps
from django.contrib import admin

PROJECT_APPS = ("classes", "activation", "chats", "reports")


def test_the_admin_lists_every_model_of_the_project():
    missing = [
        model._meta.label
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not admin.site.is_registered(model)
    ]
    assert missing == []
