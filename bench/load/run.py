"""Load test: the scenario of bench/load/scenario.lua, run by wrk against the deployment.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pressroom_load \\
        .venv/bin/python bench/load/run.py --duration 60 [--connections 8] [--nginx]

It starts a private Redis and gunicorn with deploy/gunicorn.conf.py (DJANGO_DEBUG=0,
the Redis as the shared cache) on loopback against the database of DATABASE_URL, which
must be PostgreSQL and hold published content (README "Production" shows how to make
1 000+ articles). With --nginx the requests go through deploy/nginx/pressroom.conf over
TLS, micro-cache included; without it straight to gunicorn, with the headers nginx adds.

The mix: 60 % article pages (every published article), 20 % lists (home and its pages,
rubrics, tags, archives), 10 % search, 10 % feeds asked with If-None-Match. After a
short warm-up it prints the sustained requests/s, errors and latency percentiles, and
exits with status 1 on any socket error or any answer other than 2xx or 304.
"""

import argparse
import contextlib
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

SCENARIO = Path(__file__).resolve().parent / "scenario.lua"
RESULT_MARK = "PRESSROOM-RESULT "
KINDS = ("article", "list", "search", "feed")


def collect_paths(*, search_terms=40, tags=30, list_pages=5):
    """Return {kind: [paths]} for the published content of the current database."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from articles.models import Article, Rubric, TaggedArticle
    from articles.views.mixins import ARTICLES_PER_PAGE

    published = Article.objects.published()
    articles = [
        reverse("articles:article", kwargs={"pk": pk, "slug": slug})
        for pk, slug in published.order_by("pk").values_list("pk", "slug")
    ]
    rubrics = list(
        Rubric.objects.annotate(
            published=Count("articles", filter=Q(articles__in=published), distinct=True)
        )
        .filter(published__gt=0)
        .order_by("position", "pk")
        .values_list("slug", "published")
    )
    popular_tags = [
        row["tag__slug"]
        for row in TaggedArticle.objects.filter(content_object__in=published)
        .values("tag__slug")
        .annotate(uses=Count("pk"))
        .order_by("-uses", "tag__slug")[:tags]
    ]

    def pages(url, count):
        last = min(list_pages, -(-count // ARTICLES_PER_PAGE))
        return [url] + [f"{url}?page={n}" for n in range(2, last + 1)]

    lists = pages("/", len(articles))
    for slug, count in rubrics:
        lists += pages(reverse("articles:rubric", kwargs={"slug": slug}), count)
    lists += [reverse("articles:tag", kwargs={"slug": slug}) for slug in popular_tags]
    for month in published.dates("published_at", "month", order="DESC")[:12]:
        lists.append(reverse("articles:archive_month", args=[month.year, month.month]))
    for year in published.dates("published_at", "year", order="DESC")[:3]:
        lists.append(reverse("articles:archive_year", args=[year.year]))
    feeds = [reverse("feeds:news-rss"), reverse("feeds:news-atom")]
    for slug, _count in rubrics:
        feeds += [
            reverse("feeds:rubric-rss", args=[slug]),
            reverse("feeds:rubric-atom", args=[slug]),
        ]
    feeds += [reverse("feeds:tag-rss", args=[slug]) for slug in popular_tags[:10]]
    return {
        "article": articles,
        "list": lists,
        "search": [f"{reverse('articles:search')}?q={q}" for q in _search_terms(search_terms)],
        "feed": feeds,
    }


def _search_terms(count):
    """Return words readers would search for: frequent words of the published titles."""
    from collections import Counter
    from urllib.parse import quote

    from articles.models import Article

    titles = Article.objects.published().order_by("-published_at").values_list("title", flat=True)
    words = Counter(
        word.lower()
        for title in titles[:2000]
        for word in title.replace("«", " ").replace("»", " ").split()
        if len(word) >= 5 and word.isalpha()
    )
    return [quote(word) for word, _n in words.most_common(count)]


def write_paths(paths, file, etags=None):
    """Write the paths file of scenario.lua: kind, path and, for feeds, a known ETag."""
    missing = [kind for kind in KINDS if not paths.get(kind)]
    if missing:
        kinds = ", ".join(missing)
        raise SystemExit(f"nothing to request for {kinds}: is there published content?")
    etags = etags or {}
    with open(file, "w", encoding="utf-8") as handle:
        for kind in KINDS:
            for path in paths[kind]:
                etag = etags.get(path, "") if kind == "feed" else ""
                handle.write(f"{kind}\t{path}\t{etag}\n")


@dataclass
class Target:
    """Where the load goes: a base URL, the headers nginx would add, the CA to trust."""

    url: str
    headers: tuple = ()
    certificate: Path | None = None
    app_pid: int | None = None

    def app_cpu_seconds(self):
        """Return the CPU time used so far by gunicorn: master, workers, reaped workers.

        On a shared machine the rate depends on what else runs; requests per CPU-second
        of gunicorn does not (PostgreSQL and Redis are not counted).
        """
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            if int(fields[2]) == self.app_pid:  # process group: gunicorn's session
                ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")

    def etag_of(self, path):
        """GET path once, as a feed reader's first visit; return the ETag answered."""
        parts = urlsplit(self.url)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=str(self.certificate))
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port)
        headers = dict(header.split(": ", 1) for header in self.headers)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status} before the load started")
        return response.getheader("ETag", "")


