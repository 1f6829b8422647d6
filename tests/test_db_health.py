"""Persistent PostgreSQL connections: checked before each request without a round trip.

pressroom.backends.postgresql reads the socket of an idle connection instead of running
Django's `SELECT 1`; a connection the server has ended is still found out and replaced.
"""

import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def other():
    """A second connection to the test database, as a worker keeps between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


class CountingConnection:
    """A psycopg2 connection that counts the cursors asked of it."""

    def __init__(self, real):
        self.real = real
        self.cursors = 0

    def cursor(self, *args, **kwargs):
        self.cursors += 1
        return self.real.cursor(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def cursors_of_health_check(wrapper):
    """Return (is_usable(), the cursors it asked of the connection: 1 is a SELECT 1)."""
    counting = CountingConnection(wrapper.connection)
    wrapper.connection = counting
    try:
        return wrapper.is_usable(), counting.cursors
    finally:
        wrapper.connection = counting.real


def end_from_server(wrapper):
    """End wrapper's session from another one, as a restart or pg_terminate_backend does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [wrapper.connection.info.backend_pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket


def test_an_idle_live_connection_is_usable_without_a_query(other):
    assert cursors_of_health_check(other) == (True, 0)


def test_a_connection_the_server_ended_is_not_usable(other):
    end_from_server(other)
    assert not other.is_usable()


def test_the_next_request_gets_a_new_connection_after_the_server_ended_one(other):
    """What Django does at the start of a request, then the request's first query."""
    first_pid = other.connection.info.backend_pid
    end_from_server(other)
    other.close_if_unusable_or_obsolete()
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    assert pid != first_pid


def test_a_connection_with_a_notice_waiting_is_asked_with_a_query(other):
    """Something to read that isn't an ending (here a notice) is judged by SELECT 1."""
    other.connection.autocommit = True
    with other.connection.cursor() as cursor:
        cursor.execute("LISTEN pressroom_health")
    sender = other.get_new_connection(other.get_connection_params())
    sender.autocommit = True
    with sender.cursor() as cursor:
        cursor.execute("NOTIFY pressroom_health")
    sender.close()
    time.sleep(0.2)
    assert cursors_of_health_check(other) == (True, 1)
