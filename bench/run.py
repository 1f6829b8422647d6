"""Benchmark Pressroom: import a synthetic data set, serve it and measure it with wrk.

    .venv/bin/python bench/run.py --articles 1000        (or: make bench ARTICLES=1000)

Uses (and keeps) the PostgreSQL database pressroom_bench_<N>, filling it once with
`generate_content` + `import_content`; starts gunicorn (2 sync workers, debug off) twice,
uncached (PRESSROOM_PAGE_CACHE_SECONDS=0) and with the page cache in a private Redis,
and nginx for a static reference file and its micro-cache in front of Django; measures
each page with wrk in interleaved rounds and prints the medians, then writes them into
docs/performance.md. See docs/performance.md for what is measured and why.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from pressroom import loopback  # noqa: E402

CONNECTIONS = 8
WRK_THREADS = 2
SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789abcdef"
SEARCH_WORDS = (
    "губернатор",
    "школы",
    "дорог",
    "больницы",
    "инвестициям",
    "туристических",
    "Солнцев",
    "Оренбург",
    "сотрудничества",
    "отопительному",
)
# (page, how it is served); each is one wrk measurement per round. "cached-gzip" is the
# cached server asked as browsers and feed readers ask, accepting gzip.
MODES = ("uncached", "cached", "cached-gzip", "nginx")
ACCEPT_ENCODING = {"cached-gzip": "gzip, deflate, br"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True, help="Size of the data set.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds (median).")
    parser.add_argument(
        "--photo-articles",
        type=int,
        default=200,
        help="Only the newest N articles get a photo (renditions cost ~0.1 s each).",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL, without a database name.",
    )
    parser.add_argument("--database", help="Database name (default pressroom_bench_<N>).")
    parser.add_argument("--workdir", help="Data, media and logs (default var/bench/<db>).")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="Which of uncached,cached,nginx to measure (all are started and checked).",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="Measure --database as it is, importing nothing (e.g. the million rows of "
        "bench/make_scale_db.py); --articles then only names the section.",
    )
    parser.add_argument(
        "--no-text-import",
        action="store_true",
        help="Skip the second, photo-less import into a scratch database (at 1 M it "
        "doubles the time of filling).",
    )
    parser.add_argument("--drop", action="store_true", help="Drop the database afterwards.")
    parser.add_argument(
        "--prepare-only", action="store_true", help="Fill the database, measure nothing."
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="Print the table only; leave the docs alone."
    )
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    args.modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if not set(args.modes) <= set(MODES):
        parser.error(f"--modes takes some of {','.join(MODES)}")
    args.database = args.database or f"pressroom_bench_{args.articles}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.database):
        parser.error("--database must be a plain lower-case PostgreSQL name")
    args.workdir = Path(args.workdir or ROOT / "var" / "bench" / args.database)
    return args


def django_env(args, **extra):
    """Return the environment of the site: production settings on loopback."""
    work = args.workdir
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DATABASE_URL": f"{args.server.rstrip('/')}/{args.database}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(work / "private"),
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    env.update(extra)
    return env


def manage(args, *command, env=None):
    """Run a manage.py command with the bench settings; return (seconds, peak RSS, log)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env or django_env(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    samples = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_rss, args=(process.pid, samples, stop), daemon=True)
    sampler.start()
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{output[-4000:]}")
    peak = usage.ru_maxrss * 1024
    return time.monotonic() - started, peak, samples, output


def _sample_rss(pid, samples, stop):
    """Record the process's RSS every half second until stop is set, to show whether
    memory stays flat. It never waits for the process (Popen.poll() would): the child
    must be left for manage()'s wait4, which reads its peak RSS.
    """
    while not stop.is_set():
        rss = rss_bytes(pid)
        if rss:
            samples.append(rss)
        stop.wait(0.5)


