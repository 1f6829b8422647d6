"""Faults answered by the site itself: the database away (503), oversized bodies (413/400).

The PostgreSQL restart under real load is in test_faults_postgres.py; here the database
is made to refuse connections inside the test process, which works on SQLite too.
"""

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import get_resolver, reverse

from pressroom import errors
from tests.factories import ArticleFactory
from tests.test_admin_support import client_for, make_editor

pytestmark = pytest.mark.django_db

OUTAGE = "Сайт временно недоступен"
TRACEBACK_MARKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg", 'File "')


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def database_down(db, monkeypatch):
    """Make every new query fail as it does while PostgreSQL restarts."""

    def refuse(self):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    def start_down():
        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)

    return start_down


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert OUTAGE in page
    assert not any(mark in page for mark in TRACEBACK_MARKS)


@pytest.mark.parametrize("name", ["home", "search"])
def test_public_page_is_a_friendly_503_while_the_database_is_away(name, database_down):
    """A page whose view queries the database answers the Russian 503 page with Retry-After."""
    client = Client(raise_request_exception=False)
    database_down()
    assert_friendly_503(client.get(reverse(f"articles:{name}"), {"q": "форум"}))


def test_article_page_and_feed_are_a_friendly_503(article, database_down):
    """The article page and the news feed: 503 too, not a traceback."""
    client = Client(raise_request_exception=False)
    database_down()
    assert_friendly_503(client.get(article.get_absolute_url()))
    assert_friendly_503(client.get("/feeds/news.rss"))


def test_signed_in_editor_gets_a_503_even_before_the_view(database_down):
    """Loading the editor's session fails in middleware: still the 503 page, not a 500."""
    client = client_for(make_editor())
    client.raise_request_exception = False
    database_down()
    assert_friendly_503(client.get("/admin/"))


def test_closed_connection_is_a_503_too(monkeypatch):
    """InterfaceError (a connection the server dropped) is the same outage."""

    def closed(self):
        raise InterfaceError("connection already closed")

    client = Client(raise_request_exception=False)
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", closed)
    assert_friendly_503(client.get(reverse("articles:home")))


def test_the_site_answers_again_when_the_database_is_back(article, database_down, monkeypatch):
    """Nothing sticks after the outage: the next request is a normal page."""
    client = Client(raise_request_exception=False)
    database_down()
    assert client.get(reverse("articles:home")).status_code == 503
    monkeypatch.undo()
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert article.title in response.content.decode()


def test_other_errors_are_the_russian_500_page():
    """An unexpected error outside the database is the 500 page, with no details."""
    handler = get_resolver().resolve_error_handler(500)
    try:
        raise KeyError("secret detail")
    except KeyError:
        response = handler(None)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Ошибка сервера" in page
    assert "secret detail" not in page and "Traceback" not in page


def test_error_pages_run_no_queries(django_assert_num_queries):
    """The 400, 413, 500 and 503 pages are made without touching the database."""
    with django_assert_num_queries(0):
        for template, status in [("400.html", 400), ("413.html", 413), ("500.html", 500)]:
            assert errors.error_page(template, status).status_code == status
        assert errors.database_unavailable().status_code == 503


# Oversized bodies: Django refuses them while parsing; the answer must never be a 500.

BIG = 6 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB)


def client_with_csrf_cookie():
    """Return a client that enforces CSRF and holds the cookie, as a browser would.

    Without the cookie the CSRF check refuses the request (403) before reading its body.
    """
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(reverse("admin:login"))
    assert "csrftoken" in client.cookies
    return client


def oversized_form(client, url):
    body = "username=editor&password=" + "x" * BIG
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    "url", ["/admin/login/", "/search/", "/accessibility/set/", "/admin/articles/article/add/"]
)
def test_body_over_the_memory_limit_is_a_413_page(url):
    """A form body over 5 MB answers the Russian "too large" page with 413 wherever it is sent."""
    client = client_with_csrf_cookie()
    response = oversized_form(client, url)
    assert response.status_code == 413
    assert "Слишком большой запрос" in response.content.decode()


def test_too_many_fields_is_a_russian_400_page():
    """More than 1 000 form fields answer the Russian 400 page."""
    client = client_with_csrf_cookie()
    body = "&".join(f"f{number}=1" for number in range(1200))
    response = client.post(
        reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()


def test_oversized_photo_upload_in_the_admin_is_not_a_500(article):
    """A multipart upload whose text part is over the limit: 413, never a 500."""
    client = client_for(make_editor())
    client.raise_request_exception = False
    url = reverse("admin:articles_article_bulk_photos", args=[article.pk])
    response = client.post(url, {"alt": "x" * BIG})
    assert response.status_code == 413
