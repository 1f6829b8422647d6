"""Deep list pages start where a memo says, not after an OFFSET: same articles, never stale.

FIRST_PAGE_BY_START is 50 in production; these tests lower it to 2 so that a few dozen
articles make deep pages.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.views import mixins
from articles.views.mixins import ARTICLES_PER_PAGE
from tests.factories import ArticleFactory, RubricFactory
from tests.pages import card_titles

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 11, 1, 5, 0, tzinfo=datetime.UTC)
URLS = {"home": "/", "rubric": "/rubrics/obshchestvo/", "tag": "/tags/obshchestvo/"}


@pytest.fixture(autouse=True)
def deep_from_page_two(monkeypatch):
    monkeypatch.setattr(mixins, "FIRST_PAGE_BY_START", 2)


@pytest.fixture
def rubric():
    return RubricFactory(slug="obshchestvo")


def publish(rubric, number, at):
    return ArticleFactory(
        title=f"Новость {number:03}", published_at=at, rubrics=[rubric], tags=["Общество"]
    )


@pytest.fixture
def archive(rubric):
    """Fifty articles; three share each time, so pages break inside a group of equal times."""
    for number in range(50):
        publish(rubric, number, START + datetime.timedelta(hours=number // 3))
    ArticleFactory(title="Черновик", status=Article.Status.DRAFT, rubrics=[rubric])


def statement_text(sql):
    """Return the SQL a logged query ran: the prepared statement's own for an EXECUTE."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        name = sql.split()[1].split("(")[0]
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def newest_first():
    published = Article.objects.published().order_by("-published_at", "-id")
    return list(published.values_list("title", flat=True))


def listed(client, url):
    response = client.get(url)
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return card_titles(response)


def every_page(client, url):
    pages, number = [], 1
    while (page := listed(client, f"{url}?page={number}" if number > 1 else url)) is not None:
        pages.append(page)
        number += 1
    return pages


@pytest.mark.parametrize("kind", URLS)
def test_deep_pages_list_every_article_once_newest_first(client, archive, kind, without_page_cache):
    pages = every_page(client, URLS[kind])
    assert [len(page) for page in pages] == [20, 20, 10]
    assert [title for page in pages for title in page] == newest_first()
    # Again, from the memo of where each page starts.
    assert every_page(client, URLS[kind]) == pages


@pytest.mark.parametrize("kind", URLS)
def test_a_repeated_deep_page_runs_one_query_and_skips_no_rows(
    client, archive, kind, without_page_cache, django_assert_num_queries
):
    client.get(URLS[kind])
    client.get(f"{URLS[kind]}?page=2")
    with django_assert_num_queries(0):  # the first page's ids are kept
        client.get(URLS[kind])
    with django_assert_num_queries(1) as captured:
        client.get(f"{URLS[kind]}?page=2")
    assert "OFFSET" not in statement_text(captured.captured_queries[0]["sql"]).upper()


@pytest.mark.parametrize("kind", URLS)
def test_a_new_article_moves_every_deep_page_at_once(client, archive, rubric, kind):
    before = listed(client, f"{URLS[kind]}?page=2")
    publish(rubric, 99, START + datetime.timedelta(days=30))
    after = listed(client, f"{URLS[kind]}?page=2")
    assert after == newest_first()[ARTICLES_PER_PAGE : 2 * ARTICLES_PER_PAGE]
    assert after[1:] == before[:-1]


@pytest.mark.parametrize("kind", URLS)
def test_a_withdrawn_article_leaves_the_deep_pages_at_once(client, archive, kind):
    listed(client, f"{URLS[kind]}?page=3")
    newest = Article.objects.published().order_by("-published_at", "-id").first()
    newest.status = Article.Status.WITHDRAWN
    newest.save()
    assert listed(client, f"{URLS[kind]}?page=3") == newest_first()[40:]
    assert len(newest_first()[40:]) == 9


@pytest.mark.parametrize("kind", URLS)
def test_a_scheduled_article_moves_the_deep_pages_at_its_time(client, archive, rubric, kind):
    goes_live = timezone.now() + datetime.timedelta(hours=1)
    publish(rubric, 98, goes_live)
    with time_machine.travel(goes_live - datetime.timedelta(seconds=1), tick=False):
        before = listed(client, f"{URLS[kind]}?page=2")
        assert "Новость 098" not in newest_first()
    with time_machine.travel(goes_live, tick=False):
        after = listed(client, f"{URLS[kind]}?page=2")
        assert after == newest_first()[ARTICLES_PER_PAGE : 2 * ARTICLES_PER_PAGE]
    assert after[1:] == before[:-1]


@pytest.mark.parametrize("kind", URLS)
def test_a_page_past_the_end_is_a_404_again_and_again(client, archive, kind):
    assert client.get(f"{URLS[kind]}?page=4").status_code == 404
    assert client.get(f"{URLS[kind]}?page=4").status_code == 404
    assert client.get(f"{URLS[kind]}?page=3").status_code == 200
