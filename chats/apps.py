from django.apps import AppConfig


class ChatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chats"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
        from . import marks_reset  # noqa: F401 - connects the receivers that unmark a school's messages
