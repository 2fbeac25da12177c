from django.apps import AppConfig


class ClassesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "classes"

    def ready(self) -> None:
        from classes import audit_logins  # noqa: F401 - connects the login receivers
