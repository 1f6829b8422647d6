"""The content version: read once per request, and a request's own writes seen at once."""

import datetime
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles import content_version, pagecache
from articles.local_copies import local_renderings
from articles.models import Article
from tests.factories import ArticleFactory, RubricFactory

pytestmark = pytest.mark.django_db


def version_reads(monkeypatch):
    """Count the cache reads that fetch the content version."""
    reads, inside_get_many = [], []
    get, get_many = cache.get, cache.get_many

    def counted_get(key, *args, **kwargs):
        if key == content_version.VERSION_KEY and not inside_get_many:
            reads.append(key)
        return get(key, *args, **kwargs)

    def counted_get_many(keys, *args, **kwargs):
        reads.extend(key for key in keys if key == content_version.VERSION_KEY)
        inside_get_many.append(True)  # the local-memory backend's get_many() calls get()
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside_get_many.pop()

    monkeypatch.setattr(cache, "get", counted_get)
    monkeypatch.setattr(cache, "get_many", counted_get_many)
    return reads


@pytest.mark.parametrize("page_cache_seconds", [0, 300], ids=["uncached", "cached"])
def test_a_page_reads_the_version_once(client, settings, monkeypatch, page_cache_seconds):
    """The home page's memos (latest news, rubrics, years…) share one read of the version."""
    settings.PRESSROOM_PAGE_CACHE_SECONDS = page_cache_seconds
    ArticleFactory.create_batch(3, rubrics=[RubricFactory()])
    content_version.current()  # a running site has one (a new cache gets one on first read)
    reads = version_reads(monkeypatch)
    assert client.get("/").status_code == 200
    assert len(reads) == 1
    reads.clear()
    assert Client().get("/").status_code == 200  # a hit, or the page made again
    assert len(reads) == 1


def test_within_a_request_another_process_bump_waits_for_the_next_request():
    with content_version.pinned():
        seen = content_version.current()
        cache.set(content_version.VERSION_KEY, "another-process-bumped-it", timeout=None)
        assert content_version.current() == seen  # one page, one version
    assert content_version.current() == "another-process-bumped-it"


def test_a_bump_made_by_the_request_itself_is_seen_at_once():
    with content_version.pinned():
        before = content_version.current()
        content_version.bump()  # the request's own save, committed
        after = content_version.current()
        assert after != before
        assert after == cache.get(content_version.VERSION_KEY)


def test_memos_made_after_a_bump_in_the_request_are_not_the_old_ones():
    with content_version.pinned():
        assert content_version.memoize("answer", lambda: "old") == "old"
        content_version.bump()
        assert content_version.memoize("answer", lambda: "new") == "new"


def test_outside_a_request_every_call_reads_the_shared_version():
    first = content_version.current()
    cache.set(content_version.VERSION_KEY, "bumped-elsewhere", timeout=None)
    assert content_version.current() == "bumped-elsewhere" != first


def test_a_bulk_update_of_articles_shows_at_once(client, without_page_cache):
    """QuerySet.update() sends no signal; the article queryset bumps the version itself."""
    story = ArticleFactory(title="Делегация прибыла в Актобе", rubrics=[RubricFactory()])
    assert story.title in client.get("/").content.decode()
    Article.objects.filter(pk=story.pk).update(title="Делегация вернулась из Актобе")
    assert "Делегация вернулась из Актобе" in Client().get("/").content.decode()


def test_an_update_that_matches_nothing_leaves_the_version_alone():
    before = content_version.current()
    Article.objects.filter(pk=-1).update(title="Ничего")
    assert content_version.current() == before


def test_a_deploy_starts_a_new_version():
    """Cached pages, cards and feed items made by the old code are not served by the new."""
    before = content_version.current()
    call_command("migrate", verbosity=0)
    assert content_version.current() != before


