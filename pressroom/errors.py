"""Error pages that work without the database: 400, 413, 500 and 503.

They are rendered without a request context (nothing lazy can reach the database) and
from templates that extend templates/errors/layout.html, which runs no queries.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

# Seconds a client is asked to wait while the database is away: a restart takes a few.
RETRY_AFTER_SECONDS = 10
DATABASE_ERRORS = (OperationalError, InterfaceError)


def error_page(template_name, status, **headers):
    """Return a never-cached error page rendered without touching the database."""
    context = {
        "site_name": settings.PRESSROOM_SITE_NAME,
        "site_publisher": settings.PRESSROOM_PUBLISHER,
    }
    response = HttpResponse(render_to_string(template_name, context), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    add_never_cache_headers(response)
    return response


def database_unavailable():
    """Return the 503 page shown while the database cannot be reached."""
    return error_page("503.html", 503, Retry_After=str(RETRY_AFTER_SECONDS))


def is_database_outage(error):
    """Return whether an exception, or one it was raised from, is a database connection error."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, DATABASE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def bad_request(request, exception=None):
    """handler400: a body over the upload limits is 413, any other bad request 400."""
    if isinstance(exception, RequestDataTooBig):
        return error_page("413.html", 413)
    return error_page("400.html", 400)


def server_error(request):
    """handler500: 503 when the database is away (even outside a view), else the 500 page.

    Django calls it while handling the exception, which covers errors raised in
    middleware (a session loaded or saved) that no process_exception() ever sees.
    """
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable()
    return error_page("500.html", 500)
