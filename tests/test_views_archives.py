"""Rubric, tag, year and month archives: what they list, when they are a 404, their cost."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Tag
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory
from tests.pages import card_titles

pytestmark = pytest.mark.django_db


def local(*args):
    """Return an aware date-time in the site's time zone."""
    return timezone.make_aware(datetime.datetime(*args))


def titles(response):
    return card_titles(response)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_rubric_page_lists_its_published_articles(client):
    """A rubric lists its own published articles, newest first, and nothing else."""
    rubric = RubricFactory(name="Культура", slug="kultura")
    older = ArticleFactory(title="Выставка", rubrics=[rubric], published_at=local(2025, 10, 1, 12))
    newer = ArticleFactory(title="Концерт", rubrics=[rubric], published_at=local(2025, 10, 2, 12))
    ArticleFactory(title="Черновик", rubrics=[rubric], status=Article.Status.DRAFT)
    ArticleFactory(title="Из другой рубрики")
    response = client.get("/rubrics/kultura/")
    assert titles(response) == [newer.title, older.title]
    assert "<h1>Культура</h1>" in response.content.decode()


def test_rubric_page_is_paginated(client):
    """A rubric shows 20 articles a page."""
    rubric = RubricFactory(slug="obshchestvo")
    for _ in range(21):
        ArticleFactory(rubrics=[rubric])
    assert len(client.get("/rubrics/obshchestvo/").context["articles"]) == 20
    assert len(client.get("/rubrics/obshchestvo/", {"page": 2}).context["articles"]) == 1
    assert client.get("/rubrics/obshchestvo/", {"page": 3}).status_code == 404


def test_rubric_with_nothing_published_is_not_found(client):
    """A rubric holding only drafts and scheduled articles answers 404."""
    rubric = RubricFactory(slug="pusto")
    ArticleFactory(rubrics=[rubric], status=Article.Status.DRAFT)
    ArticleFactory(rubrics=[rubric], published_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get("/rubrics/pusto/").status_code == 404


def test_tag_page_lists_the_published_articles_with_the_tag(client):
    """A tag lists the published articles that carry it."""
    tagged = ArticleFactory(title="О Казахстане", tags=["Казахстан"])
    ArticleFactory(title="Черновик о Казахстане", tags=["Казахстан"], status=Article.Status.DRAFT)
    ArticleFactory(title="О другом", tags=["спорт"])
    tag = Tag.objects.get(name="Казахстан")
    response = client.get(tag.get_absolute_url())
    assert titles(response) == [tagged.title]
    assert "<h1>Казахстан</h1>" in response.content.decode()


def test_tag_with_nothing_published_is_not_found(client):
    """A tag carried only by a withdrawn article answers 404."""
    ArticleFactory(tags=["Снятый тег"], status=Article.Status.WITHDRAWN)
    tag = Tag.objects.get(name="Снятый тег")
    assert client.get(tag.get_absolute_url()).status_code == 404


def test_year_archive_uses_the_site_time_zone(client):
    """Half past midnight on 1 January local time belongs to the new year."""
    new_year = ArticleFactory(title="Новогодняя", published_at=local(2025, 1, 1, 0, 30))
    old_year = ArticleFactory(title="Декабрьская", published_at=local(2024, 12, 31, 23, 30))
    assert titles(client.get("/news/2025/")) == [new_year.title]
    assert titles(client.get("/news/2024/")) == [old_year.title]


def test_year_archive_links_its_months_and_counts_articles(client):
    """A year page links the months that have news and counts them in Russian."""
    for day in (1, 2, 3):
        ArticleFactory(published_at=local(2025, 10, day, 12))
    ArticleFactory(published_at=local(2025, 11, 13, 9, 10))
    content = client.get("/news/2025/").content.decode()
    assert '<a href="/news/2025/10/">Октябрь</a>' in content
    assert '<a href="/news/2025/11/">Ноябрь</a>' in content
    assert "4 материала" in content


def test_month_archive_lists_the_month_only(client):
    """A month page lists the articles of that month, in local time."""
    inside = ArticleFactory(title="Ноябрьская", published_at=local(2025, 11, 30, 23, 59))
    ArticleFactory(title="Декабрьская", published_at=local(2025, 12, 1, 0, 1))
    response = client.get("/news/2025/11/")
    assert titles(response) == [inside.title]
    assert "<h1>Ноябрь 2025</h1>" in response.content.decode()


def test_december_archive_ends_with_the_year(client):
    """December's page stops at the end of 31 December."""
    december = ArticleFactory(title="Декабрьская", published_at=local(2025, 12, 31, 23, 0))
    ArticleFactory(title="Январская", published_at=local(2026, 1, 1, 1, 0))
    assert titles(client.get("/news/2025/12/")) == [december.title]


@pytest.mark.parametrize(
    ("count", "words"),
    [(1, "1 материал"), (3, "3 материала"), (5, "5 материалов"), (21, "21 материал")],
)
def test_archive_count_uses_russian_plural_forms(client, count, words):
    """The article count agrees with its number the Russian way."""
    for hour in range(count):
        ArticleFactory(published_at=local(2025, 9, 1, 0) + datetime.timedelta(hours=hour))
    assert words in client.get("/news/2025/09/").content.decode()


@pytest.mark.parametrize("url", ["/news/2025/", "/news/2025/11/", "/news/1999/", "/news/2025/02/"])
def test_archive_with_nothing_published_is_not_found(client, url):
    """A year or month without published news answers 404, even if a draft is dated there."""
    ArticleFactory(status=Article.Status.DRAFT, published_at=local(2025, 11, 13, 9, 10))
    ArticleFactory(published_at=local(2025, 10, 1, 9, 0), status=Article.Status.WITHDRAWN)
    assert client.get(url).status_code == 404


def test_future_article_is_absent_from_its_month(client):
    """A scheduled article is not listed in the archive of its future month."""
    when = timezone.localtime() + datetime.timedelta(hours=1)
    ArticleFactory(title="Запланированная", published_at=when)
    ArticleFactory(title="Сегодняшняя", published_at=when - datetime.timedelta(hours=2))
    response = client.get(f"/news/{when:%Y}/")
    assert "Запланированная" not in titles(response)


def test_archive_pages_have_breadcrumbs(client):
    """A month page's breadcrumbs lead through its year."""
    ArticleFactory(published_at=local(2025, 11, 13, 9, 10))
    content = client.get("/news/2025/11/").content.decode()
    crumbs = content.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/news/2025/">2025</a>' in crumbs
    assert '<span aria-current="page">Ноябрь</span>' in crumbs


@pytest.mark.parametrize("kind", ["rubric", "tag", "year", "month"])
def test_archives_run_the_same_queries_for_3_and_30_articles(client, kind):
    """An archive page costs the same number of queries whatever it lists."""
    rubric = RubricFactory(slug="ekonomika")
    urls = {
        "rubric": "/rubrics/ekonomika/",
        "tag": "/tags/ekonomika/",
        "year": "/news/2025/",
        "month": "/news/2025/11/",
    }

    def add(count):
        for number in range(count):
            article = ArticleFactory(
                rubrics=[rubric, RubricFactory()],
                tags=["экономика", f"тег {number}"],
                published_at=local(2025, 11, 1 + number % 28, 10),
            )
            PhotoFactory(article=article, width=400, height=250)

    add(3)
    with_three = count_queries(client, urls[kind])
    add(27)
    assert count_queries(client, urls[kind]) == with_three
    assert with_three <= 7
