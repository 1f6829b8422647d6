"""Redis stopped or cut off: the site keeps serving, uncached, and caching resumes after.

Each test runs its own diskless redis-server (pressroom.loopback.redis_server); the
shared Redis on 6379 is never touched. A network fault, where Redis keeps its data but
cannot be reached, goes through tests.faults_support.NetworkCut.
"""

import logging
import pickle
import socket
import threading
import time

import pytest
import redis
from django.core.cache import cache
from django.test import Client, override_settings

from articles import content_version
from pressroom import cache as resilient
from pressroom import loopback
from tests.factories import ArticleFactory, RubricFactory
from tests.faults_support import NetworkCut, fetch, site_with_redis
from tests.programs import program_or_skip

pytestmark = pytest.mark.django_db

# Short enough that a test waits a fraction of a second for a retry.
RETRY = 0.3


def resilient_cache(location, **options):
    return {
        "default": {
            "BACKEND": "pressroom.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"RETRY_INTERVAL": RETRY, **options},
        }
    }


@pytest.fixture
def redis_url():
    program_or_skip("redis-server")
    with loopback.redis_server() as server:
        yield server


@pytest.fixture
def site():
    rubric = RubricFactory(slug="ekonomika")
    article = ArticleFactory(title="Форум приграничного сотрудничества", rubrics=[rubric])
    return ["/", article.get_absolute_url(), "/feeds/news.rss", "/rubrics/ekonomika/"]


def keys_in(url):
    return redis.Redis.from_url(url).dbsize()


def stop(server):
    """Stop a redis_server() before its context ends (its exit then does nothing)."""
    server.process.terminate()
    server.process.wait(10)


def test_pages_and_feeds_answer_200_while_redis_is_stopped(redis_url, site):
    """Pages are cached in Redis; with Redis stopped they are still served, 200 each."""
    client = Client()
    url = redis_url.extra["url"]
    with override_settings(CACHES=resilient_cache(url)):
        for path in site:
            assert client.get(path).status_code == 200
        assert keys_in(url) > len(site), "the pages went through the Redis page cache"
        stop(redis_url)
        for _round in range(3):
            for path in site:
                response = client.get(path)
                assert response.status_code == 200, path
        assert "Форум приграничного сотрудничества" in client.get("/").content.decode()


def test_caching_resumes_when_redis_is_back(redis_url, site):
    """A Redis started again on the same address is used again after the retry interval."""
    client = Client()
    url, port = redis_url.extra["url"], redis_url.port
    with override_settings(CACHES=resilient_cache(url)):
        stop(redis_url)
        assert client.get("/").status_code == 200
        with loopback.redis_server(port=port):
            time.sleep(RETRY + 0.1)
            assert client.get("/").status_code == 200
            assert client.get("/").get("X-Cache") == "HIT"
            assert keys_in(url) > 0


def test_bump_lost_in_a_network_fault_is_redone_when_redis_is_reachable(redis_url, db):
    """A publication during a network fault must not leave the old content version in Redis.

    Redis keeps its data through a network fault, so without a retry the old version,
    and every page cached under it, would come back once the link is restored.
    """
    with NetworkCut(redis_url.port) as link:
        location = f"redis://127.0.0.1:{link.port}/0"
        with override_settings(CACHES=resilient_cache(location)):
            old = content_version.current()
            link.cut()
            content_version.bump()  # lost: Redis cannot be reached
            link.restore()
            raw = redis.Redis.from_url(redis_url.extra["url"])
            stored = raw.get(cache.make_key(content_version.VERSION_KEY))
            assert pickle.loads(stored) == old, "Redis still holds the version before the bump"
            time.sleep(RETRY + 0.1)
            fresh = content_version.current()
            assert fresh != old
            assert content_version.current() == fresh, "the new version is kept again"


def test_lost_write_is_not_retried_while_redis_stays_away(redis_url, db):
    """Until Redis answers, nothing is dropped or stored; the version is simply a miss."""
    with NetworkCut(redis_url.port) as link:
        location = f"redis://127.0.0.1:{link.port}/0"
        with override_settings(CACHES=resilient_cache(location)):
            cache.set("page", "old page", None)
            link.cut()
            cache.set("page", "new page", None)
            assert cache.get("page") is None
            time.sleep(RETRY + 0.1)
            assert cache.get("page") is None
            link.restore()
            time.sleep(RETRY + 0.1)
            assert cache.get("page") is None, "the stale value was dropped, not served"
            cache.set("page", "newer page", None)
            assert cache.get("page") == "newer page"


def test_an_outage_logs_one_warning(redis_url, caplog):
    """A hundred cache calls against a stopped Redis log one warning, not a hundred."""
    with override_settings(CACHES=resilient_cache(redis_url.extra["url"])):
        stop(redis_url)
        with caplog.at_level(logging.WARNING, logger="pressroom.cache"):
            for number in range(100):
                cache.get(f"key-{number}")
                cache.set(f"key-{number}", number)
    warnings = [r for r in caplog.records if r.name == "pressroom.cache"]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()


def test_an_unresponsive_redis_is_tried_once_per_interval(db):
    """A server that accepts but never answers costs one timeout, then calls skip it."""
    accepted = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def accept():
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    location = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    try:
        with override_settings(CACHES=resilient_cache(location, socket_timeout=0.2)):
            values = [cache.get(f"key-{number}", "miss") for number in range(50)]
            assert cache.add("key", 1) is False
            with pytest.raises(ValueError):
                cache.incr("key")
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(5)
        for connection in accepted:
            connection.close()
    assert values == ["miss"] * 50
    assert len(accepted) == 1


def test_default_timeouts_are_short():
    """Without OPTIONS a dead Redis costs at most a quarter second to connect, a second to read."""
    backend = resilient.ResilientRedisCache("redis://127.0.0.1:1/0", {})
    pool_options = backend._cache._pool_options
    assert pool_options["socket_connect_timeout"] <= 0.25
    assert pool_options["socket_timeout"] <= 1.0


def test_gunicorn_keeps_serving_with_redis_stopped(tmp_path):
    """The production stack (gunicorn, DJANGO_DEBUG=0, REDIS_URL): 200s before, during, after."""
    program_or_skip("redis-server")
    with site_with_redis(tmp_path) as (server, prepared, app):
        for path in prepared.paths:
            assert fetch(app.port, path).status == 200, app.log()[-3000:]
        assert keys_in(server.extra["url"]) > 0
        stop(server)
        answers = [fetch(app.port, path) for _round in range(4) for path in prepared.paths]
        assert [a.status for a in answers] == [200] * len(answers), app.log()[-3000:]
        with loopback.redis_server(port=server.port):
            time.sleep(resilient.RETRY_INTERVAL + 0.5)
            answers = [fetch(app.port, path) for _round in range(2) for path in prepared.paths]
            assert all(a.status == 200 for a in answers)
            assert keys_in(server.extra["url"]) > 0, "caching resumed"
