"""What a web worker keeps in memory: no admin-only libraries, no finished request's cycles."""

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Node:
    """An object that holds itself: freed only by the cycle collector."""

    def __init__(self):
        self.itself = self


@pytest.mark.django_db
def test_a_cycle_left_by_one_request_is_freed_when_the_next_request_starts(client):
    """The young generations are collected as a request starts, not hundreds of pages later."""
    client.get("/")
    left_behind = weakref.ref(Node())
    gc.disable()  # only the collection the request starts may free it
    try:
        assert left_behind() is not None
        client.get("/")
        assert left_behind() is None
    finally:
        gc.enable()


def test_serving_pages_loads_neither_pillow_nor_segno():
    """Pillow (uploads) and segno (two-step setup's QR code) load where they are used."""
    script = (
        "import sys, pressroom.wsgi\n"
        "from django.urls import resolve\n"
        "resolve('/')\n"  # loads the whole URLconf, admin and accounts included
        "print(sorted(m for m in ('PIL', 'segno') if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pressroom.settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
