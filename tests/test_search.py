"""Search: the form, matching and ranking, highlighting, safety and cost in queries."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.search import refresh_search_document
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def indexed(**kwargs):
    """Create an article and bring its search document up to date, as editors' saves do."""
    article = ArticleFactory(**kwargs)
    refresh_search_document([article.pk])
    return article


def found(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return [hit.article.title for hit in response.context.get("hits", [])]


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("query", ["", "   ", "\x00", "\t\n"])
def test_empty_query_shows_the_form_and_no_articles(client, query):
    """An empty or blank query shows the form, not every article."""
    indexed(title="Новость о форуме")
    response = client.get(SEARCH, {"q": query})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-query"' in content
    assert "Новость о форуме" not in content.split("<main", 1)[1]
    assert "hits" not in response.context


def test_search_without_q_shows_the_form(client):
    """/search/ with no parameter shows the form."""
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert '<input id="search-query" type="search" name="q" value=""' in response.content.decode()


def test_search_finds_a_word_of_the_title(client):
    """A word of the title finds the article."""
    indexed(title="Губернатор открыл школу в Орске")
    indexed(title="Аграрии завершили уборку")
    assert found(client, "школу") == ["Губернатор открыл школу в Орске"]


def test_search_ignores_cyrillic_case(client):
    """Upper-case Cyrillic in the query finds lower- and title-case text."""
    indexed(title="Делегация побывала в Казахстане", lead="Встреча с партнёрами из Уральска.")
    assert found(client, "КАЗАХСТАНЕ") == ["Делегация побывала в Казахстане"]
    assert found(client, "уральска") == ["Делегация побывала в Казахстане"]


def test_search_finds_the_lead_and_the_tags(client):
    """Words of the lead and of tag names find the article."""
    indexed(title="Совещание", lead="Обсудили ремонт мостов.")
    indexed(title="Визит", tags=["Нариман Турегалиев"])
    assert found(client, "мостов") == ["Совещание"]
    assert found(client, "Турегалиев") == ["Визит"]


def test_search_needs_every_word(client):
    """Several words find only the articles that contain all of them."""
    indexed(title="Форум в Уральске")
    indexed(title="Форум в Оренбурге")
    assert found(client, "форум Уральске") == ["Форум в Уральске"]


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, None),
        (Article.Status.SUBMITTED, None),
        (Article.Status.WITHDRAWN, datetime.timedelta(hours=-1)),
        (Article.Status.PUBLISHED, datetime.timedelta(hours=1)),
    ],
    ids=["draft", "submitted", "withdrawn", "scheduled"],
)
def test_search_never_finds_unpublished_articles(client, status, offset):
    """Drafts, submitted, withdrawn and scheduled articles are never found."""
    indexed(
        title="Секретная новость о форуме",
        status=status,
        published_at=timezone.now() + offset if offset else None,
    )
    assert found(client, "форуме") == []


def test_search_query_is_echoed_escaped(client):
    """The query comes back escaped in the heading, the field and the <title>."""
    query = '<script>alert(1)</script>"><svg onload=alert(2)>'
    content = client.get(SEARCH, {"q": query}).content.decode()
    assert "<script>alert(1)" not in content
    assert "<svg onload" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;svg onload=alert(2)&gt;" in content
    assert "<title>Поиск: &lt;script&gt;" in content


def test_search_marks_the_matches(client):
    """The matching words are wrapped in <mark> in the title."""
    indexed(title="Губернатор открыл школу")
    content = client.get(SEARCH, {"q": "школу"}).content.decode()
    assert "<mark>школу</mark>" in content


def test_highlighting_keeps_stored_text_escaped(client):
    """Markup inside a found title is shown as text around the <mark>."""
    indexed(title="Школа <b>№ 5</b> открыта", lead="Школа <img src=x onerror=alert(1)>")
    content = client.get(SEARCH, {"q": "школа"}).content.decode()
    assert "<b>№ 5</b>" not in content
    assert "<img src=x" not in content
    assert "&lt;b&gt;№ 5&lt;/b&gt;" in content


def test_search_results_are_paginated(client):
    """Results come 20 a page, with a link to the next page that keeps the query."""
    for number in range(23):
        indexed(title=f"Форум номер {number}")
    first = client.get(SEARCH, {"q": "форум"})
    assert len(first.context["hits"]) == 20
    assert 'href="/search/?q=%D1%84%D0%BE%D1%80%D1%83%D0%BC&amp;page=2"' in (first.content.decode())
    second = client.get(SEARCH, {"q": "форум", "page": 2})
    assert len(second.context["hits"]) == 3
    # Each page's own hits are highlighted, whatever page they are on.
    assert second.content.decode().count("<mark>Форум</mark> номер") == 3


def test_long_query_is_cut_not_refused(client):
    """A 10,000-character query answers a normal page quickly, searched in its first part."""
    indexed(title="Форум в Уральске")
    response = client.get(SEARCH, {"q": "форум " + "ж" * 10_000})
    assert response.status_code == 200
    assert len(response.context["query"]) == 200


def test_search_runs_the_same_queries_for_3_and_30_results(client):
    """A results page costs the same number of queries whatever it finds."""
    rubrics = [RubricFactory(), RubricFactory()]

    def add(count):
        for _ in range(count):
            article = indexed(title="Новости форума", rubrics=rubrics)
            PhotoFactory(article=article, width=400, height=250)

    add(3)
    with_three = count_queries(client, SEARCH, {"q": "форума"})
    add(27)
    assert count_queries(client, SEARCH, {"q": "форума"}) == with_three
    # On PostgreSQL: the page's rows, ranked; their bodies and the query's lexemes; the
    # words to mark; the cards' rubrics and photos; the rubric navigation; the time of
    # the next publication (for the page cache).
    assert with_three <= 7


