"""Strict readers of environment variables for the settings: a value that means nothing stops the start.

A typo such as `DJANGO_DEBUG=ture` raises ImproperlyConfigured naming the variable and the accepted values,
instead of quietly reading as False (or as the default).
"""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean value of an environment variable; unset or empty gives the default.

    Accept 1/true/yes/on and 0/false/no/off in any case; raise ImproperlyConfigured for anything else.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; set it to one of {', '.join(TRUE_WORDS + FALSE_WORDS)} "
        "(any case), or leave it empty for the default."
    )


def env_int(name: str, default: int) -> int:
    """Return the whole-number value of an environment variable; unset or empty gives the default.

    Raise ImproperlyConfigured naming the variable for anything else (like `10MB` or `1.5`).
    """
    return _env_number(name, default, int, "a whole number")


def env_float(name: str, default: float) -> float:
    """Return the numeric value of an environment variable; unset or empty gives the default.

    Raise ImproperlyConfigured naming the variable for anything that is not a number.
    """
    return _env_number(name, default, float, "a number")


def _env_number(name: str, default: float, kind: type, what: str):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not {what}; set it to {what} (like {default}), or leave it empty for the default."
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list; unset or empty gives the default."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION_SETTINGS = "sferum_admin.settings.production"


def settings_module_default_production() -> None:
    """Run the production settings when DJANGO_SETTINGS_MODULE is not set (the ASGI and WSGI servers, the Celery
    worker): a server started without it must never fall back to the development settings, and the production
    ones refuse to start without a secret key. `manage.py` keeps the development default; `make run` passes the
    development settings to its worker explicitly.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS)