def rss_bytes(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def connect(args, dbname):
    """Return an autocommit psycopg2 connection to dbname on the bench's server."""
    import psycopg2

    server = urlsplit(args.server)
    connection = psycopg2.connect(
        dbname=dbname,
        host=server.hostname or "127.0.0.1",
        port=server.port or 5432,
        user=server.username or "postgres",
        password=server.password or None,
    )
    connection.autocommit = True
    return connection


def ensure_database(args):
    """Create the bench database when missing; return whether it already holds the set."""
    import psycopg2

    connection = connect(args, "postgres")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        exists = cursor.fetchone() is not None
        if not exists:
            cursor.execute(f'CREATE DATABASE "{args.database}"')
    connection.close()
    if not exists:
        return False
    connection = connect(args, args.database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM articles_article WHERE key LIKE 'bench-%%'")
            return cursor.fetchone()[0] == args.articles
    except psycopg2.Error:
        return False
    finally:
        connection.close()


def drop_database(args):
    connection = connect(args, "postgres")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    connection.close()


def settle_database(args):
    """VACUUM ANALYZE the bench database; return the seconds it took.

    After an import, autovacuum soon vacuums and analyzes the new rows: minutes at 1 M,
    on the cores the measured workers use, in whichever round it happens to fall. Done
    here first, every round measures the database a site has once autovacuum has run.
    """
    connection = connect(args, args.database)
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
    return time.monotonic() - started


def load_data(args):
    """Fill the database once; return the import figures (measured now or saved before)."""
    figures_file = args.workdir / "import.json"
    if args.existing:
        manage(args, "migrate", "--noinput", "-v0")
        print(f"Measuring the database {args.database} as it is.", flush=True)
        return None
    filled = ensure_database(args)
    manage(args, "migrate", "--noinput", "-v0")
    if filled and figures_file.exists():
        print(f"Database {args.database} already holds {args.articles} articles: reused.")
        return json.loads(figures_file.read_text())
    data = args.workdir / "data"
    photo_articles = min(args.articles, args.photo_articles)
    print(f"Generating {args.articles} articles ({photo_articles} with a photo)…", flush=True)
    manage(
        args,
        "generate_content",
        f"--articles={args.articles}",
        f"--output={data}",
        f"--seed={args.seed}",
        f"--photo-articles={photo_articles}",
    )
    print("Importing…", flush=True)
    figures = timed_import(args, data, photo_articles)
    if photo_articles and not args.no_text_import:
        # The same articles without photos, in a scratch database: what the import
        # itself does, apart from making renditions.
        figures["text_only"] = text_only_import(args)
    figures_file.parent.mkdir(parents=True, exist_ok=True)
    figures_file.write_text(json.dumps(figures))
    return figures


def timed_import(args, data, photo_articles, env=None):
    """Import the data set; return its figures (time, rate, peak and early RSS)."""
    seconds, peak, samples, _log = manage(args, "import_content", str(data), env=env)
    return {
        "articles": args.articles,
        "photos": photo_articles,
        "seconds": round(seconds, 1),
        "articles_per_second": round(args.articles / seconds, 1),
        "peak_rss_mib": round(peak / 2**20, 1),
        # RSS a quarter of the way through: close to the peak means memory stayed flat.
        "quarter_rss_mib": round(samples[len(samples) // 4] / 2**20, 1) if samples else None,
    }


def text_only_import(args):
    """Measure importing the articles without photos into a scratch database."""
    scratch = argparse.Namespace(**{**vars(args), "database": f"{args.database}_text"})
    drop_database(scratch)
    ensure_database(scratch)
    env = django_env(scratch)
    try:
        manage(scratch, "migrate", "--noinput", "-v0", env=env)
        data = args.workdir / "data-text"
        manage(
            scratch,
            "generate_content",
            f"--articles={args.articles}",
            f"--output={data}",
            f"--seed={args.seed}",
            "--photo-articles=0",
            env=env,
        )
        print("Importing the same articles without photos…", flush=True)
        return timed_import(scratch, data, 0, env=env)
    finally:
        drop_database(scratch)


def setup_django(args):
    os.environ.update(django_env(args, PRESSROOM_PAGE_CACHE_SECONDS="0"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pressroom.settings"
    import django

    django.setup()


def collect_paths(args):
    """Return {page: [paths]} spread over many articles, rubrics and tags."""
    from django.db.models.functions import Mod
    from django.urls import reverse

    from articles.models import Article, Rubric, Tag
    from articles.views.mixins import ARTICLES_PER_PAGE

    published = Article.objects.published()
    total = published.count()
    # About 500 articles spread over the whole archive, picked by id in one pass.
    spread = published.alias(bucket=Mod("pk", max(1, total // 500))).filter(bucket=0)
    ids = list(spread.order_by("-published_at").values_list("pk", "slug")[:500])
    pages = max(1, -(-total // ARTICLES_PER_PAGE))
    deep = min(2000, pages)
    rubrics = [
        reverse("articles:rubric", args=[slug])
        for slug in Rubric.objects.values_list("slug", flat=True)
    ]
    tag_slugs = Tag.objects.order_by("pk").values_list("slug", flat=True)[:200]
    tag_paths = [reverse("articles:tag", args=[slug]) for slug in tag_slugs]
    rubric_slugs = list(Rubric.objects.values_list("slug", flat=True))
    return {
        "home": ["/"],
        "article": [reverse("articles:article", args=[pk, slug]) for pk, slug in ids],
        "rubric": rubrics,
        "tag": tag_paths,
        f"deep page (?page={deep})": [f"/?page={deep}"],
        "RSS feed": ["/feeds/news.rss"]
        + [reverse("feeds:rubric-rss", args=[slug]) for slug in rubric_slugs],
        "Atom feed": ["/feeds/news.atom"]
        + [reverse("feeds:rubric-atom", args=[slug]) for slug in rubric_slugs],
        "search": [f"/search/?q={urllib.request.quote(word)}" for word in SEARCH_WORDS],
    }


def count_queries(paths):
    """Return {page: (SQL queries, SQL queries when repeated)} of the first few paths.

    Through Django's test client: the first request of each path meets cold memos and
    cards, the repeated one what a busy site's requests meet. The worst of each.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client()
    counts = {}
    for page, urls in paths.items():
        first = repeated = 0
        for url in urls[:3]:
            for visit in ("first", "repeated"):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answers {response.status_code} in the test client")
                if visit == "first":
                    first = max(first, len(queries))
                else:
                    repeated = max(repeated, len(queries))
        counts[page] = (first, repeated)
    return counts


def reference_html(paths):
    """Return an article page's HTML: the static file nginx serves as the reference."""
    from django.test import Client

    return Client().get(paths["article"][0]).content


def check_answers(base, paths, accept_encoding=None):
    """Fail unless every page answers 200 through this server; return nginx's cache status.

    Each path is asked twice: the second answer's X-Micro-Cache header tells whether
    nginx's micro-cache kept the first (HIT) or passed it on to Django (MISS, BYPASS).
    Asked with accept_encoding, every answer must come compressed.
    """
    statuses = {}
    for page, urls in paths.items():
        for url in urls[:3]:
            for _attempt in range(2):
                try:
                    with urllib.request.urlopen(
                        _request(base + url, accept_encoding), timeout=30
                    ) as response:
                        status = response.status
                        statuses[page] = response.headers.get("X-Micro-Cache", "")
                        encoding = response.headers.get("Content-Encoding")
                    if accept_encoding and status == 200 and encoding != "gzip":
                        raise SystemExit(f"{base}{url} ({page}) is not sent compressed")
                except urllib.error.HTTPError as error:
                    status = error.code
                if status != 200:
                    raise SystemExit(f"{base}{url} ({page}) answers {status}, not 200")
    return statuses


def prime(base, urls, accept_encoding=None):
    """Ask for each of urls once, in order; the answers were checked by check_answers()."""
    for url in urls:
        try:
            with urllib.request.urlopen(
                _request(base + url, accept_encoding), timeout=60
            ) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{base}{url} answers {error.code} while warming up") from None


def _request(url, accept_encoding):
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    return urllib.request.Request(url, headers=headers)


def run_wrk(wrk, base, urls, duration, workdir, name, accept_encoding=None):
    """Measure one page with wrk; a run too short to complete any request is lengthened."""
    while True:
        figures = _wrk_once(wrk, base, urls, duration, workdir, name, accept_encoding)
        if figures["requests"] or duration >= 30:
            return figures
        duration *= 2


def _wrk_once(wrk, base, urls, duration, workdir, name, accept_encoding):
    paths_file = workdir / f"paths-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.txt"
    paths_file.write_text("\n".join(urls) + "\n")
    command = [
        wrk,
        f"-t{WRK_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        base,
    ]
    env = dict(os.environ, BENCH_PATHS=str(paths_file), BENCH_ACCEPT_ENCODING=accept_encoding or "")
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if not found:
        raise SystemExit(f"wrk printed no figures:\n{output}")
    figures = json.loads(found.group(1))
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "rps": figures["requests"] / seconds if seconds else 0.0,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "errors": figures["status_errors"] + figures["socket_errors"],
    }


def worker_rss_mib(master_pid):
    """Return the RSS in MiB of each gunicorn worker (the master's children)."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            workers.append(round(rss_bytes(int(stat.parent.name)) / 2**20, 1))
    return sorted(workers)


def measure(args, paths, wrk):
    """Serve the site three ways and run the interleaved rounds; return the results."""
    work = args.workdir
    # nginx's workers run as an unprivileged user: its folder must be theirs to read
    # and traverse, which a private temporary folder (pytest's) is not.
    nginx_dir = Path(tempfile.mkdtemp(prefix="pressroom-bench-nginx-"))
    nginx_dir.chmod(0o755)
    static_root = nginx_dir / "reference"
    static_root.mkdir()
    html = reference_html(paths)
    (static_root / "page.html").write_bytes(html)
    results = {}
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, nginx_dir, ignore_errors=True)
        redis = stack.enter_context(loopback.redis_server(workdir=work / "redis"))
        servers = {
            "uncached": stack.enter_context(
                loopback.gunicorn(
                    env=django_env(
                        args, REDIS_URL=redis.extra["url"], PRESSROOM_PAGE_CACHE_SECONDS="0"
                    ),
                    workdir=work / "gunicorn-uncached",
                )
            ),
            "cached": stack.enter_context(
                loopback.gunicorn(
                    env=django_env(args, REDIS_URL=redis.extra["url"]),
                    workdir=work / "gunicorn-cached",
                )
            ),
        }
        bare = stack.enter_context(
            loopback.gunicorn(
                env=django_env(args, BENCH_BARE_PAGE=str(static_root / "page.html")),
                workdir=work / "gunicorn-bare",
                app="bench.bare_django:application",
            )
        )
        static_port, proxy_port = loopback.free_port(), loopback.free_port()
        config = (ROOT / "bench" / "nginx.conf").read_text()
        for name, value in {
            "upstream_port": servers["cached"].port,
            "static_port": static_port,
            "proxy_port": proxy_port,
            "static_root": static_root,
        }.items():
            config = config.replace("{" + name + "}", str(value))
        (nginx_dir / "tmp").mkdir()
        stack.enter_context(loopback.nginx(config, port=static_port, workdir=nginx_dir))
        loopback.wait_for_port(proxy_port)
        bases = {
            "uncached": servers["uncached"].url,
            "cached": servers["cached"].url,
            "cached-gzip": servers["cached"].url,
            "nginx": f"http://127.0.0.1:{proxy_port}",  # last: its statuses are kept
        }
        for mode, base in bases.items():
            accept_encoding = ACCEPT_ENCODING.get(mode)
            try:
                micro_cache = check_answers(base, paths, accept_encoding)
            except SystemExit as error:
                logs = "\n".join(f"{name}: {s.log()[-2000:]}" for name, s in servers.items())
                raise SystemExit(f"{error} (checking {mode})\n{logs}") from None
            # Warm up: every address once, so the rounds measure pages as they are
            # served again and again (the first view after a change is the queries
            # column's "first"), then every worker loads its templates and local copies.
            everything = [url for urls in paths.values() for url in urls]
            prime(base, everything, accept_encoding)
            run_wrk(
                wrk,
                base,
                everything,
                max(1, args.duration / 2),
                work,
                f"warm-{mode}",
                accept_encoding,
            )
        runs = [(page, mode) for page in paths for mode in MODES if mode in args.modes]
        size = f"{len(html) / 1024:.0f} kB article page"
        runs.append((f"bare Django view ({size})", "bare"))
        runs.append((f"static file ({size})", "static"))
        bases["bare"] = bare.url
        bases["static"] = f"http://127.0.0.1:{static_port}"
        every = {run: [] for run in runs}
        for number in range(1, args.rounds + 1):
            print(f"Round {number} of {args.rounds}…", flush=True)
            for page, mode in runs:
                urls = ["/page.html"] if mode in ("bare", "static") else paths[page]
                figures = run_wrk(
                    wrk,
                    bases[mode],
                    urls,
                    args.duration,
                    work,
                    f"{page}-{mode}",
                    ACCEPT_ENCODING.get(mode),
                )
                every[page, mode].append(figures)
                # Each round's figures too: a median of two hides a round that went wrong.
                print(
                    f"  {page}, {mode}: {figures['rps']:.0f} req/s, p50 {figures['p50_ms']:.1f}"
                    f" ms, p95 {figures['p95_ms']:.1f} ms",
                    flush=True,
                )
        for run, figures in every.items():
            results[run] = {
                key: median(f[key] for f in figures)
                for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
            } | {"errors": sum(f["errors"] for f in figures)}
        rss = {mode: worker_rss_mib(server.process.pid) for mode, server in servers.items()}
    return results, rss, micro_cache


def main(argv=None):
    args = parse_args(argv)
    wrk = loopback.find_program("wrk")
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        errors = benchmark(args, wrk)
    finally:
        if args.drop:
            from django.db import connections

            connections.close_all()
            drop_database(args)
    print(f"Done in {time.monotonic() - started:.0f} s.")
    if errors:
        raise SystemExit(f"{errors} requests failed or answered other than 2xx/3xx")


def benchmark(args, wrk):
    """Run every step; return the number of failed requests."""
    imported = load_data(args)
    if imported:
        print(f"Import: {report.import_line(imported)}", flush=True)
    print(f"VACUUM ANALYZE: {settle_database(args):.0f} s", flush=True)
    if args.prepare_only:
        return 0
    manage(args, "collectstatic", "--noinput", "-v0")
    setup_django(args)
    paths = collect_paths(args)
    queries = count_queries(paths)
    results, rss, micro_cache = measure(args, paths, wrk)
    machine = report.describe_machine(args.server, args.database)
    table = report.render(
        args=args,
        results=results,
        queries=queries,
        rss=rss,
        imported=imported,
        machine=machine,
        micro_cache=micro_cache,
    )
    print(table)
    if not args.no_docs:
        report.write_docs(ROOT / "docs" / "performance.md", args.articles, table)
        print("Written to docs/performance.md")
    return sum(r["errors"] for r in results.values())


if __name__ == "__main__":
    main()
