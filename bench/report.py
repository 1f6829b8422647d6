"""The benchmark's table, the machine it ran on, and its section of docs/performance.md."""

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

# A 1-minute load average above this at the end of a run means other work shared the cores.
BUSY_LOAD = 4.0
# The targets on a 2-core machine, shown next to the figures.
TARGETS = {
    ("home", "uncached"): "≥ 800 req/s",
    ("article", "uncached"): "≥ 800 req/s, ≤ 6 queries",
    ("RSS feed", "uncached"): "≥ 900 req/s",
    ("Atom feed", "uncached"): "≥ 900 req/s",
    ("search", "uncached"): "p95 < 100 ms at 1 M",
}
CACHED_TARGET = "≥ 3 000 req/s"
MODE_NAMES = {
    "uncached": "gunicorn, no page cache",
    "cached": "gunicorn + Redis page cache",
    "cached-gzip": "gunicorn + Redis page cache, gzip accepted",
    "nginx": "nginx micro-cache → gunicorn",
    "bare": "gunicorn, a bare Django view",
    "static": "nginx, static file",
}


def _version(command, pattern):
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    found = re.search(pattern, output.stdout + output.stderr)
    return found.group(1) if found else "?"


def describe_machine(server, database):
    """Return a one-paragraph description of the machine and the servers' versions."""
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else "?"
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f"{int(found.group(1)) / 2**20:.1f} GiB" if found else "?"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; PostgreSQL {postgres}, "
        f"Redis {_version(['redis-server', '--version'], r'v=([0-9.]+)')}, "
        f"nginx {_version(['nginx', '-v'], r'nginx/([0-9.]+)')}, "
        f"wrk {_version(['wrk', '-v'], r'wrk (?:debian/)?([0-9.]+)')}. "
        f"Load average at the end of the run: {load:.1f}"
        # The benchmark's own wrk, gunicorns, PostgreSQL and Redis keep it near 2.5-3 on
        # an otherwise idle 2-core machine.
        + (" (a busy machine: other jobs shared the cores)." if load > BUSY_LOAD else ".")
    )


def render(*, args, results, queries, rss, imported, machine, micro_cache):
    """Return the Markdown section for one data-set size."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {args.articles:,} articles".replace(",", " "),
        "",
        f"Measured {now}, {args.rounds} interleaved round(s) of {args.duration:g} s per "
        f"page and mode (medians), wrk with 8 connections.",
        f"Machine: {machine}",
        "",
        "| page | served by | req/s | p50 ms | p95 ms | p99 ms | SQL queries: first / "
        "repeated | target |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for (page, mode), figures in results.items():
        target = TARGETS.get((page, mode), "")
        if mode in ("cached", "cached-gzip", "nginx"):
            target = CACHED_TARGET
        if mode in ("bare", "static"):
            target = "reference"
        count = ""
        if mode == "uncached" and page in queries:
            count = "{} / {}".format(*queries[page])
        errors = f" ({figures['errors']} failed)" if figures["errors"] else ""
        lines.append(
            f"| {page} | {MODE_NAMES[mode]} | {_rate(figures['rps'])}{errors} | "
            f"{figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | {figures['p99_ms']:.1f} | "
            f"{count} | {target} |"
        )
    lines += [
        "",
        "Worker memory after the run (RSS of each gunicorn worker, target ≤ 80 MiB): "
        + "; ".join(f"{MODE_NAMES[mode]} {', '.join(map(str, v))} MiB" for mode, v in rss.items())
        + ".",
        "",
        "nginx micro-cache status of a repeated request: "
        + ", ".join(f"{page} {status or '—'}" for page, status in micro_cache.items())
        + ".",
        "",
        import_line(imported),
        "",
    ]
    return "\n".join(lines)


def _rate(rps):
    return f"{rps:.0f}" if rps >= 10 else f"{rps:.1f}"


def import_line(imported):
    if not imported:
        return (
            "Import: not measured; the database was filled beforehand "
            "(`bench/run.py --existing`, e.g. by bench/make_scale_db.py)."
        )
    flat = ""
    if imported.get("quarter_rss_mib"):
        flat = f", {imported['quarter_rss_mib']} MiB a quarter of the way through"
    line = (
        f"Import (`import_content`, {imported['articles']} articles of which "
        f"{imported['photos']} with a photo): {imported['seconds']} s, "
        f"**{imported['articles_per_second']} articles/s** (target ≥ 500), "
        f"peak RSS {imported['peak_rss_mib']} MiB{flat}."
    )
    if imported.get("text_only"):
        line += " The same articles without photos: " + import_line(imported["text_only"])
    return line


def write_docs(path, articles, section):
    """Replace (or add) the section for this size between its markers in the document."""
    start, end = f"<!-- bench {articles} start -->", f"<!-- bench {articles} end -->"
    block = f"{start}\n{section}\n{end}"
    text = path.read_text() if path.exists() else "# Performance\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
