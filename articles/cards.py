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

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from articles.models.article import attach_listing

CARD_TEMPLATE = "articles/partials/card.html"
# Cards of an old version are unreachable; this only bounds how long they take space.
CARD_SECONDS = 3600


def render_card(article):
    return render_to_string(CARD_TEMPLATE, {"article": article})


def render_cards(articles, *, version):
    """Return the cards of articles as safe HTML, from the shared cache where it has them.

    What a card shows besides the article (rubrics, lead photo) is fetched here, for
    the cards that have to be rendered only: a page whose cards are all kept reads
    nothing but its list of articles.
    """
    articles = list(articles)
    keys = {}
    if version is not None:
        prefix = f"pressroom:card:{version}:{variant()}:"
        keys = {article.pk: f"{prefix}{article.pk}" for article in articles}
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [article for article in articles if keys.get(article.pk) not in found]
    attach_listing([article for article in missing if not hasattr(article, "lead_photos")])
    made = {article.pk: render_card(article) for article in missing}
    if keys and made:
        cache.set_many({keys[pk]: html for pk, html in made.items()}, CARD_SECONDS)
    return [mark_safe(made.get(article.pk) or found[keys[article.pk]]) for article in articles]


def variant(*extra):
    """Return a short name for what a rendering depends on besides its article.

    The language, time zone and URL prefix it is made in, and any `extra` strings.
    """
    parts = (
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        *extra,
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
