"""PostgreSQL restarted under load: a friendly 503 meanwhile, and recovery without anyone's help.

gunicorn (deploy/gunicorn.conf.py, sync workers, DJANGO_DEBUG=0) serves a site whose
database is a private cluster; two threads keep requesting pages and the feed while the
cluster is restarted, then stopped for a few seconds and started again.
"""

import time

import psycopg2
import pytest

from pressroom.errors import RETRY_AFTER_SECONDS
from tests.faults_support import LoadDriver, app_server, prepared_site, private_postgres

pytestmark = pytest.mark.postgres

OUTAGE = "Сайт временно недоступен"
# Seconds after the database is back within which every answer must be a normal page.
RECOVERY_SECONDS = 5
TRACEBACK_MARKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg2", 'File "')


@pytest.fixture(scope="module")
def site():
    """A private cluster with a migrated, filled database, and gunicorn serving it."""
    with private_postgres() as cluster:
        connection = psycopg2.connect(cluster.url("postgres"))
        connection.autocommit = True
        connection.cursor().execute("CREATE DATABASE pressroom")
        connection.close()
        with (
            prepared_site(database_url=cluster.url("pressroom")) as prepared,
            app_server(prepared, workers=2) as server,
        ):
            yield cluster, prepared, server


def paths(prepared):
    """The site's pages, plus a search no page cache can answer: it always needs the database."""
    return [*prepared.paths, "/search/?q=%D1%84%D0%BE%D1%80%D1%83%D0%BC&n={n}"]


def describe(answers):
    return "\n".join(
        f"{a.at:.2f} {a.path} {a.status} {a.error} {a.body[:200]!r}" for a in answers[-30:]
    )


def assert_only_pages_or_friendly_503(answers, server):
    for answer in answers:
        context = f"{describe(answers)}\n--- gunicorn\n{server.log()[-3000:]}"
        assert answer.status in (200, 503), context
        assert not any(mark in answer.body for mark in TRACEBACK_MARKS), context
        if answer.status == 503:
            assert OUTAGE in answer.body, context
            assert answer.retry_after == str(RETRY_AFTER_SECONDS), context


def wait_for_recovery(driver, back_at):
    """Return the answers from back_at until RECOVERY_SECONDS later, plus one more second."""
    time.sleep(RECOVERY_SECONDS + 1)
    return driver.since(back_at)


def test_restart_under_load_gives_503_then_pages_again(site):
    """During `pg_ctl restart -m fast` every answer is a page or the 503; then all pages."""
    cluster, prepared, server = site
    with LoadDriver(server.port, paths(prepared)) as driver:
        time.sleep(1)
        cluster.restart()
        back_at = time.monotonic()
        answers = wait_for_recovery(driver, back_at)
    everything = driver.answers
    assert not [a for a in everything if a.error], describe([a for a in everything if a.error])
    assert_only_pages_or_friendly_503(everything, server)
    settled = [a for a in answers if a.at >= back_at + RECOVERY_SECONDS]
    assert settled and all(a.status == 200 for a in settled), describe(answers)


def test_database_down_for_seconds_gives_503_and_recovers(site):
    """Stopped for 3 s: the requests meanwhile get the 503 page; once started, pages again."""
    cluster, prepared, server = site
    with LoadDriver(server.port, paths(prepared)) as driver:
        time.sleep(1)
        cluster.stop()
        down_at = time.monotonic()
        time.sleep(3)
        cluster.start()
        back_at = time.monotonic()
        answers = wait_for_recovery(driver, back_at)
    during = [a for a in driver.answers if down_at + 0.5 <= a.at < back_at - 0.5]
    # Pages still in the page cache keep answering 200; the rest must be the 503 page.
    assert any(a.status == 503 for a in during), describe(during)
    assert not [a for a in driver.answers if a.error]
    assert_only_pages_or_friendly_503(driver.answers, server)
    settled = [a for a in answers if a.at >= back_at + RECOVERY_SECONDS]
    assert settled and all(a.status == 200 for a in settled), describe(answers)
