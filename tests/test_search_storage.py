"""Where PostgreSQL keeps the search documents: in the articles' rows, where ranking reads them."""

import pytest
from django.core.management import call_command
from django.db import connection

from articles.search import refresh_search_document
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# ~260 different words: a search document of ~3 kB, which PostgreSQL would move out of
# the row by default.
LONG_BODY = "<p>" + " ".join(f"слово{number}" for number in range(260)) + "</p>"


def document_bytes(article):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(search_document) FROM articles_article WHERE id = %s",
            [article.pk],
        )
        return cursor.fetchone()[0]


def out_of_line_bytes():
    """Return the bytes of the articles' values that are stored out of line, in TOAST."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'articles_article'"
        )
        toast_table = cursor.fetchone()[0]
        cursor.execute(f"SELECT coalesce(sum(octet_length(chunk_data)), 0) FROM {toast_table}")
        return cursor.fetchone()[0]


def test_search_document_column_is_stored_in_the_row():
    """The search document column has STORAGE MAIN."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'articles_article'::regclass AND attname = 'search_document'"
        )
        assert cursor.fetchone() == ("m",)


def test_a_refreshed_long_document_is_stored_in_its_row():
    """A ~3 kB document written by refresh_search_document stays in the row."""
    article = ArticleFactory(title="Форум", body=LONG_BODY)
    refresh_search_document([article.pk])
    assert document_bytes(article) > 2500
    assert out_of_line_bytes() < document_bytes(article)


@pytest.mark.django_db(transaction=True)
def test_migration_moves_existing_documents_into_their_rows():
    """Documents stored out of line before migration 0007 are in their rows after it."""
    call_command("migrate", "articles", "0006", verbosity=0)
    article = ArticleFactory(title="Форум", body=LONG_BODY)
    refresh_search_document([article.pk])
    assert out_of_line_bytes() >= document_bytes(article)
    call_command("migrate", "articles", verbosity=0)
    assert out_of_line_bytes() < document_bytes(article)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document @@ websearch_to_tsquery('russian', 'слово259') "
            "FROM articles_article WHERE id = %s",
            [article.pk],
        )
        assert cursor.fetchone() == (True,)
