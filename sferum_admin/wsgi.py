"""The WSGI entry point: `application` for a WSGI server (production settings unless told otherwise).

See https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

from django.core.wsgi import get_wsgi_application

from sferum_admin.settings.environment import settings_module_default_production

settings_module_default_production()

application = get_wsgi_application()
