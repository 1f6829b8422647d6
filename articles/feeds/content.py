"""Turning an article into feed material: its guid, absolute HTML, plain text, images."""

import html
import re
import uuid
from urllib.parse import urljoin

from django.utils.html import format_html_join, strip_tags
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from articles.html import sanitize_html, strip_control_characters

# Namespace for guids of articles whose exchange key is not a UUID (imported ones).
# Never change it: every such guid in every reader's history is derived from it.
ARTICLE_KEY_NAMESPACE = uuid.UUID("6f1c3a52-8a0e-4d7b-9a55-3e9b2f0c7d41")

_HREF = re.compile(r'(<a\s[^>]*?\bhref=")([^"]*)(")')
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|ul|ol)>|<br\s*/?>|<hr\s*/?>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def article_guid(article):
    """Return the article's permanent id: a urn:uuid built from its exchange key.

    The key never changes when the title, slug or date is edited, and survives an
    export and import into another database (the primary key does not). Admin-created
    articles have a uuid4 key, used as it is; an imported key becomes a name-based UUID.
    """
    try:
        value = uuid.UUID(article.key)
    except ValueError:
        value = uuid.uuid5(ARTICLE_KEY_NAMESPACE, article.key)
    return value.urn


def one_line(text):
    """Return plain text on one line: no control characters, whitespace runs collapsed."""
    return " ".join(strip_control_characters(text).split())


def changed_at(article):
    """Return when the article last changed for readers, in the site's time zone."""
    return localtime(max(article.updated_at, article.published_at))


def absolute_html(body, base_url):
    """Return the body, sanitised, with every link made absolute against base_url."""

    def absolute(match):
        url = urljoin(base_url, html.unescape(match[2]))
        return f"{match[1]}{html.escape(url)}{match[3]}"

    return _HREF.sub(absolute, sanitize_html(body))


def plain_text(body):
    """Return the visible text of an HTML body: one paragraph a line, entities decoded."""
    marked = _BLOCK_END.sub(lambda m: m[0] + "\n", sanitize_html(body))
    text = html.unescape(strip_tags(marked))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def update_notes(article):
    """Return the public update notes of an article as lines of text, oldest first."""
    from articles.templatetags.pressroom import ru_datetime

    if not getattr(article, "has_updates", True):
        return []
    return [
        _("Updated %(at)s: %(note)s")
        % {"at": ru_datetime(update.at), "note": one_line(update.note)}
        for update in article.updates.all()
    ]


def update_notes_html(article):
    """Return the update notes as HTML paragraphs, for the end of a feed item's content."""
    return format_html_join("", "<p><em>{}</em></p>", ((line,) for line in update_notes(article)))


def with_update_notes(text, article):
    """Return a plain-text summary followed by the article's update notes."""
    return "\n".join([text, *update_notes(article)]) if text else "\n".join(update_notes(article))
