"""Pages kept compressed: as they are for the clients that accept gzip, inflated for others."""

import datetime
import gzip

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from articles import compressed_pages, pagecache
from articles.local_copies import local_pages
from tests.factories import ArticleFactory, RubricFactory
from tests.programs import program_or_skip
from tests.workflow_support import schedule_through_workflow

pytestmark = pytest.mark.django_db

GZIP = "gzip, deflate, br, zstd"  # what Chromium sends
GOES_LIVE = datetime.datetime(2025, 11, 14, 5, 0, tzinfo=datetime.UTC)
TITLE = "Губернатор подписал дорожную карту с соседней областью"


@pytest.fixture
def story():
    return ArticleFactory(
        title=TITLE,
        rubrics=[RubricFactory(name="Экономика", slug="ekonomika")],
        tags=["Казахстан"],
        published_at=GOES_LIVE - datetime.timedelta(days=1),
    )


def pages(story):
    return [
        "/",
        story.get_absolute_url(),
        reverse("articles:rubric", kwargs={"slug": "ekonomika"}),
        reverse("articles:search") + "?q=карту",
        reverse("feeds:news-rss"),
        reverse("feeds:news-atom"),
    ]


def get(url, accept_encoding=None, **headers):
    if accept_encoding is not None:
        headers["HTTP_ACCEPT_ENCODING"] = accept_encoding
    response = Client().get(url, **headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


@pytest.mark.parametrize("first_asked", ["plain", "gzip"])
def test_gzip_clients_get_the_same_page_compressed_and_others_get_it_plain(story, first_asked):
    for url in pages(story):
        if first_asked == "plain":
            get(url)
        packed = get(url, GZIP)
        plain = get(url)
        assert plain["X-Cache"] == "HIT" and "Content-Encoding" not in plain, url
        assert packed["Content-Encoding"] == "gzip", url
        assert gzip.decompress(packed.content) == plain.content, url
        assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
        assert packed["ETag"] != plain["ETag"], url  # another representation
        for response in (packed, plain):
            # Both, so that nginx and browsers keep the two apart.
            assert "Accept-Encoding" in response["Vary"], url
            assert response["Content-Type"] == plain["Content-Type"]
            assert response["Content-Security-Policy"] == plain["Content-Security-Policy"]
        again = get(url, GZIP)
        assert again["X-Cache"] == "HIT" and again.content == packed.content, url


@pytest.mark.parametrize(
    "accept_encoding",
    ["", "identity", "br", "deflate, br", "gzip;q=0", "gzip; q=0.000, br", "*;q=0", "gzip;q=x"],
)
def test_clients_that_refuse_gzip_never_get_it(story, accept_encoding):
    url = story.get_absolute_url()
    get(url, GZIP)  # the compressed copy exists
    for _ in range(2):
        response = get(url, accept_encoding)
        assert "Content-Encoding" not in response
        assert TITLE in response.content.decode()


@pytest.mark.parametrize("accept_encoding", ["gzip", "GZIP;q=0.5, br", "x-gzip", "*", "br;q=1, *"])
def test_every_way_of_accepting_gzip_gets_it(story, accept_encoding):
    response = get(story.get_absolute_url(), accept_encoding)
    assert response["Content-Encoding"] == "gzip"


def test_a_small_page_is_not_compressed(story):
    robots = get(reverse("feeds:robots"), GZIP)
    assert len(robots.content) < compressed_pages.MIN_BYTES
    assert "Content-Encoding" not in robots
    assert get(reverse("feeds:robots"), GZIP)["X-Cache"] == "HIT"


def test_an_edit_shows_at_once_in_the_compressed_copy(story):
    url = story.get_absolute_url()
    get(url, GZIP)
    get(url, GZIP)
    story.title = "Дорожная карта дополнена новыми проектами"
    story.save()
    after = get(url, GZIP)
    assert after["X-Cache"] == "MISS"
    assert "Дорожная карта дополнена" in gzip.decompress(after.content).decode()


def test_a_scheduled_article_appears_on_time_in_the_compressed_home_page(story):
    scheduled = schedule_through_workflow(
        "Делегация области посетила Казахстан", rubrics=[story.rubrics.get()], at=GOES_LIVE
    )
    with time_machine.travel(GOES_LIVE - datetime.timedelta(minutes=1), tick=False):
        before = gzip.decompress(get("/", GZIP).content).decode()
        assert scheduled.title not in before
        assert get("/", GZIP)["X-Cache"] == "HIT"
    with time_machine.travel(GOES_LIVE, tick=False):
        assert scheduled.title in gzip.decompress(get("/", GZIP).content).decode()


def test_conditional_requests_match_each_representations_own_etag(story):
    url = story.get_absolute_url()
    packed, plain = get(url, GZIP), get(url)
    assert get(url, GZIP, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304
    assert get(url, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304
    # A plain copy's validator does not validate the compressed one, nor the reverse.
    assert get(url, GZIP, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 200
    assert get(url, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 200


def test_editors_get_plain_uncached_pages(story, admin_client):
    response = admin_client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING=GZIP)
    assert "Content-Encoding" not in response
    assert "no-store" in response["Cache-Control"]


def test_another_process_uses_the_compressed_copy_instead_of_compressing_again(story, monkeypatch):
    url = story.get_absolute_url()
    first = get(url, GZIP)
    local_pages.clear()  # as in another worker process
    monkeypatch.setattr(compressed_pages.gzip_ng, "compress", pytest.fail)
    second = get(url, GZIP)
    assert second["X-Cache"] == "HIT" and second.content == first.content


@pytest.mark.parametrize("clients", [("plain", "plain"), ("plain", GZIP), (GZIP, "plain")])
def test_a_page_is_kept_once_compressed_whichever_clients_ask(story, clients):
    """The shared cache and the process's copies hold the compressed page only."""
    url = story.get_absolute_url()
    for client in clients:
        local_pages.clear()  # each from another worker process
        get(url, None if client == "plain" else client)
    key = pagecache.page_key(RequestFactory().get(url))
    kept = list(local_pages.values.items())
    assert [kept_key for kept_key, _copy in kept] == [key]
    page = get(url).content
    for entry in (kept[0][1][0], cache.get(key)):
        assert entry[3]["Content-Encoding"] == "gzip"
        assert gzip.decompress(entry[4]) == page


def test_a_plain_hit_is_the_plain_miss_header_for_header(story):
    """Inflated for a client that refuses gzip, the page is what the view made of it."""
    for url in pages(story):
        with time_machine.travel(GOES_LIVE, tick=False):
            miss = get(url, "identity")
            local_pages.clear()  # as in another worker process
            hit = get(url, "identity")
        assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT"), url
        assert hit.content == miss.content, url
        del miss["X-Cache"], hit["X-Cache"]
        assert sorted(hit.items()) == sorted(miss.items()), url


def test_the_kept_page_expires_from_the_shared_cache(story, settings):
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 60
    url = story.get_absolute_url()
    key = pagecache.page_key(RequestFactory().get(url))
    with time_machine.travel(GOES_LIVE, tick=False):
        get(url, GZIP)
        assert get(url, GZIP)["X-Cache"] == "HIT"
        assert cache.get(key) is not None
    with time_machine.travel(GOES_LIVE + datetime.timedelta(seconds=61), tick=False):
        assert cache.get(key) is None  # gone from the shared cache, not only here
        assert get(url, GZIP)["X-Cache"] == "MISS"


def test_the_wsgi_shortcut_serves_the_compressed_copy_without_django(wsgi_get, story):
    url = story.get_absolute_url()
    first = wsgi_get(url, accept_encoding=GZIP)
    assert first.header("Content-Encoding") == "gzip"
    handled = len(wsgi_get.handled)
    second = wsgi_get(url, accept_encoding=GZIP)
    assert len(wsgi_get.handled) == handled  # Django never saw it
    assert second.header("X-Cache") == "HIT" and second.body == first.body
    assert second.header("Content-Encoding") == "gzip"
    assert int(second.header("Content-Length")) == len(second.body)
    plain = wsgi_get(url)
    assert plain.header("Content-Encoding") is None
    assert gzip.decompress(second.body) == plain.body
    head = wsgi_get(url, method="HEAD", accept_encoding=GZIP)
    assert head.body == b"" and head.header("Content-Length") == second.header("Content-Length")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("deflate, gzip;q=1.0, *;q=0.5", True),
        ("gzip;q=0, *", False),  # gzip named: its own quality counts
        ("br, *;q=0.1", True),
        ("identity, *;q=0", False),
        ("", False),
        ("gzip;q=nan", False),
        ("zstd,,, gzip ;q=0.001", True),
    ],
)
def test_accept_encoding_is_read_as_http_says(header, accepted):
    assert compressed_pages.accepts_gzip(header) is accepted


def test_with_redis_each_process_finds_the_other_s_compressed_copy(story):
    """Through the deployment's Redis backend: a copy made in one process serves another."""
    program_or_skip("redis-server")
    from pressroom.loopback import redis_server

    with redis_server() as redis:
        backend = {"BACKEND": "pressroom.cache.ResilientRedisCache", "LOCATION": redis.extra["url"]}
        with override_settings(CACHES={"default": backend}):
            url = story.get_absolute_url()
            first = get(url, GZIP)
            local_pages.clear()  # as in another worker process
            second = get(url, GZIP)
            assert second["X-Cache"] == "HIT" and second.content == first.content
            story.title = "Заголовок после правки"
            story.save()
            local_pages.clear()
            after = get(url, GZIP)
            assert after["X-Cache"] == "MISS"
            assert "Заголовок после правки" in gzip.decompress(after.content).decode()