def run_wrk(target, paths_file, *, duration, connections, timeout=10):
    """Run wrk with the scenario; return the scenario's summary as a dict."""
    from pressroom.loopback import find_program

    command = [find_program("wrk"), "-t", str(connections), "-c", str(connections)]
    command += ["-d", f"{duration}s", "--timeout", f"{timeout}s", "-s", str(SCENARIO)]
    for header in target.headers:
        command += ["-H", header]
    command += [target.url, "--", str(paths_file)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    for line in finished.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    raise RuntimeError(f"wrk gave no result:\n{finished.stdout}\n{finished.stderr}")


@contextlib.contextmanager
def serve(*, workers, through_nginx, workdir):
    """Start the stack for the current database; yield its Target."""
    from django.conf import settings
    from django.db import connection

    from pressroom import loopback
    from tests import deploy_support

    if connection.vendor != "postgresql":
        raise SystemExit("the load test runs on PostgreSQL: set DATABASE_URL=postgres://…")
    database_url = deploy_support.database_url(connection.settings_dict)
    roots = {"media_root": settings.MEDIA_ROOT, "private_root": settings.PRIVATE_MEDIA_ROOT}
    workdir = Path(workdir)
    if through_nginx:
        with deploy_support.site(
            database_url=database_url, workdir=workdir, workers=workers, nginx_workers=1, **roots
        ) as site:
            yield Target(
                site.origin, certificate=site.certificate, app_pid=site.gunicorn.process.pid
            )
        return
    with loopback.redis_server(workdir=workdir / "redis") as redis:
        env = deploy_support.production_env(
            database_url=database_url,
            redis_url=redis.extra["url"],
            static_root=workdir / "static",
            **roots,
        )
        deploy_support.collectstatic(env)
        with loopback.gunicorn(
            env=env,
            config=deploy_support.GUNICORN_CONF,
            workers=workers,
            workdir=workdir / "gunicorn",
        ) as app:
            # What nginx would add: the site's name and the https scheme of the client.
            yield Target(
                app.url,
                headers=(f"Host: {deploy_support.SERVER_NAME}", "X-Forwarded-Proto: https"),
                app_pid=app.process.pid,
            )


def run(*, duration, connections, workers, through_nginx=False, warmup=5, workdir=None):
    """Start the stack, warm it up, run the scenario; return the result dict."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="pressroom-load-"))
    paths = collect_paths()
    paths_file = workdir / "paths.tsv"
    write_paths(paths, paths_file)  # fails early, before anything starts, without content
    with serve(workers=workers, through_nginx=through_nginx, workdir=workdir) as target:
        # Feed readers have polled before: every feed request carries an ETag from the start.
        write_paths(paths, paths_file, {path: target.etag_of(path) for path in paths["feed"]})
        if warmup:
            run_wrk(target, paths_file, duration=warmup, connections=connections)
        cpu_before = target.app_cpu_seconds()
        result = run_wrk(target, paths_file, duration=duration, connections=connections)
        result["app_cpu_seconds"] = target.app_cpu_seconds() - cpu_before
    result.update(
        connections=connections,
        workers=workers,
        through_nginx=through_nginx,
        distinct_paths={kind: len(paths[kind]) for kind in KINDS},
        cores=len(os.sched_getaffinity(0)),
        load_before=os.getloadavg(),
    )
    return result


def failures(result):
    """Return what went wrong in a run, as sentences; empty when nothing did."""
    problems = []
    socket_errors = sum(result["socket_errors"].values())
    if socket_errors:
        problems.append(f"{socket_errors} socket errors {result['socket_errors']}")
    if result["unexpected"]:
        problems.append(f"{result['unexpected']} answers other than 2xx/304:\n{result['bad']}")
    if not result["requests"]:
        problems.append("no request completed")
    return problems


def report(result):
    """Return the human-readable summary of a run."""
    seconds = result["duration_us"] / 1e6
    latency = {name: value / 1000 for name, value in result["latency_us"].items()}
    total_sent = sum(result["sent"].values()) or 1
    mix = ", ".join(f"{k} {100 * result['sent'][k] / total_sent:.1f} %" for k in KINDS)
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(result["statuses"].items()))
    cpu = result["app_cpu_seconds"] or 1
    route = "through nginx (TLS, micro-cache)" if result["through_nginx"] else "direct to gunicorn"
    return "\n".join(
        [
            f"Pressroom load test: {seconds:.0f} s, {result['connections']} connections, "
            f"{result['workers']} sync gunicorn workers, PostgreSQL, Redis, {route}; "
            f"{result['cores']} CPU cores, load average before {result['load_before'][0]:.2f}",
            f"  sustained      {result['requests'] / seconds:.1f} requests/s "
            f"({result['requests']} requests)",
            f"  per CPU-second {result['requests'] / cpu:.0f} requests per second of gunicorn's "
            f"CPU time ({result['app_cpu_seconds']:.1f} s used)",
            f"  latency        p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, "
            f"p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms",
            f"  errors         {sum(result['socket_errors'].values())} socket, "
            f"{result['unexpected']} answers other than 2xx/304",
            f"  statuses       {statuses}",
            f"  mix            {mix}; {result['conditional']} conditional feed requests",
            f"  distinct paths {result['distinct_paths']}",
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds measured (60)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * len(os.sched_getaffinity(0)) + 1,
        help="gunicorn workers (deploy/gunicorn.conf.py's default: 2 × cores + 1)",
    )
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up (5)")
    parser.add_argument("--nginx", action="store_true", help="go through nginx")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.connections < 1 or args.workers < 1:
        parser.error("--duration, --connections and --workers must be at least 1")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pressroom.settings")
    import django

    django.setup()
    result = run(
        duration=args.duration,
        connections=args.connections,
        workers=args.workers,
        through_nginx=args.nginx,
        warmup=args.warmup,
    )
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    problems = failures(result)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
