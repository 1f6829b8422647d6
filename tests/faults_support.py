"""Real processes for the fault tests: a private PostgreSQL cluster, a prepared site, a load driver.

The cluster is this test's own (initdb into a temporary folder, a free port on
127.0.0.1, trust authentication), so restarting it never touches the machine's main
PostgreSQL that other tests use. Everything is a context manager that stops what it
started.
"""

import contextlib
import http.client
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pressroom import loopback
from tests import deploy_support
from tests.programs import program_or_skip

ROOT = Path(__file__).resolve().parent.parent
HOST = deploy_support.SERVER_NAME


@dataclass
class Cluster:
    """A private PostgreSQL cluster run by user postgres."""

    port: int
    datadir: Path
    pg_ctl: str

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _ctl(self, *args):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", self.pg_ctl, *args, "-D", str(self.datadir)],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self):
        self._ctl("start", "-w", "-l", str(self._log_path), "-o", self._options())

    def stop(self, mode="fast"):
        self._ctl("stop", "-w", "-m", mode)

    def restart(self):
        # -l as for start: a server left writing to pg_ctl's output pipe would hang the run.
        self._ctl("restart", "-w", "-m", "fast", "-l", str(self._log_path), "-o", self._options())

    def _options(self):
        socket_dir = self.datadir.parent
        return f"-p {self.port} -c listen_addresses=127.0.0.1 -k {socket_dir} -c fsync=off"

    @property
    def _log_path(self):
        return self.datadir.parent / "server.log"

    def log(self):
        path = self._log_path
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def private_postgres():
    """Run a throw-away PostgreSQL cluster on a free port; yield a Cluster."""
    initdb = program_or_skip("initdb")
    pg_ctl = program_or_skip("pg_ctl")
    folder = Path(tempfile.mkdtemp(prefix="pressroom-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    datadir = folder / "data"
    cluster = Cluster(port=loopback.free_port(), datadir=datadir, pg_ctl=pg_ctl)
    try:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", initdb, "-D", str(datadir), "--auth=trust"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        cluster.start()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.SubprocessError):
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def manage(env, *args):
    """Run a manage.py command in the production environment env; fail with its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


CONTENT_SCRIPT = """
from articles.models import Article
from tests.factories import ArticleFactory, RubricFactory
rubric = RubricFactory(name="Экономика", slug="ekonomika")
for number in range(5):
    ArticleFactory(title=f"Форум приграничного сотрудничества, день {number}", rubrics=[rubric])
print(Article.objects.order_by("-pk").first().get_absolute_url())
"""


@dataclass
class PreparedSite:
    env: dict
    article_url: str
    workdir: Path

    @property
    def paths(self):
        search = f"/search/?q={quote('форум')}"
        return ["/", self.article_url, "/feeds/news.rss", "/rubrics/ekonomika/", search]


@contextlib.contextmanager
def prepared_site(*, database_url, redis_url=""):
    """Migrate the database, add a rubric and five articles, collect static; yield PreparedSite.

    The folder with the static files and media is removed at the end.
    """
    workdir = Path(tempfile.mkdtemp(prefix="pressroom-faults-"))
    try:
        env = deploy_support.production_env(
            database_url=database_url,
            redis_url=redis_url,
            static_root=workdir / "static",
            media_root=workdir / "media",
            private_root=workdir / "private",
        )
        manage(env, "migrate", "--noinput", "-v", "0")
        article_url = manage(env, "shell", "-c", CONTENT_SCRIPT).strip().splitlines()[-1]
        deploy_support.collectstatic(env)
        yield PreparedSite(env=env, article_url=article_url, workdir=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def app_server(prepared, *, workers=2):
    """Run gunicorn with deploy/gunicorn.conf.py (sync workers) for a prepared site."""
    with loopback.gunicorn(
        env=prepared.env,
        config=deploy_support.GUNICORN_CONF,
        workers=workers,
        workdir=prepared.workdir / "gunicorn",
    ) as running:
        yield running


@contextlib.contextmanager
def site_with_redis(tmp_path, *, workers=2):
    """The production stack on SQLite and a private Redis: yield (redis, prepared, app)."""
    with loopback.redis_server() as redis_server:
        database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
        with (
            prepared_site(database_url=database_url, redis_url=redis_server.extra["url"]) as site,
            app_server(site, workers=workers) as app,
        ):
            yield redis_server, site, app


@dataclass
class Answer:
    """One request of the load driver: when, what, and how it ended."""

    at: float
    path: str
    status: int | None
    retry_after: str | None = None
    body: str = ""
    error: str = ""


def fetch(port, path, *, timeout=10):
    """GET path from gunicorn on port as nginx would forward it; return an Answer."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return Answer(started, path, response.status, response.getheader("Retry-After"), body)
    except (OSError, http.client.HTTPException) as error:
        return Answer(started, path, None, error=f"{type(error).__name__}: {error}")
    finally:
        conn.close()


@dataclass
class LoadDriver:
    """Threads that request the given paths in turn until stopped, keeping every Answer.

    "{n}" in a path becomes the request's number: an address no page cache holds.
    """

    port: int
    paths: list
    threads: int = 2
    answers: list = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._run, args=(n,)) for n in range(self.threads)]

    def _run(self, offset):
        number = offset
        while not self._stop.is_set():
            path = self.paths[number % len(self.paths)].replace("{n}", str(number))
            answer = fetch(self.port, path)
            with self._lock:
                self.answers.append(answer)
            number += 1

    def __enter__(self):
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        for worker in self._workers:
            worker.join(30)

    def since(self, moment):
        with self._lock:
            return [answer for answer in self.answers if answer.at >= moment]


class NetworkCut:
    """A TCP relay to a server on 127.0.0.1 whose link can be cut and restored.

    Clients connect to relay.port. cut() drops every open connection and refuses new
    ones, as a network fault would, while the server behind keeps running with its data;
    restore() lets connections through again on the same port. silence() keeps the
    connections open but lets nothing through, as a firewall that forgot them would.
    """

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = loopback.free_port()
        self._lock = threading.Lock()
        self._sockets = []
        self._listener = None
        self._thread = None
        self._silent = False

    def __enter__(self):
        self.restore()
        return self

    def __exit__(self, *exc_info):
        self.cut()

    def restore(self):
        self._silent = False
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def silence(self):
        self._silent = True

    def cut(self):
        if self._listener is None:
            return
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self._listener.close()
        self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(5)

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # the listener was closed by cut()
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not self._silent:
                    sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
