"""The search page: the form, and the published articles that match the query."""

import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from articles.cards import CARD_SECONDS, CARD_TEMPLATE, KeptRenderings
from articles.models.article import attach_listing
from articles.search import add_headlines, clean_query, hits, search_articles
from articles.views.mixins import lookahead_page, page_number, published_articles

# Where a kept search card takes its marked title and fragment. Comments: escaped text
# can't contain "<", so no title, rubric or caption rendered in a card can look like one.
TITLE_SLOT = "<!--search:title-->"
FRAGMENT_SLOT = "<!--search:fragment-->"
_SLOTS = re.compile(f"{TITLE_SLOT}|{FRAGMENT_SLOT}")


class SearchView(TemplateView):
    """Search the published articles; an empty query shows the form alone."""

    template_name = "articles/search.html"

    def get_context_data(self, **kwargs):
        query = clean_query(self.request.GET.get("q", ""))
        context = super().get_context_data(query=query, **kwargs)
        if query:
            articles = search_articles(published_articles(self.request).for_listing(), query)
            page = lookahead_page(articles, page_number(self.request))
            found = hits(add_headlines(page.object_list, query), query)
            version = getattr(self.request, "pressroom_version", None)
            context.update(page_obj=page, hits=found, cards=search_cards(found, version=version))
        return context


def search_cards(found, *, version):
    """Return the cards of a page of hits as safe HTML, with their marked title and fragment.

    The rest of a card (date, kind, rubrics, photo) is the same whatever the query: it
    is rendered once per content version with slots for the title and the fragment and
    kept as list pages keep their cards (articles.cards); each page fills the slots.
    Rubrics and photos are fetched for the cards that have to be rendered only.
    """
    slotted = [hit for hit in found if hit.title and hit.fragment]
    kept = KeptRenderings("search-card", version, seconds=CARD_SECONDS)
    blanks = kept.get([hit.article.pk for hit in slotted])
    attach_listing([hit.article for hit in found if hit.article.pk not in blanks])
    made = {
        hit.article.pk: _card(hit.article, TITLE_SLOT, FRAGMENT_SLOT)
        for hit in slotted
        if hit.article.pk not in blanks
    }
    kept.keep(made)
    blanks.update(made)
    cards = []
    for hit in found:
        if hit.article.pk in blanks:
            card = _fill(blanks[hit.article.pk], hit.title, hit.fragment)
        else:  # an empty title or fragment: the card shows the lead, or nothing
            card = _card(hit.article, hit.title, hit.fragment)
        cards.append(mark_safe(card))
    return cards


def _fill(blank, title_html, fragment):
    """Return a kept card with the hit's title and fragment in their slots."""
    filling = {TITLE_SLOT: title_html, FRAGMENT_SLOT: fragment}
    return _SLOTS.sub(lambda slot: filling[slot[0]], blank)


def _card(article, title_html, fragment):
    """Render an article's card with the given title and fragment, both safe HTML."""
    return render_to_string(
        CARD_TEMPLATE,
        {
            "article": article,
            "title_html": mark_safe(title_html),
            "fragment": mark_safe(fragment),
            "level": 3,
        },
    )