def test_a_memo_every_page_reads_stays_in_the_process_among_many_others(monkeypatch):
    """One memo an article (a crawler's walk) must not push out the site-wide ones."""
    reads = []
    get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *args, **kwargs: reads.append(key) or get(key, *args, **kwargs)
    )
    with content_version.pinned():
        content_version.memoize("rubric-nav", lambda: "the rubrics")
        reads.clear()
        for number in range(content_version.LOCAL_MEMOS_MAX * 2):
            content_version.memoize(f"around:{number}", lambda number=number: number)
            assert content_version.memoize("rubric-nav", lambda: "made again") == "the rubrics"
    assert not [key for key in reads if key.endswith(":rubric-nav")]


def test_large_memos_are_weighed_within_the_process_budget(monkeypatch):
    """Memos of rendered HTML (article pages) are kept within a number of bytes, not of memos.

    The newest stay in the process; older ones come from the shared cache, still not made
    again; a new version makes them anew.
    """
    monkeypatch.setattr(local_renderings, "max_bytes", 10_000)
    reads, made = [], []
    get = cache.get
    monkeypatch.setattr(
        cache, "get", lambda key, *args, **kwargs: reads.append(key) or get(key, *args, **kwargs)
    )

    def memo(number):
        return content_version.memoize(
            f"page:{number}", lambda: made.append(number) or "x" * 3_000, size_of=len
        )

    with content_version.pinned():
        for number in range(10):
            memo(number)
        assert local_renderings.size <= 10_000
        reads.clear()
        memo(9)
        assert not reads
        memo(0)
        assert [key for key in reads if key.endswith(":page:0")]
    assert made == list(range(10))
    content_version.bump()
    with content_version.pinned():
        memo(9)
    assert made[-1] == 9 and len(made) == 11


def test_a_memo_older_than_the_publication_memo_costs_no_query_a_request(
    django_assert_num_queries, time_machine
):
    """The next-publication memo is made anew every hour, or after a publication; memos
    made before it stay valid without a query on every request while nothing came out."""
    start = datetime.datetime(2025, 11, 13, 9, 0, tzinfo=datetime.UTC)
    ArticleFactory(published_at=start - datetime.timedelta(days=1))
    ArticleFactory(published_at=start + datetime.timedelta(days=1))  # scheduled
    time_machine.move_to(start, tick=False)
    with content_version.pinned():
        pagecache.memo_until_publication("years", lambda now: [2025], timezone.now())
        # The publication memo is made again later (it expired, or another process's).
        memos = content_version._local_memos
        publication_key = next(k for k in memos.values if "next-publication" in k)
        memos.discard(publication_key)
        cache.delete(publication_key)
        time_machine.move_to(start + datetime.timedelta(minutes=10), tick=False)
        pagecache.next_publication(timezone.now().timestamp())
        with django_assert_num_queries(0):
            assert pagecache.memo_until_publication("years", list, timezone.now()) == [2025]


def test_after_a_scheduled_publication_a_repeated_page_runs_no_query_again(
    client, settings, django_assert_num_queries, time_machine, monkeypatch
):
    """Memos made before a scheduled article came out end with it: the page made after it
    is kept in their stead, and pages that follow read no table (the old memos used to
    stay for an hour, each sending every request on a query to find its deadline)."""
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    # The process's copies of memos age by the monotonic clock, which time-machine
    # leaves alone: here it follows the travelled wall clock.
    monkeypatch.setattr(content_version, "time", SimpleNamespace(monotonic=time.time))
    start = datetime.datetime(2025, 11, 13, 9, 0, tzinfo=datetime.UTC)
    rubric = RubricFactory()
    ArticleFactory(published_at=start - datetime.timedelta(days=1), rubrics=[rubric])
    ArticleFactory(
        title="Дорожная карта подписана",
        published_at=start + datetime.timedelta(minutes=10),
        rubrics=[rubric],
    )
    time_machine.move_to(start, tick=False)
    for path in ("/", rubric.get_absolute_url()):
        client.get(path)
        with django_assert_num_queries(0):
            assert "Дорожная карта подписана" not in client.get(path).content.decode()
    time_machine.move_to(start + datetime.timedelta(minutes=11), tick=False)
    for path in ("/", rubric.get_absolute_url()):
        assert "Дорожная карта подписана" in client.get(path).content.decode()
        with django_assert_num_queries(0):
            client.get(path)
