"""The ASGI entry point: `application` for an ASGI server (production settings unless told otherwise).

See https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

from django.core.asgi import get_asgi_application

from sferum_admin.settings.environment import settings_module_default_production

settings_module_default_production()

application = get_asgi_application()
