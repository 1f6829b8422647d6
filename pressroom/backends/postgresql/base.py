"""Django's PostgreSQL backend with a health check that needs no round trip when idle,
and which remembers the statements prepared in its session (articles.prepared).

CONN_HEALTH_CHECKS makes Django ask a persistent connection whether it still works
before the first query of each request; Django's PostgreSQL backend asks with
`SELECT 1`, a round trip to the server on every request (an uncached article page
otherwise runs one query). A connection the server has ended (a restart,
pg_terminate_backend, idle_session_timeout, a pooler closing it) always has something
to read on its socket: the server's FATAL message or the end of the stream. A live,
idle connection has nothing to read. So an empty socket is usable without asking, and
anything waiting on it is left to Django's `SELECT 1` to judge, which fails on a closed
connection and lets Django open a new one.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    # {statement name: whether the server prepared it} in the current session
    # (articles.prepared); None until connected.
    prepared_statements = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.prepared_statements = {}
        return connection

    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        waiting = select.poll()
        try:
            waiting.register(self.connection.fileno(), select.POLLIN)
            readable = waiting.poll(0)
        except (OSError, ValueError):
            return super().is_usable()
        return not readable or super().is_usable()
