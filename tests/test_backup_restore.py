"""Restore drill: back up a populated site, restore it into an empty database and empty
media folders, and prove the restored site serves the same pages, feeds, media files and
admin history, byte for byte, while drafts and scheduled articles stay hidden.

Both sites are real gunicorn processes on loopback (pressroom.loopback) with the same
environment except the database and media folders, the clock frozen at one instant and
the page cache off, so every page is rendered from its own database.
"""

import datetime
import hashlib
import html
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from articles import backups
from pressroom.loopback import gunicorn
from tests.programs import program_or_skip

ROOT = Path(settings.BASE_DIR)
HOST = "press.drill.test"
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
VENDORS = [
    # The SQLite drill runs in the SQLite run of CI, the pg_dump drill in the PostgreSQL run.
    pytest.param("sqlite", marks=pytest.mark.skipif(ON_POSTGRES, reason="run on SQLite")),
    pytest.param("postgres", marks=pytest.mark.postgres),
]
# Settings pages (low vision) link to themselves with ever longer ?next=: not content.
SKIPPED_PREFIXES = ("/admin/", "/static/", "/preview/", "/accessibility/")
CRAWL_LIMIT = 3000
LINK = re.compile(
    r'(?:href|src|url)="([^"]*)"|srcset="([^"]*)"|<(?:loc|link|guid|id)>([^<]*)</', re.I
)
# Per-request values; everything else must match byte for byte.
VOLATILE = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*'),
    re.compile(rb'(nonce=")[^"]*'),
]
GUNICORN_CONFIG = """\
import datetime
import time_machine

def post_worker_init(worker):
    # Both sites answer as of the same instant, so "now" never differs between them.
    time_machine.travel(datetime.datetime.fromisoformat({frozen!r}), tick=False).start()
"""


@dataclass
class Site:
    database_url: str
    media: Path
    private: Path

    def environment(self, **extra):
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PRESSROOM_", "DATABASE_", "REDIS_"))
        }
        env.update(
            DATABASE_URL=self.database_url,
            DJANGO_MEDIA_ROOT=str(self.media),
            DJANGO_PRIVATE_MEDIA_ROOT=str(self.private),
            DJANGO_DEBUG="1",  # Django serves /media/ itself, so fetched files come from disk
            DJANGO_SECRET_KEY="restore-drill-only",
            DJANGO_ALLOWED_HOSTS=f"{HOST},testserver,127.0.0.1",
            PRESSROOM_PAGE_CACHE_SECONDS="0",
            **extra,
        )
        return env


@dataclass
class Response:
    status: int
    content_type: str
    location: str
    body: bytes

    def masked(self):
        body = self.body
        for pattern in VOLATILE:
            body = pattern.sub(rb"\1MASKED", body)
        return (self.status, self.content_type, self.location, body)


@dataclass
class Drill:
    vendor: str
    source: Site
    restored: Site
    backup: Path
    facts: dict
    frozen: datetime.datetime
    spare_database_url: str  # another empty database, for a second restore
    servers: dict = field(default_factory=dict)


