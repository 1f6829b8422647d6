"""Search documents of imported articles, with the body's part computed on a second connection."""

import threading
import time

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from articles.exchange import search_documents
from articles.exchange.search_documents import BodyVectors
from articles.models import Article
from articles.search import refresh_search_document, search_articles
from tests.factories import image_bytes
from tests.test_exchange_support import article, run_import, write_folder

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BODY = "<p>Делегация обсудила поставки зерна и строительство логистического центра.</p>"


def documents():
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, search_document::text FROM articles_article ORDER BY key")
        return dict(cursor.fetchall())


def recomputed_documents():
    """Return the documents as refresh_search_document() computes them inside PostgreSQL."""
    refresh_search_document(Article.objects.values_list("pk", flat=True))
    return documents()


def lines(count, **fields):
    return [
        article(
            f"n-{number}",
            title=f"Новость номер {number}",
            body=f"<p>Текст {number}.</p>{BODY}",
            tags=["Казахстан", f"Тег {number}", "Губернатор"],
            **fields,
        )
        for number in range(count)
    ]


def statements_that_stem_stored_bodies(queries):
    """Return the captured statements that compute a document from the stored body."""
    return [query["sql"] for query in queries if "coalesce(a.body, '')" in query["sql"]]


def statements_with_body_vectors(queries):
    return [query["sql"] for query in queries if "v.body_vector" in query["sql"]]


def test_imported_documents_equal_those_computed_in_the_database(tmp_path):
    """New articles together, one with a photo alone: every document as the UPDATE makes it."""
    with_photo = article(
        "n-photo",
        body=BODY,
        tags=["Казахстан"],
        photos=[{"file": "media/forum.jpg", "caption": "Подписание"}],
    )
    folder = write_folder(
        tmp_path / "in", [*lines(5), with_photo], files={"media/forum.jpg": image_bytes(80, 50)}
    )

    outcome = run_import(folder)

    assert outcome.ok, outcome.text
    imported = documents()
    assert len(imported) == 6 and all(imported.values())
    assert imported == recomputed_documents()


def test_a_batch_of_new_articles_does_not_stem_bodies_in_its_transaction(tmp_path):
    """The batch's transaction only adds the computed body parts: no full REFRESH_SQL."""
    folder = write_folder(tmp_path / "in", lines(4))

    with CaptureQueriesContext(connection) as queries:
        outcome = run_import(folder)

    assert outcome.ok, outcome.text
    assert statements_that_stem_stored_bodies(queries.captured_queries) == []
    assert len(statements_with_body_vectors(queries.captured_queries)) == 1
    found = search_articles(Article.objects.published(), "логистического")
    assert {a.key for a in found} == {"n-0", "n-1", "n-2", "n-3"}


def test_updated_articles_get_documents_of_their_new_text(tmp_path):
    """A changed body uses a computed part; a changed title alone is computed in the UPDATE."""
    run_import(write_folder(tmp_path / "in", lines(3)))
    changed = lines(3)
    changed[0]["body"] = "<p>Новый текст о весеннем севе.</p>"
    changed[1]["title"] = "Заголовок о паводке"

    outcome = run_import(write_folder(tmp_path / "in", changed))

    assert outcome.ok, outcome.text
    assert documents() == recomputed_documents()
    published = Article.objects.published()
    assert [a.key for a in search_articles(published, "севе")] == ["n-0"]
    assert [a.key for a in search_articles(published, "паводке")] == ["n-1"]


def test_a_failed_computation_leaves_the_documents_to_the_transaction(tmp_path, monkeypatch):
    """If the second connection fails, the batch computes its documents itself."""

    def fail(bodies, *, using):
        raise DatabaseError("simulated")

    monkeypatch.setattr(search_documents, "compute_body_vectors", fail)

    outcome = run_import(write_folder(tmp_path / "in", lines(3)))

    assert outcome.ok, outcome.text
    assert all(documents().values())
    assert documents() == recomputed_documents()


def test_a_body_stored_differently_from_the_one_sent_is_not_given_its_vector():
    """Only a body equal to the one computed is given that computation's vector."""
    vectors = BodyVectors()
    try:
        vectors.request(["<p>Первый текст</p>", "<p>Второй текст</p>"])

        found = vectors.collect({1: "<p>Первый текст</p>", 2: "<p>Другой текст</p>"})
    finally:
        vectors.close()

    assert found == {1: "'перв':1C 'текст':2C"}


def server_connections():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_the_import_stops_its_helper_and_closes_its_connection(tmp_path):
    """An import run from a long-lived process leaves no thread or connection behind it."""
    before = server_connections()

    outcome = run_import(write_folder(tmp_path / "in", lines(3)))

    assert outcome.ok, outcome.text
    assert not [t for t in threading.enumerate() if t.name.startswith("body-vectors")]
    # A closed connection's server process leaves pg_stat_activity a moment later.
    deadline = time.monotonic() + 5
    while server_connections() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_connections() == before
