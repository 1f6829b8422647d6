"""A bare Django view returning a fixed page: the reference for Django's own cost.

bench/run.py serves it with gunicorn like the site (2 sync workers) and measures it like
a page; the issue's reference figure (about 5 300 requests/s on a 2-core machine) is of
such a view. No middleware, no database, no template: the page is the article page's
HTML that nginx also serves as the static reference (BENCH_BARE_PAGE names the file).
"""

import os
from pathlib import Path

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

PAGE = Path(os.environ["BENCH_BARE_PAGE"]).read_bytes()


def page(request):
    return HttpResponse(PAGE)


urlpatterns = [path("page.html", page)]
application = get_wsgi_application()
