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


def strip_control_characters(text):
    """Remove control characters that XML and HTML cannot carry; keep tabs and newlines."""
    return _CONTROL_CHARACTERS.sub("", text)


def clean_text(text):
    """Return plain text fit for storage: no control characters, no surrounding space."""
    return strip_control_characters(text or "").strip()


def sanitize_html(html):
    """Return html reduced to the allowlist: safe to store and to show as it is."""
    cleaned = nh3.clean(
        strip_control_characters(html or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    cleaned = _LEGACY_TAGS.sub(lambda m: f"<{m[1]}{_MODERN[m[2]]}>", cleaned)
    return _EMPTY_PARAGRAPHS.sub("", cleaned).strip()
