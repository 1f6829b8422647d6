"""What a web worker keeps in memory: no libraries that only the admin uses."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
