"""Fixtures shared by the tests of the page cache."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body

    def header(self, name):
        return self.headers.get(name)


@pytest.fixture
def wsgi_get():
    """Send a request through the WSGI application; count the requests Django handled.

    Django's request signals close the test's database connection, as the test client
    knows: they are replaced by a counter for the test.
    """
    # Imported when used: importing it builds the WSGI application.
    from pressroom.wsgi import application as wsgi_application

    handled = []

    def count(**kwargs):
        handled.append(kwargs)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.connect(count)

    def get(path, *, method="GET", **headers):
        environ = RequestFactory().generic(method, path, headers=headers).environ
        replies = []
        body = wsgi_application(environ, lambda status, headers: replies.append((status, headers)))
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        return Answer(*replies[0], content)

    get.handled = handled
    try:
        yield get
    finally:
        request_started.disconnect(count)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
