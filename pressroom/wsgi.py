"""WSGI entry point for gunicorn: page-cache hits first, then Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pressroom.settings")

django_application = get_wsgi_application()

from articles.pagecache import CachedPageApplication  # noqa: E402 (needs the apps loaded)

application = CachedPageApplication(django_application)
