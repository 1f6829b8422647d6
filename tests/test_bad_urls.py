"""Hostile and broken addresses: each one answers a 404 or a normal page, never a 500.

Run these on PostgreSQL too: NUL bytes and integer overflow only fail there.
"""

import datetime

import pytest
from django.utils import timezone

from tests.factories import AgreementFactory, ArticleFactory, RubricFactory

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/",
    "/rubrics/politika/",
    "/tags/kazakhstan/",
    "/news/2025/",
    "/news/2025/11/",
    "/agreements/",
]


@pytest.fixture(autouse=True)
def content():
    """One published article with a rubric and a tag in November 2025, and an agreement."""
    rubric = RubricFactory(name="Политика", slug="politika")
    article = ArticleFactory(
        slug="forum",
        rubrics=[rubric],
        tags=["Казахстан"],
        published_at=timezone.make_aware(datetime.datetime(2025, 11, 13, 9, 10)),
    )
    agreement = AgreementFactory(slug="soglashenie")
    return article, agreement


@pytest.mark.parametrize("url", [*LIST_URLS, "/search/?q=форум"])
@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("", 200),
        ("1", 200),
        ("abc", 404),
        ("0", 404),
        ("-1", 404),
        ("1.5", 404),
        ("1e3", 404),
        (" ", 404),
        ("２", 404),
        ("2", 404),
        ("50", 404),  # past the end from a page's memoized start (page_by_start)
        ("1000000", 404),
        (str(10**30), 404),
        ("9" * 5000, 404),
        ("1\x00", 404),
    ],
    ids=lambda value: repr(value)[:20],
)
def test_bad_page_numbers(client, url, page, status):
    """A page number that is not a page of the list is a 404; an empty one means page 1."""
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}page={page}")
    assert response.status_code == status


@pytest.mark.parametrize("url", LIST_URLS)
def test_repeated_page_parameter_uses_the_last(client, url):
    """?page=2&page=1 is page 1, deterministically."""
    separator = "&" if "?" in url else "?"
    assert client.get(f"{url}{separator}page=2&page=1").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "ф",
        "форум " * 2000,
        "ф" * 10_000,
        "\x00",
        "абв\x00где",
        "& | ! : * ( ) '",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        '";DROP TABLE articles_article;--',
        "<script>alert(1)</script>",
        "\u202eформу\u200b",
        "🙂",
    ],
    ids=lambda value: repr(value)[:24],
)
def test_hostile_search_queries_give_a_normal_page(client, query):
    """Empty, huge, NUL-laden, operator-laden or odd queries answer a normal page."""
    assert client.get("/search/", {"q": query}).status_code == 200


@pytest.mark.parametrize("raw", ["q=%FF", "q=%C0%AF", "q=%ED%A0%80", "q=%E0%A4", "q=%00%FF"])
def test_invalid_utf8_in_the_query_gives_a_normal_page(client, raw):
    """Bytes that are not UTF-8 are replaced, not refused with an error."""
    assert client.get("/search/", QUERY_STRING=raw).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/news/2025/13/",
        "/news/2025/00/",
        "/news/2025/1/",
        "/news/2025/111/",
        "/news/0000/",
        "/news/0000/01/",
        "/news/0001/",
        "/news/9999/",
        "/news/9999/12/",
        "/news/99999999999999999999/",
        "/news/99999999999999999999/01/",
        "/news/-2025/",
        "/news/2025/ab/",
        "/news/2025/11/99/",
    ],
)
def test_impossible_archive_dates_are_not_found(client, url):
    """Impossible years and months answer 404."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/news/99999999999999999999-x/",
        "/news/9223372036854775807-x/",
        "/news/9223372036854775808-x/",
        f"/news/{'9' * 5000}-x/",
        "/news/0-x/",
        "/news/-1-x/",
        "/news/1-/",
        "/news/x-forum/",
        "/agreements/99999999999999999999-x/",
        f"/agreements/{'9' * 5000}-x/",
        "/agreements/0-x/",
    ],
)
def test_ids_beyond_any_integer_are_not_found(client, url):
    """Ids that no row can have, however large, answer 404."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/rubrics/net-takoi/",
        "/tags/net-takogo/",
        "/rubrics/политика/",
        "/rubrics/%D0%BF%D0%BE%D0%BB/",
        "/tags/kazakhstan%00/",
        "/rubrics/poli%00tika/",
        "/rubrics/%00/",
        f"/tags/{'a' * 5000}/",
        "/rubrics/politika%2F/",
    ],
)
def test_unknown_or_broken_list_slugs_are_not_found(client, url):
    """Unknown, Cyrillic, NUL-laden and over-long slugs answer 404."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "slug", ["fo%00rum", "%00", "forum%00", "форум", "FORUM", "a" * 5000, "forum%FF"]
)
def test_broken_article_slugs_redirect_to_the_canonical_address(client, content, slug):
    """A broken slug of an existing article answers 301 to its canonical address."""
    article, agreement = content
    response = client.get(f"/news/{article.pk}-{slug}/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    response = client.get(f"/agreements/{agreement.pk}-{slug}/")
    assert response.status_code == 301
    assert response["Location"] == agreement.get_absolute_url()


@pytest.mark.parametrize(
    "query",
    ["party=%00", "country=%00", "kind=%00", "year=%00", "status=%00", "party=1%00&year=abc"],
)
@pytest.mark.parametrize(
    "url", ["/agreements/", "/agreements/export.csv", "/agreements/export.json"]
)
def test_nul_bytes_in_registry_filters_are_ignored(client, url, query):
    """NUL bytes in any filter of the registry or its downloads answer a normal response."""
    assert client.get(url, QUERY_STRING=query).status_code == 200


def test_missing_trailing_slash_redirects(client, content):
    """An article address without its trailing slash redirects to the one with it."""
    article, _agreement = content
    response = client.get(article.get_absolute_url().rstrip("/"))
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
