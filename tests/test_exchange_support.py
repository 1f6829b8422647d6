"""Helpers for the exchange tests: exchange folders, the two commands, stored files.

Plain functions, not fixtures, so that each exchange test module states its own fixtures.
"""

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.management import CommandError, call_command

HEADER = {"format": "pressroom", "version": 1}


def pdf_bytes(title="Dorozhnaia karta"):
    """Return a tiny but well-formed PDF document."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"3 0 obj << /Title (" + title.encode() + b") >> endobj\n"
        b"trailer << /Root 1 0 R /Info 3 0 R >>\n%%EOF\n"
    )


def use_fresh_storage(settings, tmp_path):
    """Point both storages at empty folders of this test; return (public, private)."""
    public, private = tmp_path / "storage-public", tmp_path / "storage-private"
    settings.MEDIA_ROOT = str(public)
    settings.PRIVATE_MEDIA_ROOT = str(private)
    return public, private


def stored_files(settings):
    """Return the relative paths of every file in both storages."""
    files = []
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        root = Path(root)
        if root.exists():
            files += [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    return sorted(files)


def write_folder(folder, lines, files=None, header=HEADER):
    """Write an exchange folder: content.jsonl (header, then lines) and media files.

    A line given as a dict is written as JSON, a str or bytes exactly as it is.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    chunks = [] if header is None else [json.dumps(header).encode()]
    for line in lines:
        if isinstance(line, dict):
            text = json.dumps(line, ensure_ascii=False)
            # A lone surrogate can only be written as a \u escape.
            line = text if text.isascii() or _encodable(text) else json.dumps(line)
        chunks.append(line if isinstance(line, bytes) else line.encode())
    (folder / "content.jsonl").write_bytes(b"\n".join(chunks) + b"\n")
    return folder


def _encodable(text):
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class Outcome:
    """What a command printed and whether it succeeded."""

    ok: bool
    out: str
    err: str
    error: str = ""

    @property
    def text(self):
        return "\n".join((self.out, self.err, self.error))


def run_command(name, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *[str(arg) for arg in args], stdout=out, stderr=err)
    except CommandError as error:
        return Outcome(False, out.getvalue(), err.getvalue(), str(error))
    return Outcome(True, out.getvalue(), err.getvalue())


def run_import(path, *args):
    return run_command("import_content", path, *args)


def run_export(path):
    return run_command("export_content", path)


def line_error(number, key=None):
    """Return how the import command starts the report of an error on a line."""
    if key is None:
        return f"Строка {number}: "
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in key)
    return f"Строка {number}, ключ «{escaped}»: "


def organization(key="orb-gov", **fields):
    return {
        "type": "organization",
        "key": key,
        "name": "Правительство Оренбургской области",
        "country": "RU",
        **fields,
    }


def agreement(key="roadmap-2026", **fields):
    return {
        "type": "agreement",
        "key": key,
        "title": "План мероприятий (дорожная карта) на 2026–2028 годы",
        "kind": "roadmap",
        "signed_on": "2025-11-12",
        "parties": ["orb-gov"],
        **fields,
    }


def article(key="n-1", **fields):
    return {
        "type": "article",
        "key": key,
        "title": "Губернатор провёл рабочую встречу в Уральске",
        "body": "<p>Обсудили сотрудничество регионов.</p>",
        "status": "published",
        "published_at": "2025-11-13T09:10:00+05:00",
        **fields,
    }


def media_hashes(folder):
    """Return {relative path: sha256} of the media files in an exchange folder."""
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "content.jsonl"
    }
