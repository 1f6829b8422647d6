"""Search result cards: kept per content version, filled with each query's marks."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.search import refresh_search_document
from tests.factories import PhotoFactory, RubricFactory
from tests.test_search import SEARCH, indexed

pytestmark = pytest.mark.django_db


def fresh_cards(response):
    """Render the page's cards anew from its hits, as the card partial alone would."""
    return [
        render_to_string(
            "articles/partials/card.html",
            {"article": hit.article, "title_html": hit.title, "fragment": hit.fragment, "level": 3},
        )
        for hit in response.context["hits"]
    ]


def test_a_kept_card_shows_the_marks_of_the_current_query(client):
    """A card kept from one query's page shows another query's words marked, not the first's."""
    indexed(title="Форум и выставка", lead="Форум открылся, выставка продлится неделю.")
    first = client.get(SEARCH, {"q": "форум"}).content.decode()
    second = client.get(SEARCH, {"q": "выставка"}).content.decode()
    assert "<mark>Форум</mark> и выставка" in first
    assert "Форум и <mark>выставка</mark>" in second
    assert "<mark>Форум</mark>" not in second


def test_a_kept_card_is_the_card_rendered_afresh(client):
    """Filled from the kept card, a result is the same HTML as the card partial makes."""
    article = indexed(
        title="Форум и выставка",
        lead="Форум открылся, выставка продлится неделю.",
        rubrics=[RubricFactory(name="Экономика")],
    )
    PhotoFactory(article=article, width=400, height=250)
    client.get(SEARCH, {"q": "форум"})
    response = client.get(SEARCH, {"q": "выставка"})
    cards = response.context["cards"]
    assert cards == fresh_cards(response)
    assert "Экономика" in cards[0]
    assert "<img" in cards[0]


def test_a_card_without_text_has_no_empty_lead(client):
    """An article found by its title alone, with no lead or body, shows no empty paragraph."""
    indexed(title="Форум", lead="", body="")
    response = client.get(SEARCH, {"q": "форум"})
    assert response.context["cards"] == fresh_cards(response)
    assert 'class="card__lead"' not in response.context["cards"][0]


def test_an_edited_article_shows_its_new_card(client):
    """After an edit, the card kept for the earlier version is not shown."""
    article = indexed(title="Форум в Орске", kind=Article.Kind.NEWS)
    [before] = client.get(SEARCH, {"q": "форум"}).context["cards"]
    Article.objects.filter(pk=article.pk).update(kind=Article.Kind.INTERVIEW)
    refresh_search_document([article.pk])
    response = client.get(SEARCH, {"q": "форум"})
    assert response.context["cards"] == fresh_cards(response)
    assert response.context["cards"] != [before]


def test_kept_cards_need_no_rubrics_or_photos(client):
    """A page whose cards are kept reads no rubrics or photos."""
    for number in range(3):
        article = indexed(title=f"Форум и выставка {number}", rubrics=[RubricFactory()])
        PhotoFactory(article=article, width=400, height=250)
    client.get(SEARCH, {"q": "форум"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH, {"q": "выставка"})
    assert len(response.context["cards"]) == 3
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "articles_photo" not in read
    assert "articles_rubric" not in read
