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

CARD_TEMPLATE = "articles/partials/card.html"
# Cards of an old version are unreachable; this only bounds how long they take space.
CARD_SECONDS = 3600


def render_card(article):
    return render_to_string(CARD_TEMPLATE, {"article": article})


def render_cards(articles, *, version):
    """Return the cards of articles as safe HTML, from the shared cache where it has them."""
    articles = list(articles)
    if version is None:
        return [mark_safe(render_card(article)) for article in articles]
    prefix = f"pressroom:card:{version}:{variant()}:"
    found = cache.get_many([f"{prefix}{article.pk}" for article in articles])
    made = {}
    cards = []
    for article in articles:
        key = f"{prefix}{article.pk}"
        html = found.get(key)
        if html is None:
            html = made[key] = render_card(article)
        cards.append(mark_safe(html))
    if made:
        cache.set_many(made, CARD_SECONDS)
    return cards


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
