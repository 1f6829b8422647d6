"""The content version kept in each process, and Redis telling every process it changed.

Each test runs its own diskless redis-server. Two cache backends on one server stand
for two app processes: each has its own connections and its own watched copy.
"""

import time

import pytest
import redis

from pressroom import key_watch, loopback
from pressroom.cache import ResilientRedisCache
from tests.faults_support import NetworkCut, fetch, manage, site_with_redis
from tests.programs import program_or_skip

KEY = "pressroom:content-version"


@pytest.fixture
def server():
    program_or_skip("redis-server")
    with loopback.redis_server() as running:
        yield running


def process_cache(location, **options):
    """A cache backend with its own pools and watches, as in another process."""
    return ResilientRedisCache(
        location, {"KEY_PREFIX": "watch", "OPTIONS": {"RETRY_INTERVAL": 0.3, **options}}
    )


def gets(url):
    """How many GET commands the server has run."""
    stats = redis.Redis.from_url(url).info("commandstats")
    return stats.get("cmdstat_get", {}).get("calls", 0)


def test_a_kept_version_is_read_without_a_round_trip(server):
    url = server.extra["url"]
    editor, reader = process_cache(url), process_cache(url)
    editor.set(KEY, "first", timeout=None)
    assert reader.get_watched(KEY) == "first"
    before = gets(url)
    assert [reader.get_watched(KEY) for _read in range(50)] == ["first"] * 50
    assert gets(url) == before


def test_every_write_from_another_process_is_seen_by_the_next_read(server):
    """No sleep between the write and the read: the invalidation is there first."""
    url = server.extra["url"]
    editor, reader = process_cache(url), process_cache(url)
    for number in range(300):
        editor.set(KEY, f"version {number}", timeout=None)
        assert reader.get_watched(KEY) == f"version {number}"
        assert reader.get_watched(KEY) == f"version {number}"
    editor.delete(KEY)
    assert reader.get_watched(KEY) is None
    editor.set(KEY, "after the deletion", timeout=None)
    assert reader.get_watched(KEY) == "after the deletion"
    redis.Redis.from_url(url).flushall()  # an operator's flush goes by no cache call
    # Redis sends a flush's invalidation as it flushes, not with the turn's broadcasts:
    # it may come a moment after the flusher's reply.
    deadline = time.monotonic() + 1
    while reader.get_watched(KEY) is not None:
        assert time.monotonic() < deadline, "the flush was not noticed"


def test_a_connection_closed_by_redis_drops_the_copy_and_is_made_again(server):
    url = server.extra["url"]
    editor, reader = process_cache(url), process_cache(url)
    editor.set(KEY, "before", timeout=None)
    assert reader.get_watched(KEY) == "before"
    raw = redis.Redis.from_url(url)
    watching = [client for client in raw.client_list() if "t" in client["flags"]]
    assert len(watching) == 1, "one tracking connection, the reader's"
    raw.client_kill_filter(_id=watching[0]["id"])
    # The killed connection's invalidation never comes; its end of file does.
    redis.Redis.from_url(url).set(editor.make_key(KEY), editor._cache._serializer.dumps("x"))
    assert reader.get_watched(KEY) == "x"
    editor.set(KEY, "after", timeout=None)
    assert reader.get_watched(KEY) == "after"
    reads = [reader.get_watched(KEY) for _read in range(3)]
    before = gets(url)
    assert reads + [reader.get_watched(KEY) for _read in range(20)] == ["after"] * 23
    assert gets(url) == before, "watching again"


def test_a_silently_cut_connection_is_not_trusted_for_longer_than_a_ping(server, monkeypatch):
    """A firewall that forgets the connection sends no end of file: the PING finds out."""
    monkeypatch.setattr(key_watch, "VERIFY_SECONDS", 0.2)
    url = server.extra["url"]
    editor = process_cache(url)
    with NetworkCut(server.port) as link:
        reader = process_cache(f"redis://127.0.0.1:{link.port}/0", socket_timeout=0.2)
        editor.set(KEY, "before", timeout=None)
        assert reader.get_watched(KEY) == "before"
        link.silence()
        editor.set(KEY, "after", timeout=None)
        deadline = time.monotonic() + 2
        while reader.get_watched(KEY) == "before":
            assert time.monotonic() < deadline, "the old version is still trusted"
            time.sleep(0.05)
        link.cut()
        link.restore()
        time.sleep(0.4)  # the retry interval after the failure
        assert reader.get_watched(KEY) == "after"


def test_a_write_is_seen_by_every_gunicorn_worker_at_once(tmp_path):
    """The production stack: two workers holding the article page and the version in
    memory, an editor's change from another process, and every request after it shows
    the change."""
    program_or_skip("redis-server")
    with site_with_redis(tmp_path) as (_redis, site, app):
        for _request in range(12):
            answer = fetch(app.port, site.article_url)
            assert "день 4" in answer.body, app.log()[-3000:]
        manage(
            site.env,
            "shell",
            "-c",
            "from articles.models import Article\n"
            "article = Article.objects.order_by('-pk').first()\n"
            "article.title = 'Дорожная карта подписана'\n"
            "article.save()\n",
        )
        bodies = [fetch(app.port, site.article_url).body for _request in range(12)]
        assert all("Дорожная карта подписана" in body for body in bodies)