def run(script, site, *args, **extra_env):
    """Run one of the deploy/ scripts against a site; return the CompletedProcess."""
    return subprocess.run(
        [str(ROOT / "deploy" / script), *map(str, args)],
        env=site.environment(PRESSROOM_PYTHON=sys.executable, **extra_env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _postgres_url(settings_dict, name):
    user = urllib.parse.quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{urllib.parse.quote(password)}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


@contextmanager
def _databases(vendor, folder):
    """Yield the URLs of new databases: source, restored and spare; drop them afterwards."""
    roles = ("source", "restored", "spare")
    if vendor == "sqlite":
        yield tuple(f"sqlite:///{folder / role}.sqlite3" for role in roles)
        return
    import psycopg2

    program_or_skip("pg_dump")
    program_or_skip("pg_restore")
    config = settings.DATABASES["default"]
    base = str(config["NAME"]).removeprefix("test_")
    names = [f"{base}_drill_{role}_{os.getpid()}" for role in roles]
    admin = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
        yield tuple(_postgres_url(config, name) for name in names)
    finally:
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _populate(site, output):
    result = subprocess.run(
        [sys.executable, "-m", "tests.backup_drill", "populate", str(output)],
        cwd=ROOT,
        env=site.environment(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(output.read_text())


@pytest.fixture(scope="module", params=VENDORS)
def drill(request, tmp_path_factory):
    """A populated site, its backup restored into a new site, and both served by gunicorn."""
    vendor = request.param
    folder = tmp_path_factory.mktemp(f"drill-{vendor}")
    with _databases(vendor, folder) as (source_url, restored_url, spare_url):
        source = Site(source_url, folder / "source-media", folder / "source-private")
        restored = Site(restored_url, folder / "restored-media", folder / "restored-private")
        facts = _populate(source, folder / "facts.json")
        made = run("pressroom-backup", source, PRESSROOM_BACKUP_DIR=folder / "backups")
        assert made.returncode == 0, made.stderr
        (backup,) = backups.completed_backups(folder / "backups")
        restore = run("pressroom-restore", restored, backup)
        assert restore.returncode == 0, restore.stderr
        frozen = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        config = folder / "gunicorn_frozen.py"
        config.write_text(GUNICORN_CONFIG.format(frozen=frozen.isoformat()))
        drill = Drill(vendor, source, restored, backup, facts, frozen, spare_url)
        with (
            gunicorn(env=source.environment(), workers=1, config=config) as original,
            gunicorn(env=restored.environment(), workers=1, config=config) as copy,
        ):
            drill.servers = {"original": original, "restored": copy}
            yield drill


def fetch(server, path, cookie=None):
    """GET path from a server as HOST, without following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Host": HOST}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    try:
        connection.request(
            "GET", urllib.parse.quote(path, safe="/?=&%:+,;@-._~!$'()*"), headers=headers
        )
        answer = connection.getresponse()
        return Response(
            answer.status,
            answer.getheader("Content-Type", ""),
            answer.getheader("Location", ""),
            answer.read(),
        )
    finally:
        connection.close()


def links_in(body):
    """Return the site-local paths that a page, feed or sitemap links to."""
    found = set()
    for href, srcset, text in LINK.findall(body.decode("utf-8", "replace")):
        candidates = [href or text]
        if srcset:
            candidates = [
                item.split()[0] for item in html.unescape(srcset).split(",") if item.strip()
            ]
        for candidate in candidates:
            parts = urllib.parse.urlsplit(html.unescape(candidate.strip()))
            if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", HOST):
                continue
            if parts.path.startswith("/"):
                found.add(urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")))
    return found


def compare(drill, start, *, follow, cookie=None):
    """Crawl from start on the original site, fetching each path from both sites.

    Return {path: (original Response, restored Response)}; `follow(path)` decides which
    links are fetched.
    """
    seen, queue, pairs = set(start), list(start), {}
    while queue:
        assert len(pairs) < CRAWL_LIMIT, "the crawl does not end"
        path = queue.pop(0)
        original = fetch(drill.servers["original"], path, cookie)
        pairs[path] = (original, fetch(drill.servers["restored"], path, cookie))
        if original.status != 200 or path.startswith("/media/"):
            continue
        for link in sorted(links_in(original.body) - seen):
            if follow(link):
                seen.add(link)
                queue.append(link)
    return pairs


def _first_difference(before, after):
    at = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
        min(len(before), len(after)),
    )
    start = max(0, at - 120)
    return [
        f"original: …{before[start : at + 120].decode('utf-8', 'replace')}…",
        f"restored: …{after[start : at + 120].decode('utf-8', 'replace')}…",
    ]


def differences(pairs):
    """Return {path: how it differs} for every path whose two answers are not the same."""
    found = {}
    for path, (original, restored) in pairs.items():
        before, after = original.masked(), restored.masked()
        if before[:3] != after[:3]:
            found[path] = [f"original: {before[:3]}", f"restored: {after[:3]}"]
        elif before != after:
            found[path] = _first_difference(before[3], after[3])
    return found


def assert_identical(pairs):
    """Fail with the first differences shown, when any path answers differently."""
    found = differences(pairs)
    report = "\n\n".join(f"{path}:\n" + "\n".join(lines) for path, lines in list(found.items())[:3])
    assert not found, f"{len(found)} paths differ after restore:\n{report}"


def is_public(path):
    return not path.startswith(SKIPPED_PREFIXES)


def crawl_public(drill):
    """Compare everything the public site links to, from its home page, feeds and sitemaps."""
    start = ["/", "/sitemap.xml", "/sitemap-news.xml", "/robots.txt", "/feeds/news.rss"]
    start += ["/feeds/news.atom", "/feeds/yandex.xml", "/feeds/dzen.rss", "/agreements/"]
    start += ["/search/?q=Оренбург", "/search/?q=губернатор"]
    # The registry's filters are a form, not links: ask for a few filtered lists.
    start += ["/agreements/?country=KZ", "/agreements/?kind=roadmap", "/agreements/?year=2025"]
    start += ["/agreements/?status=in_force", "/agreements/?party=1"]
    return compare(drill, start, follow=is_public)


def crawl_admin_history(drill):
    """Compare the edited article's history and versions, and the recover-deleted pages."""
    history = f"/admin/articles/article/{drill.facts['edited']}/history/"
    recover = "/admin/articles/article/recover/"
    start = [history, f"{history}compare/", recover]
    start += [f"/admin/articles/article/{hidden['pk']}/change/" for hidden in drill.facts["hidden"]]
    wanted = re.compile(rf"^({re.escape(history)}(\d+/|compare/\?.*)|{re.escape(recover)}\d+/)$")
    return compare(drill, start, follow=wanted.match, cookie=drill.facts["session_cookie"])


@pytest.fixture(scope="module")
def public(drill):
    return crawl_public(drill)


@pytest.fixture(scope="module")
def admin_history(drill):
    return crawl_admin_history(drill)


def test_every_public_page_feed_and_sitemap_is_identical(public):
    """Each page, feed, sitemap and file the public site links to is the same after restore."""
    assert_identical(public)
    pages = [path for path, (original, _) in public.items() if original.status == 200]
    for expected in ("/news/", "/rubrics/", "/tags/", "/agreements/", "/feeds/rubrics/"):
        assert any(path.startswith(expected) and path != expected for path in pages), expected
    assert any(re.match(r"^/news/\d{4}/(\d{2}/)?$", path) for path in pages)
    assert any(path.startswith("/search/?q=") for path in pages)
    assert any(path.startswith("/sitemap-") for path in pages)


def test_every_published_article_is_served_from_the_restored_database(drill, public):
    """Every article listed in the news sitemap has a page, identical on both sites."""
    sitemap = public["/sitemap.xml"][1].body.decode()
    articles = set()
    for section in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        body = public[urllib.parse.urlsplit(section).path][1].body.decode()
        articles |= {
            urllib.parse.urlsplit(loc).path
            for loc in re.findall(r"<loc>([^<]+)</loc>", body)
            if "/news/" in loc and re.search(r"/news/\d+-", loc)
        }
    assert len(articles) >= 30
    for path in articles:
        original, restored = public[path]
        assert restored.status == 200
        assert restored.masked() == original.masked(), path


def test_media_files_referenced_by_pages_are_identical(public):
    """Photos and the agreement PDF that pages link to are served, byte for byte, after restore."""
    files = {path: pair for path, pair in public.items() if path.startswith("/media/")}
    documents = {path: pair for path, pair in public.items() if path.endswith("/document/")}
    assert len(files) >= 50
    assert documents
    for path, (original, restored) in {**files, **documents}.items():
        assert original.status == restored.status == 200, path
        assert hashlib.sha256(restored.body).digest() == hashlib.sha256(original.body).digest()
    assert any(restored.body.startswith(b"%PDF") for _, restored in documents.values())


def _tree(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_media_folders_are_restored_file_for_file(drill):
    """Public media and the private originals come back complete, with the same contents."""
    for folder in ("media", "private"):
        original = _tree(getattr(drill.source, folder))
        assert original, folder
        assert _tree(getattr(drill.restored, folder)) == original
    assert any(name.startswith("originals/") for name in _tree(drill.restored.private))


def test_admin_history_and_recoverable_deletions_are_identical(drill, admin_history):
    """The edited article's history, its versions and the recover list are the same."""
    assert_identical(admin_history)
    statuses = {path: original.status for path, (original, _) in admin_history.items()}
    assert set(statuses.values()) == {200}, statuses
    assert sum(re.search(r"/history/\d+/$", path) is not None for path in statuses) >= 2
    assert any("/history/compare/" in path for path in statuses)
    recover = admin_history["/admin/articles/article/recover/"][1]
    assert drill.facts["deleted_title"] in html.unescape(recover.body.decode())
    assert any(re.search(r"/recover/\d+/$", path) for path in statuses)


def test_draft_and_scheduled_article_stay_hidden_after_restore(drill, public, admin_history):
    """Restored drafts and scheduled articles exist for editors but not for the public."""
    for hidden in drill.facts["hidden"]:
        assert fetch(drill.servers["restored"], hidden["path"]).status == 404
        for path, (_, restored) in public.items():
            assert hidden["title"] not in restored.body.decode("utf-8", "replace"), path
        change = admin_history[f"/admin/articles/article/{hidden['pk']}/change/"][1]
        assert hidden["title"] in html.unescape(change.body.decode())


def test_manifest_lists_every_part_with_its_checksum(drill):
    """The manifest names the database dump and both media archives with sha256 and versions."""
    manifest = json.loads((drill.backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == (
        "postgresql" if drill.vendor == "postgres" else "sqlite"
    )
    assert set(manifest["parts"]) == {"database", "media", "private"}
    for part in manifest["parts"].values():
        content = (drill.backup / part["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == part["sha256"]
    assert manifest["versions"]["django"].startswith("5.")
    if drill.vendor == "postgres":
        assert (drill.backup / "database.pgdump").read_bytes().startswith(b"PGDMP")
        assert "pg_dump" in manifest["versions"]["pg_dump"]
    assert datetime.datetime.fromisoformat(manifest["created_at"]) <= drill.frozen


def test_restore_refuses_a_database_that_is_not_empty(drill, tmp_path):
    """Restoring over the restored site again is refused, and says how to proceed."""
    target = Site(drill.restored.database_url, tmp_path / "media", tmp_path / "private")
    result = run("pressroom-restore", target, drill.backup)
    assert result.returncode != 0
    assert "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "media").exists()


def test_restore_refuses_media_folders_that_are_not_empty(drill, tmp_path):
    """Restoring into media folders that hold files is refused before anything is written."""
    if drill.vendor == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        pytest.skip("the check is the same on every database; the SQLite run makes it")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "keep.txt").write_text("someone else's file")
    result = run(
        "pressroom-restore", Site(url, tmp_path / "media", tmp_path / "private"), drill.backup
    )
    assert result.returncode != 0
    assert str(tmp_path / "media") in result.stderr
    assert not (tmp_path / "private").exists()


def test_restore_refuses_a_damaged_backup(drill, tmp_path):
    """A backup whose archive no longer matches its checksum is not restored at all."""
    damaged = tmp_path / drill.backup.name
    shutil.copytree(drill.backup, damaged)
    with open(damaged / "media.tar", "r+b") as handle:
        handle.seek(2048)
        byte = handle.read(1)
        handle.seek(2048)
        handle.write(bytes([byte[0] ^ 0xFF]))
    target = Site(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "m", tmp_path / "p")
    result = run("pressroom-restore", target, damaged)
    assert result.returncode != 0
    assert "media.tar" in result.stderr
    assert not (tmp_path / "m").exists()
    assert run("pressroom-restore", target, drill.backup, "--check").returncode == 0


def _fake_backup(folder, name, finished=True):
    path = folder / name
    path.mkdir()
    if finished:
        (path / "manifest.json").write_text("{}")
    return path


def test_retention_keeps_the_newest_finished_backups(tmp_path):
    """Pruning keeps the newest N finished backups and never touches unfinished ones."""
    names = [
        "pressroom-20261101T000000Z",
        "pressroom-20261102T000000Z",
        "pressroom-20261103T000000Z",
    ]
    for name in names:
        _fake_backup(tmp_path, name)
    partial = _fake_backup(tmp_path, ".pressroom-20261104T000000Z.partial", finished=False)
    other = _fake_backup(tmp_path, "notes", finished=False)
    backups.prune(tmp_path, keep=2)
    assert [path.name for path in backups.completed_backups(tmp_path)] == names[1:]
    assert partial.exists() and other.exists()


def test_backup_rejects_a_bad_retention_setting(tmp_path):
    """PRESSROOM_BACKUP_KEEP that is not a positive number is a clear error, not a traceback."""
    site = Site(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "m", tmp_path / "p")
    result = run("pressroom-backup", site, PRESSROOM_BACKUP_DIR=tmp_path, PRESSROOM_BACKUP_KEEP="0")
    assert result.returncode != 0
    assert "PRESSROOM_BACKUP_KEEP" in result.stderr
    assert "Traceback" not in result.stderr


def _drill_command(site, *args):
    result = subprocess.run(
        [sys.executable, "-m", "tests.backup_drill", *map(str, args)],
        cwd=ROOT,
        env=site.environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_backup_taken_during_uploads_restores_every_file(drill, tmp_path):
    """A backup made while photos are uploaded restores with no row lacking its files."""
    before = json.loads(_drill_command(drill.source, "check"))["photos"]
    stop, progress = tmp_path / "stop", tmp_path / "progress"
    uploader = subprocess.Popen(
        [sys.executable, "-m", "tests.backup_drill", "upload", stop, progress],
        cwd=ROOT,
        env=drill.source.environment(),
    )
    try:
        deadline = time.monotonic() + 300
        while not progress.exists() and uploader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert progress.exists(), "the uploads did not start"
        made = run("pressroom-backup", drill.source, PRESSROOM_BACKUP_DIR=tmp_path / "backups")
        assert made.returncode == 0, made.stderr
    finally:
        stop.touch()
        uploader.wait(300)
    assert uploader.returncode == 0
    (backup,) = backups.completed_backups(tmp_path / "backups")
    spare = Site(drill.spare_database_url, tmp_path / "media", tmp_path / "private")
    restore = run("pressroom-restore", spare, backup)
    assert restore.returncode == 0, restore.stderr
    restored = json.loads(_drill_command(spare, "check"))
    assert restored["missing"] == []
    assert restored["photos"] > before  # the uploads made before the dump are in it
