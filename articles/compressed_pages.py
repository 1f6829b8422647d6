"""Page-cache entries kept compressed: gzip clients get them as they are, others inflated.

Every browser and feed reader accepts gzip. A page is compressed once, when it is stored,
and only that form is kept, in the shared cache and in each worker's copies. A client that
does not accept gzip (curl, some robots) gets the page inflated again, byte for byte and
header for header what it would have been: the ETag, the length and the absence of a
Content-Encoding are put back.

What it saves: nginx compressed a plain answer on every request (gzip on in the
deployment), a 225 kB feed in ~2 ms, micro-cache hits included, whereas it passes an
answer that is already compressed as it is; visitors download a fifth of the bytes; a
worker's page copies (articles.local_copies) and Redis hold five times as many pages.
Inflating costs a plain client ~17 µs for a 25 kB article, ~42 µs for a 225 kB feed:
far less than reading the plain page from Redis (155 and 240 µs), which was the
alternative once a worker's copies had no room for it. zlib-ng (python-zlib-ng) is
faster than the standard library's zlib both ways on these pages: the feed compresses
in 0.9 ms instead of 2.0 and inflates in 42 µs instead of 293, the article inflates in
17 µs instead of 26.
"""

import functools

from django.http.response import ResponseHeaders
from zlib_ng import gzip_ng, zlib_ng

# As nginx's gzip_min_length in the deployment: a smaller page gains nothing.
MIN_BYTES = 1024
# nginx's default is 1; 6 makes a fifth smaller feeds, and a page is compressed once.
LEVEL = 6
# zlib's wbits for the gzip format.
GZIP_WBITS = 16 + zlib_ng.MAX_WBITS
# Another representation, so another validator (as Apache's mod_deflate does).
ETAG_SUFFIX = '-gzip"'


@functools.lru_cache(maxsize=64)  # a few distinct headers: each browser sends one
def accepts_gzip(accept_encoding):
    """Return whether an Accept-Encoding header admits gzip (RFC 9110, section 12.5.3).

    gzip (or x-gzip) with a quality above 0, or, when gzip is not named, `*` with one.
    """
    gzip_quality = any_quality = None
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            gzip_quality = max(gzip_quality or 0.0, _quality(parameters))
        elif coding == "*":
            any_quality = _quality(parameters)
    quality = any_quality if gzip_quality is None else gzip_quality
    return quality is not None and quality > 0


def _quality(parameters):
    """Return the q parameter's value (1 when absent, 0 when it is not a number)."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def compress_entry(entry):
    """Return the entry as kept: its page compressed, with the compressed copy's headers.

    Entries are (version, expires at, deadline, headers, content), as pagecache stores
    them, with `Vary: Accept-Encoding` already (PageCacheMiddleware adds it before it
    stores a page, and stores no page that is already encoded). A small page is kept as
    it is: the entry itself.
    """
    version, expires_at, deadline, headers, content = entry
    if len(content) < MIN_BYTES:
        return entry
    headers = ResponseHeaders(headers)
    # mtime 0: every process makes the same bytes, hence the same ETag and length.
    compressed = gzip_ng.compress(content, compresslevel=LEVEL, mtime=0)
    headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(compressed))
    etag = headers.get("ETag", "")
    if etag.endswith('"'):
        headers["ETag"] = etag[:-1] + ETAG_SUFFIX
    return (version, expires_at, deadline, dict(headers.items()), compressed)


def inflate_entry(kept):
    """Return the entry that compress_entry() made kept from: what plain clients get."""
    version, expires_at, deadline, headers, content = kept
    # compress_entry() wrote these three names as they are spelled here; a plain dict
    # costs a plain feed hit ~15 µs less than ResponseHeaders, which checks every header.
    if headers.get("Content-Encoding") != "gzip":
        return kept  # a small page, kept as it is
    content = zlib_ng.decompress(content, GZIP_WBITS)
    headers = {name: value for name, value in headers.items() if name != "Content-Encoding"}
    headers["Content-Length"] = str(len(content))
    etag = headers.get("ETag", "")
    if etag.endswith(ETAG_SUFFIX):
        headers["ETag"] = etag[: -len(ETAG_SUFFIX)] + '"'
    return (version, expires_at, deadline, headers, content)
