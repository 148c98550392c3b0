import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE",
    f"amtsfluss.settings.{os.environ.get('AMTSFLUSS_SETTINGS', 'embedded')}",
)
application = get_wsgi_application()
