"""Article cards, rendered once per content version and shared by every list page.

The home page, rubric, tag and archive pages show the same cards; rendering twenty of
them is half the cost of such a page. A card depends on its article alone (the template
is included with `only`), and on the language, time zone and URL prefix it is rendered
in, which the key holds. Every write a visitor could see bumps the content version, so
a card is never older than the version it is stored under, provided that version was
read before the article was (PageCacheMiddleware reads it as the request arrives and
sets request.pressroom_version; without it, as for editors, cards are rendered afresh).
"""

import hashlib
import sys

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from articles.local_copies import local_renderings
from articles.models import Article
from articles.models.article import attach_listing

CARD_TEMPLATE = "articles/partials/card.html"
# Cards of an old version are unreachable; this only bounds how long they take space.
CARD_SECONDS = 3600


def render_card(article):
    return render_to_string(CARD_TEMPLATE, {"article": article})


def render_cards(articles, *, version):
    """Return the cards of articles as safe HTML, from the shared cache where it has them.

    articles are read by for_listing(), or are ids (first and deep pages list ids), which
    are read here when their cards must be made. What a card shows besides the article
    (rubrics, lead photo) is fetched here, for the cards that have to be rendered only:
    a page whose cards are all kept reads nothing but its list of articles.
    """
    articles = list(articles)
    ids = [_id(article) for article in articles]
    kept = KeptRenderings("card", version, seconds=CARD_SECONDS)
    found = kept.get(ids)
    missing = [article for article in articles if _id(article) not in found]
    wanted = [article for article in missing if isinstance(article, int)]
    if wanted:
        # An article withdrawn since it was listed is left out.
        read = Article.objects.published().filter(pk__in=wanted).for_listing()
        missing = [article for article in missing if not isinstance(article, int)] + list(read)
    made = {article.pk: render_card(article) for article in attach_listing(missing)}
    kept.keep(made)
    cards = (made.get(pk) or found.get(pk) for pk in ids)
    return [mark_safe(card) for card in cards if card is not None]


def _id(article):
    """Return the id of an article, or article itself when it is an id."""
    return article if isinstance(article, int) else article.pk


class KeptRenderings:
    """Renderings of single articles (cards, feed items) kept in the shared cache.

    Keyed by the content version, the article and variant(*variant_parts); without a
    version (requests that read none, as editors') nothing is read or kept. This
    process keeps copies too (articles.local_copies) and reads the shared cache only
    for the renderings it has none of.
    """

    def __init__(self, kind, version, *variant_parts, seconds):
        self.seconds = seconds
        self.prefix = None
        if version is not None:
            self.prefix = f"pressroom:{kind}:{version}:{variant(*variant_parts)}:"

    def get(self, ids):
        """Return {article id: rendering} of those of ids the cache holds."""
        if self.prefix is None or not ids:
            return {}
        keys = {pk: f"{self.prefix}{pk}" for pk in ids}
        copies = ((pk, local_renderings.get(key)) for pk, key in keys.items())
        found = {pk: copy for pk, copy in copies if copy is not None}
        wanted = [key for pk, key in keys.items() if pk not in found]
        if wanted:
            shared = cache.get_many(wanted)
            for pk, key in keys.items():
                if key in shared:
                    found[pk] = shared[key]
                    local_renderings.put(key, shared[key], sys.getsizeof(shared[key]))
        return found

    def keep(self, renderings):
        """Store {article id: rendering} (str or bytes)."""
        if self.prefix is not None and renderings:
            kept = {f"{self.prefix}{pk}": value for pk, value in renderings.items()}
            cache.set_many(kept, self.seconds)
            for key, value in kept.items():
                local_renderings.put(key, value, sys.getsizeof(value))


# The context variable the site's context processor puts made_in() in, once a page.
MADE_IN = "pressroom_made_in"


def made_in(context=None):
    """Return what any rendering depends on besides its content, as a tuple of strings.

    The language, time zone, URLconf and URL prefix it is made in. In a template, from
    the context: read once per page (articles.context_processors.site) rather than by
    each of the shell's tags, at four thread-local lookups (~15 µs) a time. Templates
    therefore never switch language or time zone ({% language %}, {% timezone %}),
    which tests/test_kept_shell.py checks.
    """
    if context is not None:
        found = context.get(MADE_IN)
        if found is not None:
            return found
    return (
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )


def variant(*extra):
    """Return a short name for what a rendering depends on besides its article.

    made_in() and any `extra` strings.
    """
    return hashlib.sha256("\n".join((*made_in(), *extra)).encode()).hexdigest()[:16]
