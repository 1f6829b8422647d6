"""The one sanitiser for stored HTML, and the cleaner for plain-text fields.

Every piece of HTML that reaches the database (admin, importer, shell) goes through
sanitize_html(). It is built on nh3 (the Rust ammonia library); bleach is unmaintained.
"""

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Characters XML 1.0 forbids (feeds would break) and that no editor means to type.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_LEGACY_TAGS = re.compile(r"<(/?)(b|i)>")
_MODERN = {"b": "strong", "i": "em"}
_EMPTY_PARAGRAPHS = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")

# html5ever (inside nh3) spends quadratic time on deeply nested block elements: 30 000
# nested <div> take seconds. Deeper than this, the markup is flattened before cleaning.
MAX_NESTING = 500
INLINE_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup", "a"}
# `[^<>]*` keeps the scan linear even for "<a<a<a…" with no closing bracket.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*?(/?)>")
# Elements that never nest (void) or that the parser closes by itself (optional end tags).
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "thead", "tbody", "tfoot", "colgroup", "rp", "rt",
}  # fmt: skip


def strip_control_characters(text):
    """Remove control characters that XML and HTML cannot carry; keep tabs and newlines."""
    return _CONTROL_CHARACTERS.sub("", text)


def clean_text(text):
    """Return plain text fit for storage: no control characters, no surrounding space."""
    return strip_control_characters(text or "").strip()


def nesting_depth(html):
    """Return how deep elements that really nest are nested in html (a linear scan)."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if self_closing or name.lower() in _NOT_NESTING:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _keep_only(html, tags):
    return _TAG.sub(lambda match: match[0] if match[2].lower() in tags else "", html)


def _bounded_nesting(html):
    """Return html with its nesting flattened when it is pathologically deep; text stays."""
    if nesting_depth(html) <= MAX_NESTING:
        return html
    html = _keep_only(html, ALLOWED_TAGS)
    if nesting_depth(html) <= MAX_NESTING:
        return html
    return _keep_only(html, INLINE_TAGS)


def sanitize_html(html):
    """Return html reduced to the allowlist: safe to store and to show as it is."""
    cleaned = nh3.clean(
        _bounded_nesting(strip_control_characters(html or "")),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    cleaned = _LEGACY_TAGS.sub(lambda m: f"<{m[1]}{_MODERN[m[2]]}>", cleaned)
    return _EMPTY_PARAGRAPHS.sub("", cleaned).strip()
