"""The page cache's WSGI shortcut: hits answered before Django, by the middleware's rules.

These requests go through pressroom.wsgi.application, as gunicorn sends them, and not
through Django's test client (which never calls the WSGI application).
"""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from articles import content_version, pagecache
from articles.local_copies import LocalCopies
from articles.models import Article
from tests.factories import ArticleFactory, RubricFactory
from tests.workflow_support import (
    schedule_through_workflow,
)

pytestmark = pytest.mark.django_db

GOES_LIVE = datetime.datetime(2025, 11, 14, 5, 0, tzinfo=datetime.UTC)
SCHEDULED_TITLE = "Дорожная карта подписана на форуме в Оренбурге"


@pytest.fixture
def story():
    return ArticleFactory(
        title="Губернатор подписал дорожную карту",
        rubrics=[RubricFactory(name="Экономика", slug="ekonomika")],
        published_at=GOES_LIVE - datetime.timedelta(days=1),
    )


def test_a_hit_is_answered_without_django_and_keeps_the_bytes_and_headers(wsgi_get, story):
    for path in ("/", story.get_absolute_url(), reverse("feeds:news-rss")):
        first = wsgi_get(path)
        assert first.status_code == 200 and first.header("X-Cache") == "MISS"
        handled = len(wsgi_get.handled)
        second = wsgi_get(path)
        assert len(wsgi_get.handled) == handled  # Django never saw the request
        assert second.status_code == 200 and second.header("X-Cache") == "HIT"
        assert second.body == first.body
        for name in ("Content-Type", "ETag", "Content-Security-Policy", "Vary", "Cache-Control"):
            assert second.header(name) == first.header(name), name


def test_the_shortcut_answers_with_the_middlewares_very_headers(wsgi_get, story, client):
    """Without a conditional header the shortcut writes the headers itself: the same ones,
    in the same order, as the middleware's hit."""
    with time_machine.travel(GOES_LIVE - datetime.timedelta(hours=1), tick=False):
        wsgi_get("/")
        shortcut = wsgi_get("/")
        middleware = client.get("/")
    assert middleware["X-Cache"] == shortcut.header("X-Cache") == "HIT"
    assert list(shortcut.headers.items()) == list(middleware.items())
    assert shortcut.body == middleware.content


def test_a_hit_from_the_process_copy_still_reads_the_version(wsgi_get, story, monkeypatch):
    """The copy kept in the worker is served only while its content version is current."""
    wsgi_get("/")
    assert wsgi_get("/").header("X-Cache") == "HIT"
    # Another process bumps the version: no write in this one, no signal here.
    cache.set(content_version.VERSION_KEY, "bumped-elsewhere", timeout=None)
    assert wsgi_get("/").header("X-Cache") == "MISS"


def test_the_process_copy_keeps_to_its_size():
    kept = LocalCopies(max_bytes=10)
    kept.put("a", "page a", 5)
    kept.put("b", "page b", 5)
    kept.get("a")  # used last: "b" goes first
    kept.put("c", "page c", 3)
    assert kept.get("b") is None
    assert kept.get("a") == "page a" and kept.get("c") == "page c"
    kept.put("huge", "page", 11)
    assert kept.get("huge") is None and kept.size <= 10


def test_a_new_content_version_goes_to_django(wsgi_get, story):
    wsgi_get("/")
    Article.objects.filter(pk=story.pk).update(title="Новый заголовок новости")
    content_version.bump()
    answer = wsgi_get("/")
    assert answer.header("X-Cache") == "MISS" and "Новый заголовок новости" in answer.body.decode()


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"Cookie": "sessionid=abc"},
        {"Authorization": "Basic ZWRpdG9yOnNlY3JldA=="},
        {"method": "POST"},
    ],
    ids=["session cookie", "authorization", "post"],
)
def test_personal_requests_are_never_answered_from_the_cache(wsgi_get, story, request_kwargs):
    wsgi_get("/")
    handled = len(wsgi_get.handled)
    answer = wsgi_get("/", **request_kwargs)
    assert len(wsgi_get.handled) == handled + 1
    assert answer.header("X-Cache") is None
    assert "no-store" in answer.header("Cache-Control")


