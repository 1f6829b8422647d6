"""The body's part of imported articles' search documents, computed beside the import.

Stemming the body is most of a search document's cost (~0.65 ms for 5 kB of text), and a
PostgreSQL connection does it on one core while the importer waits. The importer hands a
batch's bodies to BodyVectors as soon as it has read them; a helper thread has PostgreSQL
compute them on a connection of its own while the importer writes the batch. That query
reads no table, so it needs no view of the batch's uncommitted rows. The batch's
transaction then writes the documents from the computed parts, so an article is never
committed without its document. A body stored differently from the one sent (sanitized
again, say), or a computation that failed, is computed inside the transaction as before.
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from django.db import DatabaseError, connections

from articles.search import compute_body_vectors, is_full_text


class BodyVectors:
    """Body vectors of the articles being imported, computed on a second connection."""

    def __init__(self, using="default"):
        self.using = using
        self._executor = None
        self._pending = []

    def request(self, bodies):
        """Start computing the vectors of these bodies; return at once."""
        bodies = list(dict.fromkeys(bodies))
        if not bodies or not is_full_text(self.using):
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="body-vectors")
        future = self._executor.submit(compute_body_vectors, bodies, using=self.using)
        self._pending.append((bodies, future))

    def collect(self, stored_bodies):
        """Return {article id: vector} for the articles whose stored body was computed.

        stored_bodies maps article ids to their body as saved. Waits for the requests
        made since the last call, and forgets them.
        """
        known = {}
        for bodies, future in self._pending:
            try:
                known.update(zip(bodies, future.result(), strict=True))
            except (DatabaseError, ValueError):
                continue  # computed inside the transaction instead
        self._pending = []
        return {pk: known[body] for pk, body in stored_bodies.items() if body in known}

    def close(self):
        """Stop the helper thread and close its connection."""
        if self._executor is None:
            return
        self._executor.submit(_close_connection, self.using).result()
        self._executor.shutdown()
        self._executor = None
        self._pending = []


def _close_connection(using):
    # Django's connections belong to the thread that opened them.
    # A broken one leaves nothing open, and the import's own outcome stands.
    with suppress(DatabaseError):
        connections[using].close()
