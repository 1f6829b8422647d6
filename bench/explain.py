"""EXPLAIN (ANALYZE, BUFFERS) every query the public views run, on the configured database.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pressroom_scale
    .venv/bin/python bench/explain.py [--plans] [--only NAME]

Each page is requested through Django's test client (page cache off), its real SQL is
captured, and every query is explained with ANALYZE: the plan's shape (node types and
the indexes used), its execution time and its buffers. Pages are requested twice and
the second run is reported, so timings are for a warm database cache as in production.
Search is also timed alone (--search-runs times per query) for its p50 and p95.
Made for the data set of bench/make_scale_db.py; works on any PostgreSQL database.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pressroom.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import sitemaps  # noqa: E402
from articles.models import Article, Rubric, Tag  # noqa: E402

# The synthetic vocabulary is ~110 words, so these broad terms each match a large share
# of the articles (a worst case for ranking); the number matches one title.
SEARCH_TERMS = ["форум", "губернатор Казахстан", "дорожная карта", "зерно урожай", "481516"]


def sample_urls():
    """Return (name, url) pairs covering every public list, archive, page and feed."""
    visible = Article.objects.published()
    rubrics = list(Rubric.objects.all().order_by("id"))
    by_size = sorted(rubrics, key=lambda rubric: rubric.articles.count())
    big_rubric, small_rubric = by_size[-1], by_size[0]
    tags = Tag.objects.order_by("id")
    big_tag, rare_tag = tags.first(), tags.last()
    middle = visible.order_by("published_at").values_list("published_at", flat=True)
    middle_time = timezone.localtime(middle[visible.count() // 2])
    article = visible.filter(published_at__gte=middle_time).order_by("published_at").first()
    year, month = middle_time.year, middle_time.month
    last_sitemap_page = max(1, -(-visible.count() // sitemaps.PAGE_SIZE))
    return [
        ("home", "/"),
        ("home ?page=2", "/?page=2"),
        ("home ?page=2000", "/?page=2000"),
        ("article", article.get_absolute_url()),
        ("year archive", f"/news/{year}/"),
        ("year archive ?page=200", f"/news/{year}/?page=200"),
        ("month archive", f"/news/{year}/{month:02d}/"),
        ("big rubric", big_rubric.get_absolute_url()),
        ("big rubric ?page=2000", big_rubric.get_absolute_url() + "?page=2000"),
        ("small rubric", small_rubric.get_absolute_url()),
        ("big tag", big_tag.get_absolute_url()),
        ("big tag ?page=2000", big_tag.get_absolute_url() + "?page=2000"),
        ("rare tag", rare_tag.get_absolute_url()),
        ("search", "/search/?q=форум"),
        ("search ?page=50", "/search/?q=форум&page=50"),
        ("feed rss", "/feeds/news.rss"),
        ("feed atom", "/feeds/news.atom"),
        ("rubric feed", f"/feeds/rubrics/{big_rubric.slug}.rss"),
        ("tag feed", f"/feeds/tags/{big_tag.slug}.rss"),
        ("sitemap", "/sitemap.xml"),
        ("sitemap articles, last page", f"/sitemap-articles.xml?p={last_sitemap_page}"),
        ("sitemap tags", "/sitemap-tags.xml"),
    ]


def plan_shape(node, depth=0):
    """Return the plan as indented lines: node type, relation or index, rows."""
    label = node["Node Type"]
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    elif node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    label += f" (rows {node.get('Actual Rows', '?')}, loops {node.get('Actual Loops', 1)})"
    lines = ["  " * depth + label]
    for child in node.get("Plans", []):
        lines += plan_shape(child, depth + 1)
    return lines


def explain(sql):
    """Return (execution ms, shared hit+read buffers, plan lines) of one query."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        result = cursor.fetchone()[0]
    data = json.loads(result) if isinstance(result, str) else result
    plan = data[0]
    root = plan["Plan"]
    buffers = root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0)
    return plan["Execution Time"], buffers, plan_shape(root)


def explain_page(client, name, url, *, show_plans):
    client.get(url)  # warm the database cache; the second run is the one reported
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    queries = [query["sql"] for query in captured.captured_queries]
    print(
        f"\n## {name}: {url} -> {response.status_code}, {len(queries)} queries, "
        f"{elapsed:.1f} ms in Django"
    )
    total = 0.0
    for number, sql in enumerate(queries, 1):
        milliseconds, buffers, lines = explain(sql)
        total += milliseconds
        print(f"  {number}. {milliseconds:8.2f} ms  {buffers:6d} buffers  {lines[0].strip()}")
        if show_plans:
            print("\n".join("        " + line for line in lines[1:]))
            print("        SQL: " + sql[:300].replace("\n", " "))
    print(f"  total in the database: {total:.2f} ms")
    return total


def time_search(runs):
    """Time the search view's own query alone: p50 and p95 over runs per term."""
    client = Client()
    print("\n## search")
    everything = []
    for term in SEARCH_TERMS:
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": term})
        # The search query is the one that reads search_document.
        sql = next(q["sql"] for q in captured.captured_queries if "search_document" in q["sql"])
        timings = []
        for _ in range(runs):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
        print(
            f"  search {term!r}: p50 {statistics.median(timings):.1f} ms, "
            f"p95 {percentile(timings, 95):.1f} ms"
        )
        everything += timings
    print(
        f"## search query alone, {len(everything)} runs: p50 {statistics.median(everything):.1f}"
        f" ms, p95 {percentile(everything, 95):.1f} ms, max {max(everything):.1f} ms"
    )


def percentile(values, rank):
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * rank / 100) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--plans", action="store_true", help="print every plan and its SQL")
    parser.add_argument("--only", help="explain only pages whose name contains this")
    parser.add_argument("--search-runs", type=int, default=20)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("DATABASE_URL must point at PostgreSQL")
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM articles_article")
        print(f"# {cursor.fetchone()[0]} articles in {connection.settings_dict['NAME']}")
    client = Client()
    for name, url in sample_urls():
        if args.only and args.only not in name:
            continue
        explain_page(client, name, url, show_plans=args.plans)
    if not args.only or "search" in args.only:
        time_search(args.search_runs)


if __name__ == "__main__":
    main()