def test_rebuild_search_index_command_runs(capsys):
    """The rebuild_search_index command finishes on every database."""
    indexed(title="Форум")
    call_command("rebuild_search_index", "--chunk-size", "1")
    output = capsys.readouterr().out
    assert "1 articles" in output or "not PostgreSQL" in output


@pytest.mark.postgres
def test_word_forms_match(client):
    """ "дорожная карта" finds an article that says "дорожную карту"."""
    indexed(title="Итоги форума", body="<p>Губернатор подписал дорожную карту до 2028 года.</p>")
    assert found(client, "дорожная карта") == ["Итоги форума"]


@pytest.mark.postgres
def test_title_matches_rank_above_body_matches(client):
    """An article with the words in its title comes before one with them in its body."""
    indexed(
        title="Отчёт правительства",
        body="<p>Обсудили сотрудничество с Казахстаном.</p>",
        published_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    indexed(
        title="Сотрудничество с Казахстаном",
        published_at=timezone.now() - datetime.timedelta(days=30),
    )
    assert found(client, "сотрудничеству") == [
        "Сотрудничество с Казахстаном",
        "Отчёт правительства",
    ]


@pytest.mark.postgres
def test_body_fragment_is_highlighted_without_markup(client):
    """The fragment comes from the body's text, with tags stripped and the match marked."""
    indexed(title="Итоги", body="<p>Подписана <strong>дорожная карта</strong> &amp; план.</p>")
    hit = client.get(SEARCH, {"q": "карта"}).context["hits"][0]
    assert "<mark>карта</mark>" in hit.fragment
    assert "<strong>" not in hit.fragment
    assert "&amp; план" in hit.fragment


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["& | ! : * ( ) '", "форум & !", "'форум':*", "(((", "!!!"])
def test_tsquery_operators_are_plain_text(client, query):
    """Operators of the tsquery language never cause an error."""
    indexed(title="Форум")
    assert client.get(SEARCH, {"q": query}).status_code == 200


@pytest.mark.postgres
def test_refresh_picks_up_new_titles_and_tags(client):
    """After refresh_search_document, a changed title and a new tag are searchable."""
    article = indexed(title="Старый заголовок")
    Article.objects.filter(pk=article.pk).update(title="Новый заголовок о выставке")
    article.tags.add("Оренбургский пуховый платок")
    assert found(client, "выставке") == []
    assert refresh_search_document([article.pk]) == 1
    assert found(client, "выставке") == ["Новый заголовок о выставке"]
    assert found(client, "платок") == ["Новый заголовок о выставке"]


@pytest.mark.postgres
def test_search_document_has_a_gin_index():
    """The search document is indexed with GIN."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'articles_article' "
            "AND indexdef LIKE '%%search_document%%'"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert any(re.search(r"USING gin \(search_document\)", d) for d in definitions)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_search_migration_is_reversible():
    """Migration 0002 can be unapplied and applied again, keeping existing articles found."""
    article = ArticleFactory(title="Форум в Уральске")
    call_command("migrate", "articles", "0001", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'articles_article' AND column_name = 'search_document'"
        )
        assert cursor.fetchone() is None
    call_command("migrate", "articles", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document @@ websearch_to_tsquery('russian', 'форум') "
            "FROM articles_article WHERE id = %s",
            [article.pk],
        )
        assert cursor.fetchone() == (True,)


@pytest.mark.postgres
def test_only_the_newest_matches_are_ranked(client, monkeypatch):
    """Ranking is bounded: past the cap, an older match drops out even if it ranks higher."""
    monkeypatch.setattr("articles.search.MAX_RANKED_MATCHES", 2)
    now = timezone.now()
    indexed(title="Форум форум форум", published_at=now - datetime.timedelta(days=3))
    indexed(title="Итоги", lead="Прошёл форум.", published_at=now - datetime.timedelta(days=2))
    indexed(title="Планы", lead="Будет форум.", published_at=now - datetime.timedelta(days=1))
    assert sorted(found(client, "форум")) == ["Итоги", "Планы"]
    monkeypatch.setattr("articles.search.MAX_RANKED_MATCHES", 3)
    cache.clear()  # the page cache keeps the first answer: no content changed
    assert found(client, "форум")[0] == "Форум форум форум"


@pytest.mark.postgres
def test_an_article_deleted_between_ranking_and_highlighting_is_shown_unmarked():
    """The page's rows are highlighted in a second query: a deletion in between is no 500."""
    from articles.search import add_headlines, hits, search_articles

    kept = indexed(title="Форум регионов открылся", lead="Делегации съехались.")
    gone = indexed(title="Форум завершился", lead="Подписаны соглашения.")
    ranked = list(search_articles(Article.objects.published(), "форум"))
    Article.objects.filter(pk=gone.pk).delete()
    shown = {hit.article.pk: hit for hit in hits(add_headlines(ranked, "форум"), "форум")}
    assert "<mark>Форум</mark>" in shown[kept.pk].title
    assert shown[gone.pk].title == "Форум завершился"
    assert shown[gone.pk].fragment == "Подписаны соглашения."