def test_a_host_that_is_not_allowed_gets_400_not_a_stored_page(wsgi_get, story, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    wsgi_get("/")
    assert wsgi_get("/", Host="evil.example").status_code == 400


def test_low_vision_visitors_get_their_own_page(wsgi_get, story):
    assert "lv-size-3" not in wsgi_get("/").body.decode()
    large = wsgi_get("/", Cookie="pressroom_lv=size-3")
    assert large.header("X-Cache") == "MISS" and "lv-size-3" in large.body.decode()
    again = wsgi_get("/", Cookie="pressroom_lv=size-3")
    assert again.header("X-Cache") == "HIT" and "lv-size-3" in again.body.decode()
    assert "lv-size-3" not in wsgi_get("/").body.decode()


def test_conditional_and_head_requests_are_answered_from_the_cache(wsgi_get, story):
    first = wsgi_get("/")
    handled = len(wsgi_get.handled)
    unchanged = wsgi_get("/", **{"If-None-Match": first.header("ETag")})
    assert unchanged.status_code == 304 and unchanged.body == b""
    head = wsgi_get("/", method="HEAD")
    assert head.status_code == 200 and head.body == b""
    assert head.header("Content-Length") == first.header("Content-Length")
    assert len(wsgi_get.handled) == handled


def test_scheduled_article_appears_at_its_time(wsgi_get, story):
    schedule_through_workflow(SCHEDULED_TITLE, rubrics=[story.rubrics.get()], at=GOES_LIVE)
    with time_machine.travel(GOES_LIVE - datetime.timedelta(seconds=1), tick=False):
        assert SCHEDULED_TITLE not in wsgi_get("/").body.decode()
        answer = wsgi_get("/")
        assert answer.header("X-Cache") == "HIT" and SCHEDULED_TITLE not in answer.body.decode()
    with time_machine.travel(GOES_LIVE, tick=False):
        answer = wsgi_get("/")
        assert answer.header("X-Cache") == "MISS" and SCHEDULED_TITLE in answer.body.decode()


def test_off_when_the_page_cache_is_off(wsgi_get, story, settings):
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    wsgi_get("/")
    handled = len(wsgi_get.handled)
    assert wsgi_get("/").header("X-Cache") == "MISS"
    assert len(wsgi_get.handled) == handled + 1


def test_a_failing_shortcut_leaves_the_request_to_django(wsgi_get, story, monkeypatch, caplog):
    wsgi_get("/")

    def broken(self, environ):
        raise RuntimeError("cache client bug")

    monkeypatch.setattr(pagecache.CachedPageApplication, "hit", broken)
    answer = wsgi_get("/")
    assert answer.status_code == 200 and story.title in answer.body.decode()
    assert "WSGI shortcut failed" in caplog.text


def test_pages_asked_for_in_turn_are_mostly_kept_though_not_all_fit(monkeypatch):
    """Thirteen feeds polled in turn, room for nine: a plain least-recently-used copy
    drops each feed just before it is asked for again and never finds one."""
    clock = [1000.0]
    monkeypatch.setattr("articles.local_copies.time.monotonic", lambda: clock[0])
    kept = LocalCopies(max_bytes=9 * 225, busy_seconds=1.0)
    found = 0
    for _round in range(10):
        for number in range(13):
            clock[0] += 0.01
            if kept.get(f"feed {number}") is not None:
                found += 1
            else:
                kept.put(f"feed {number}", "feed", 225)
    assert found >= 9 * 9, "after the first round, nine of thirteen are found each round"
    clock[0] += 2  # nothing asked for a while: a newcomer takes the place of the oldest
    kept.put("new page", "page", 225)
    assert kept.get("new page") == "page" and kept.size <= 9 * 225
