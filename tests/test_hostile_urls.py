"""Hostile query strings and headers on public lists, search, feeds and sitemaps: never a 500."""

import datetime

import pytest
from django.utils import timezone

from articles import sitemaps
from tests.factories import AgreementFactory, ArticleFactory, RubricFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/rubrics/politika/",
    "/tags/kazakhstan/",
    "/news/2025/",
    "/news/2025/11/",
    "/agreements/",
    "/agreements/export.csv",
    "/agreements/export.json",
    "/search/?q=форум",
]
MACHINE_URLS = [
    "/feeds/news.rss",
    "/feeds/news.atom",
    "/feeds/rubrics/politika.rss",
    "/feeds/tags/kazakhstan.atom",
    "/feeds/yandex.xml",
    "/feeds/dzen.rss",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/robots.txt",
    *(f"/sitemap-{section}.xml" for section in sitemaps.SITEMAPS),
]


@pytest.fixture(autouse=True)
def content():
    """One published article in November 2025 with a rubric and a tag, and an agreement."""
    rubric = RubricFactory(name="Политика", slug="politika")
    article = ArticleFactory(
        slug="forum",
        title="Форум межрегионального сотрудничества в Уральске",
        rubrics=[rubric],
        tags=["Казахстан"],
        published_at=timezone.make_aware(datetime.datetime(2025, 11, 13, 9, 10)),
    )
    AgreementFactory(slug="soglashenie")
    return article


def with_query(url, query):
    return f"{url}{'&' if '?' in url else '?'}{query}"


TOO_MANY_PARAMETERS = "&".join(f"a{number}=1" for number in range(1001))


@pytest.mark.parametrize("url", PAGES)
def test_more_than_a_thousand_parameters_are_a_bad_request(client, url):
    """1 001 query parameters on a page that reads its query answer 400 (TooManyFieldsSent)."""
    assert client.get(with_query(url, TOO_MANY_PARAMETERS)).status_code == 400


@pytest.mark.parametrize("url", MACHINE_URLS)
def test_more_than_a_thousand_parameters_are_ignored_by_feeds(client, url):
    """Feeds and sitemaps never parse such a query string, so it cannot fail them."""
    assert client.get(with_query(url, TOO_MANY_PARAMETERS)).status_code in {200, 400}


@pytest.mark.parametrize("url", [*PAGES, *MACHINE_URLS])
def test_unknown_host_is_a_bad_request(client, url):
    """A Host header outside ALLOWED_HOSTS answers 400, so no address is built from it."""
    response = client.get(url, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"evil.example" not in response.content


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "query",
    ["title__regex=(", "filter[__connector]=OR", "status=draft", "published_at__gt=x", "pk__in=a"],
)
def test_lookup_like_parameters_are_ignored(client, url, query):
    """ORM-looking parameters neither fail nor narrow anything: the page is the same."""
    plain = client.get(url)
    hostile = client.get(with_query(url, query))
    assert hostile.status_code == plain.status_code == 200
    assert hostile.content.count(b"/news/") == plain.content.count(b"/news/")


@pytest.mark.parametrize("url", ["/", "/news/2025/", "/search/?q=форум"])
def test_array_style_page_parameter_is_ignored(client, url):
    """?page[]=2 is not ?page=: the first page, the same every time."""
    assert client.get(with_query(url, "page[]=2")).status_code == 200


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "1e400", "9" * 5000, "%00", "２"])
@pytest.mark.parametrize(
    "url", ["/sitemap-news.xml", *(f"/sitemap-{s}.xml" for s in sitemaps.SITEMAPS)]
)
def test_bad_sitemap_page_numbers_are_not_found(client, url, page):
    """A sitemap ?p= that is not one of its pages answers 404."""
    assert client.get(with_query(url, f"p={page}")).status_code == 404


@pytest.mark.parametrize("url", MACHINE_URLS)
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 0001 00:00:00 GMT"},
        {"HTTP_IF_MODIFIED_SINCE": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"HTTP_IF_UNMODIFIED_SINCE": "garbage"},
        {"HTTP_IF_MATCH": "*"},
        {"HTTP_IF_NONE_MATCH": "*"},
    ],
    ids=lambda headers: next(iter(headers.values())),
)
def test_extreme_conditional_headers_never_fail(client, url, headers):
    """Conditional headers at the edges of time, or wildcards, answer 200, 304 or 412."""
    assert client.get(url, **headers).status_code in {200, 304, 412}
    assert client.head(url, **headers).status_code in {200, 304, 412}
