"""Search results as readers see them: which words are marked, and which passages are shown."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from tests.test_search import SEARCH, indexed

pytestmark = pytest.mark.django_db

FILLER = "Совещание прошло в рабочем порядке, участники обменялись мнениями. "


def only_hit(client, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    [hit] = response.context["hits"]
    return hit


@pytest.mark.postgres
def test_a_word_deep_in_a_long_body_is_shown_marked(client):
    """A match after 30,000 characters of body is shown in a short passage, marked."""
    body = f"<p>{FILLER * 500}</p><p>Отдельно обсудили строительство моста через Урал.</p>"
    indexed(title="Итоги совещания", lead="Подведены итоги.", body=body)
    hit = only_hit(client, "мост")
    assert "<mark>моста</mark> через Урал" in hit.fragment
    assert len(hit.fragment.split()) <= 40


@pytest.mark.postgres
def test_matches_far_apart_are_shown_in_two_passages(client):
    """Matches at the start and at the end of a long body come in two passages, in order."""
    body = (
        f"<p>Первым делом обсудили ремонт школы.</p><p>{FILLER * 100}</p>"
        "<p>Итог: школа откроется.</p>"
    )
    indexed(title="Итоги совещания", lead="Подведены итоги.", body=body)
    fragment = only_hit(client, "школа").fragment
    first, second = fragment.split(" … ")
    assert "ремонт <mark>школы</mark>" in first
    assert "Итог: <mark>школа</mark> откроется" in second


@pytest.mark.postgres
def test_only_words_of_the_same_stem_are_marked(client):
    """A word that merely begins like the query's stem is not marked."""
    indexed(title="Ремонт", lead="", body="<p>Дорогостоящий ремонт дороги завершён.</p>")
    fragment = only_hit(client, "дорога").fragment
    assert "<mark>дороги</mark>" in fragment
    assert "<mark>Дорогостоящий" not in fragment


@pytest.mark.postgres
def test_words_with_yo_are_marked(client):
    """A query typed with е finds and marks a word written with ё, and the reverse."""
    indexed(title="Встреча с партнёрами", body="<p>Партнёры подписали соглашение.</p>")
    hit = only_hit(client, "партнеры")
    assert "<mark>партнёрами</mark>" in hit.title
    assert "<mark>Партнёры</mark> подписали" in hit.fragment
    assert "<mark>партнёрами</mark>" in only_hit(client, "партнёры").title


@pytest.mark.postgres
def test_every_word_of_the_query_is_marked_in_the_passage(client):
    """With two words, the passage that holds both comes before those with one of them."""
    body = (
        f"<p>Губернатор выступил на форуме.</p><p>{FILLER * 60}</p>"
        f"<p>Школа готова к учебному году.</p><p>{FILLER * 60}</p>"
        "<p>Губернатор осмотрел новую школу в Орске.</p>"
    )
    indexed(title="Рабочая поездка", lead="", body=body)
    fragment = only_hit(client, "губернатор школа").fragment
    assert "<mark>Губернатор</mark> осмотрел новую <mark>школу</mark> в Орске" in fragment


@pytest.mark.postgres
def test_a_title_only_match_shows_the_opening_of_the_text(client):
    """When only the title matches, the fragment is the text's first words, unmarked."""
    indexed(title="Выставка в Орске", lead="Открылась экспозиция художников региона.")
    hit = only_hit(client, "выставка")
    assert hit.title == "<mark>Выставка</mark> в Орске"
    assert hit.fragment.startswith("Открылась экспозиция художников региона.")
    assert "<mark>" not in hit.fragment


@pytest.mark.postgres
def test_latin_words_are_marked(client):
    """English words, stemmed by the English rules, are marked too ("city" as "citi")."""
    indexed(title="Smart city", body="<p>Проект smart city представили инвесторам.</p>")
    hit = only_hit(client, "city")
    assert hit.title == "Smart <mark>city</mark>"
    assert "smart <mark>city</mark> представили" in hit.fragment


@pytest.mark.postgres
def test_a_newer_unpublished_match_takes_no_ranking_place(client, monkeypatch):
    """Only published articles count towards the newest matches that are ranked."""
    monkeypatch.setattr("articles.search.MAX_RANKED_MATCHES", 1)
    now = timezone.now()
    indexed(title="Форум открылся", published_at=now - datetime.timedelta(days=1))
    indexed(title="Форум завтра", status=Article.Status.DRAFT, published_at=None)
    indexed(title="Форум скоро", published_at=now + datetime.timedelta(hours=1))
    assert [hit.article.title for hit in client.get(SEARCH, {"q": "форум"}).context["hits"]] == [
        "Форум открылся"
    ]


@pytest.mark.parametrize(
    "query",
    [
        "северо-западный",
        "O'Brien's",
        "C:\\temp\\",
        '"ремонт дорог"',
        "форум or выставка",
        "-форум выставка",
        ".*+?[](){}^$|",
        "İstanbul ǅ ß",
        "и в на",
    ],
)
def test_odd_queries_answer_a_page(client, query):
    """Hyphens, quotes, backslashes, operators, regex characters and stop words give a page."""
    indexed(
        title="Форум северо-западных регионов",
        lead="O'Brien's İstanbul ǅ Straße.",
        body="<p>Выставка и форум в Орске, C:\\temp\\.</p>",
    )
    assert client.get(SEARCH, {"q": query}).status_code == 200


@pytest.mark.postgres
def test_escaped_markup_in_a_body_stays_text_in_the_fragment(client):
    """Markup written as text in a body ("&lt;script&gt;") is shown as text, not run."""
    indexed(
        title="Итоги",
        lead="",
        body="<p>Форум: пример &lt;script&gt;alert(1)&lt;/script&gt; в тексте.</p>",
    )
    fragment = only_hit(client, "форум").fragment
    assert "<mark>Форум</mark>: пример &lt;script&gt;alert(1)&lt;/script&gt; в тексте" in fragment
    assert "<script>" not in fragment
