"""Middleware that answers a friendly 503 instead of a 500 while the database is away."""

import logging

from django.conf import settings

from pressroom import errors

logger = logging.getLogger("pressroom.database")


class DatabaseUnavailableMiddleware:
    """Turn a database connection error raised by a view into the 503 page with Retry-After.

    During a PostgreSQL restart, views fail with OperationalError (connection refused,
    "terminating connection due to administrator command") or InterfaceError (the
    connection is already closed). Django closes such a connection at the end of the
    request, and CONN_HEALTH_CHECKS replaces it on the next one, so the site recovers by
    itself. Errors outside views are turned into the same page by pressroom.errors.server_error.
    With DEBUG on, the developer sees the traceback instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG or not errors.is_database_outage(exception):
            return None
        logger.error(
            "Database unavailable, answered 503 to %s %s: %s",
            request.method,
            request.path,
            exception,
            exc_info=exception,
        )
        return errors.database_unavailable()
