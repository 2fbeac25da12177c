"""
ASGI config for sferum_admin project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

# A server started without DJANGO_SETTINGS_MODULE runs the production settings (which refuse to start without
# a secret key), never the development ones; `manage.py runserver` keeps the development default.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings.production")

application = get_asgi_application()
