"""Read content.jsonl lazily: one line at a time, with its number and byte offset."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from articles.exchange.errors import FileRefused, LineError

CONTENT_FILE = "content.jsonl"
FORMAT_NAME = "pressroom"
FORMAT_VERSION = 1
HEADER = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
# A 1 MB article body is already extreme; a longer line is refused rather than read whole.
MAX_LINE_BYTES = 16 * 2**20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Source:
    """The content file to import and the folder its media paths start from."""

    path: Path
    folder: Path


def locate(path):
    """Return the Source for a folder holding content.jsonl or for a .jsonl file itself."""
    path = Path(path)
    if path.is_dir():
        content = path / CONTENT_FILE
        if not content.is_file():
            raise FileRefused(
                _("The folder %(path)s has no %(name)s.") % {"path": path, "name": CONTENT_FILE}
            )
        path = content
    elif not path.is_file():
        raise FileRefused(_("%(path)s does not exist.") % {"path": path})
    path = path.resolve()
    return Source(path=path, folder=path.parent)


@dataclass(frozen=True)
class RawLine:
    """One non-blank line of the file, still undecoded."""

    number: int
    offset: int
    data: bytes
    too_long: bool = False


def _read_line(handle):
    """Read one line, at most MAX_LINE_BYTES of it; return (bytes, too_long)."""
    data = handle.readline(MAX_LINE_BYTES + 1)
    if len(data) <= MAX_LINE_BYTES or data.endswith(b"\n"):
        return data, False
    while True:  # skip the rest of an over-long line without keeping it
        rest = handle.readline(MAX_LINE_BYTES)
        if not rest or rest.endswith(b"\n"):
            return data[:1024], True


def iter_lines(handle, number=0):
    """Yield the non-blank lines of a binary file handle from its current position."""
    while True:
        offset = handle.tell()
        data, too_long = _read_line(handle)
        if not data:
            return
        number += 1
        if too_long or data.strip():
            yield RawLine(number, offset, data, too_long)


def read_line_at(handle, number, offset):
    """Return the line that starts at a byte offset remembered by an earlier pass."""
    handle.seek(offset)
    data, too_long = _read_line(handle)
    return RawLine(number, offset, data, too_long)


def _object_without_repeats(pairs):
    """Build a JSON object, refusing a field given twice (json would keep the last)."""
    result = {}
    for name, value in pairs:
        if name in result:
            raise LineError(_("the field is given twice"), name)
        result[name] = value
    return result


def _find_nul(value, path=""):
    """Return the path of the first string holding a NUL character, or None."""
    if isinstance(value, str):
        return (path or "-") if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value, start=1))
    else:
        return None
    for name, item in items:
        inner = f"{path}, {name}" if path else name
        if "\x00" in name:
            return inner
        found = _find_nul(item, inner)
        if found:
            return found
    return None


def parse_line(raw):
    """Decode a line into a JSON object, or raise LineError saying why it cannot be read."""
    if raw.too_long:
        raise LineError(
            _("the line is longer than %(limit)d MB") % {"limit": MAX_LINE_BYTES // 2**20}
        )
    if b"\x00" in raw.data:
        raise LineError(_("the line contains a NUL byte"))
    try:
        text = raw.data.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError as error:
        raise LineError(
            _("the line is not valid UTF-8 (byte %(position)d)") % {"position": error.start + 1}
        ) from error
    try:
        value = json.loads(text, object_pairs_hook=_object_without_repeats)
    except json.JSONDecodeError as error:
        raise LineError(
            _("the line is not valid JSON (column %(column)d: %(problem)s)")
            % {"column": error.colno, "problem": error.msg}
        ) from error
    except (ValueError, RecursionError) as error:
        # Numbers beyond Python's digit limit, or arrays nested thousands deep.
        raise LineError(_("the line is not valid JSON or is nested too deeply")) from error
    if not isinstance(value, dict):
        raise LineError(_("the line is not a JSON object"))
    return value


def refuse_nul(raw, value):
    """Raise LineError when a string of a parsed line holds a NUL character (JSON \\u0000)."""
    if b"\\u0000" in raw.data:
        where = _find_nul(value)
        if where:
            raise LineError(_("contains a NUL character, which text cannot hold"), where)


def read_header(handle):
    """Check the header line and return the number of the last line read.

    Raises FileRefused when the file is empty, has no header or has an unknown version.
    """
    first = next(iter_lines(handle), None)
    if first is None:
        raise FileRefused(_("The file is empty: the header line is missing."))
    if first.number == 1 and first.data.startswith(_BOM):
        raise FileRefused(
            _("The file starts with a byte order mark (BOM); save it as UTF-8 without BOM.")
        )
    try:
        header = parse_line(first)
    except LineError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise FileRefused(
            _(
                'Line %(line)d is not the header {"format": "pressroom", "version": 1}: '
                "this is not a Pressroom exchange file."
            )
            % {"line": first.number}
        )
    version = header.get("version")
    if type(version) is not int or version != FORMAT_VERSION or len(header) != len(HEADER):
        shown = json.dumps(version, ensure_ascii=False) if "version" in header else "—"
        raise FileRefused(
            _(
                "The file has format version %(version)s; this version of Pressroom reads "
                'version 1 only, with the header {"format": "pressroom", "version": 1}.'
            )
            % {"version": shown}
        )
    return first.number
