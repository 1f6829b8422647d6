"""The benchmark suite works end to end: a tiny run, not a timed test."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.programs import program_or_skip

ROOT = Path(__file__).resolve().parent.parent


def _server_url():
    """Return the URL of the PostgreSQL server the tests use, without a database name."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "postgres", safe="")
    password = params.get("PASSWORD")
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    return (
        f"postgres://{credentials}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}"
    )


@pytest.mark.postgres
def test_bench_runs_and_prints_a_table(tmp_path):
    """bench/run.py imports a small data set, every page answers 200, and a table is printed."""
    for program in ("wrk", "nginx", "redis-server"):
        program_or_skip(program)
    command = [
        sys.executable,
        "bench/run.py",
        "--articles=30",
        "--photo-articles=2",
        "--duration=2",
        "--rounds=1",
        "--modes=uncached",
        f"--database=pressroom_bench_smoke_{os.getpid()}",
        f"--server={_server_url()}",
        f"--workdir={tmp_path}",
        "--no-docs",
        "--drop",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # Only the uncached runs are measured, but every page was checked through all servers.
    rows = re.findall(r"^\| (.+?) \| (.+?) \| ([\d.]+) \| ", result.stdout, re.MULTILINE)
    pages = {page for page, _mode, _rps in rows}
    assert {"home", "article", "rubric", "tag", "RSS feed", "Atom feed", "search"} <= pages
    assert any(page.startswith("static file") for page in pages)
    assert any(page.startswith("bare Django view") for page in pages)
    assert all(float(rps) > 0 for _page, _mode, rps in rows), result.stdout
    # The import is measured with the photos and again without them.
    assert re.search(
        r"\*\*[\d.]+ articles/s\*\*.*without photos: .*\*\*[\d.]+ articles/s\*\*", result.stdout
    )
    assert "failed" not in result.stdout
