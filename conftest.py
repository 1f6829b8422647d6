"""Test configuration shared by the whole suite."""

import os

import pytest
from django.test import override_settings


def _database_vendor():
    from django.db import connection

    return connection.vendor


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"pressroom: database engine {engine}"


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on SQLite, visibly; in CI's PostgreSQL run, demand it."""
    vendor = _database_vendor()
    if os.environ.get("PRESSROOM_REQUIRE_POSTGRES") and vendor != "postgresql":
        raise pytest.UsageError(
            "PRESSROOM_REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL."
        )
    if vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/pressroom"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def isolated_media(tmp_path_factory):
    """Keep every file the tests write in a temporary folder, never in var/."""
    with override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private")),
    ):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start every test with nothing cached: no page one test cached is served in another."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from articles import content_version

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
    else:
        # A shared Redis is never flushed: a new version leaves every versioned entry behind.
        content_version.bump()


@pytest.fixture
def without_page_cache(settings):
    """Turn the page cache and its HTTP max-age off: for tests that count a view's queries."""
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    settings.PRESSROOM_HTTP_MAX_AGE = 0
