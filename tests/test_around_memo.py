"""The article page's related and neighbouring news, memoized: cheaper, never stale or private."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.content_version import _local_memos
from articles.local_copies import local_renderings
from articles.models import Article
from articles.models.article import public_page_article
from articles.views.around import around
from tests.factories import ArticleFactory, RubricFactory
from tests.test_admin_support import client_for, make_editor
from tests.workflow_support import APPROVER_ROLE, make_user, schedule_through_workflow

pytestmark = pytest.mark.django_db

# 10:00 in Orenburg (UTC+5): the scheduled article's time.
GOES_LIVE = datetime.datetime(2025, 11, 14, 5, 0, tzinfo=datetime.UTC)
SCHEDULED_TITLE = "Форум межрегионального сотрудничества открылся в Оренбурге"
# Uncached, the page makes five queries. Then the memos of the page's parts of the
# article (ArticleView.parts), which hold the related and neighbouring news, and of the
# validators' rows leave none; the UNION of around() is memoized on its own as well.
COLD_QUERIES = 5
WARM_QUERIES = 0


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def rubric():
    return RubricFactory(name="Экономика", slug="ekonomika")


@pytest.fixture
def story(rubric):
    return ArticleFactory(
        title="Губернатор встретился с делегацией",
        rubrics=[rubric],
        tags=["Казахстан"],
        published_at=ago(days=1),
    )


def fetch(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def neighbours(page):
    """Return the titles of the previous and next links (None where there is none)."""
    found = [re.search(rf'rel="{rel}">([^<]*)</a>', page) for rel in ("prev", "next")]
    return tuple(match and match.group(1) for match in found)


def related(page):
    """Return the titles in the related news block."""
    if 'id="related-title"' not in page:
        return []
    block = page.split('id="related-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', block)


def test_a_second_request_runs_no_query_for_related_and_neighbouring_news(
    client, story, rubric, without_page_cache, django_assert_num_queries
):
    """The second visit reads the related and neighbouring news from the memo, unchanged."""
    ArticleFactory(title="Вчерашняя", tags=["Казахстан"], published_at=ago(days=2))
    ArticleFactory(title="Свежая", rubrics=[rubric], published_at=ago(hours=1))
    assert client.get("/").status_code == 200  # the site-wide memos, as any visit makes
    with django_assert_num_queries(COLD_QUERIES):
        first = fetch(client, story)
    with django_assert_num_queries(WARM_QUERIES):
        second = fetch(client, story)
    assert second == first
    assert neighbours(second) == ("Вчерашняя", "Свежая")
    assert related(second) == ["Вчерашняя", "Свежая"]


def test_each_article_gets_its_own_related_and_neighbouring_news(client, story, without_page_cache):
    """Two articles' memos are kept apart: each page links around itself."""
    older = ArticleFactory(title="Вчерашняя", tags=["Казахстан"], published_at=ago(days=2))
    fetch(client, story)
    page = fetch(client, older)
    assert neighbours(page) == (None, story.title)
    assert related(page) == [story.title]


def test_scheduled_article_appears_at_its_time_without_any_write(
    client, rubric, without_page_cache, django_assert_num_queries
):
    """Memoized a minute before, the links show the scheduled article from its time on."""
    story = ArticleFactory(
        title="Губернатор встретился с делегацией",
        rubrics=[rubric],
        published_at=GOES_LIVE - datetime.timedelta(hours=2),
    )
    schedule_through_workflow(SCHEDULED_TITLE, rubrics=[rubric], at=GOES_LIVE)
    with time_machine.travel(GOES_LIVE - datetime.timedelta(minutes=1), tick=False):
        page = fetch(client, story)
        assert neighbours(page) == (None, None) and related(page) == []
    with time_machine.travel(GOES_LIVE - datetime.timedelta(seconds=1), tick=False):
        with django_assert_num_queries(WARM_QUERIES):  # still the memo: nothing changed yet
            page = fetch(client, story)
        assert SCHEDULED_TITLE not in page
    with time_machine.travel(GOES_LIVE, tick=False):
        page = fetch(client, story)
        assert neighbours(page) == (None, SCHEDULED_TITLE)
        assert related(page) == [SCHEDULED_TITLE]


def test_a_new_title_of_a_related_article_shows_at_once(client, story, without_page_cache):
    """An edit of another article makes the links anew: its new title shows."""
    other = ArticleFactory(title="Вчерашняя", tags=["Казахстан"], published_at=ago(days=2))
    assert related(fetch(client, story)) == ["Вчерашняя"]
    other.title = "Делегация Казахстана прибыла в Оренбург"
    other.save()
    page = fetch(client, story)
    assert related(page) == ["Делегация Казахстана прибыла в Оренбург"]
    assert neighbours(page) == ("Делегация Казахстана прибыла в Оренбург", None)


def test_unpublished_articles_never_appear(client, story, rubric, without_page_cache):
    """Drafts and articles awaiting approval never show; a withdrawn one goes at once."""
    for status in (Article.Status.DRAFT, Article.Status.SUBMITTED):
        ArticleFactory(
            title=f"Не для публики: {status}",
            status=status,
            published_at=None,
            rubrics=[rubric],
            tags=["Казахстан"],
        )
    shown = ArticleFactory(title="Вчерашняя", tags=["Казахстан"], published_at=ago(hours=2))
    for _ in range(2):
        page = fetch(client, story)
        assert "Не для публики" not in page
        assert neighbours(page) == (None, "Вчерашняя") and related(page) == ["Вчерашняя"]
    workflow.unpublish(shown, by=make_user("chief", APPROVER_ROLE), reason="ошибка в тексте")
    page = fetch(client, story)
    assert "Вчерашняя" not in page and neighbours(page) == (None, None)


def test_links_made_from_an_article_read_before_its_edit_are_not_served_after_it(
    client, story, without_page_cache
):
    """An editor's request may read an article, then the newer content version: the links
    it memoizes from the old tags must not answer for the article as it now is."""
    other = ArticleFactory(title="О бюджете", tags=["бюджет"], published_at=ago(days=2))
    read_before = public_page_article(story.pk, now=timezone.now())
    story.tags.add("бюджет")
    related_before, _previous, _next = around(read_before, now=timezone.now())
    assert other not in related_before
    assert related(fetch(client, story)) == ["О бюджете"]


def test_a_preview_of_a_draft_memoizes_nothing(story, rubric, monkeypatch):
    """A draft is previewed as if published at that moment: no memo is kept for it."""
    draft = ArticleFactory(
        title="Черновик", status=Article.Status.DRAFT, published_at=None, rubrics=[rubric]
    )
    stored = []
    original = cache.set

    def recording_set(key, *args, **kwargs):
        stored.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    editor = client_for(make_editor())
    for _ in range(2):
        response = editor.get(reverse("articles:preview", args=[draft.pk]))
        assert response.status_code == 200
        assert response.context["previous_article"] == story
    assert not [key for key in stored if f":around:{draft.pk}:" in key]
    fetch(Client(), story)
    assert [key for key in stored if f":around:{story.pk}:" in key]  # as public pages do


def test_the_links_are_kept_within_the_renderings_bytes_not_among_small_memos(
    client, story, without_page_cache
):
    """A page's links (~5 kB) count by their size: a thousand of them among the small
    memos, which are counted, would hold megabytes in each worker."""
    ArticleFactory(title="Вчерашняя", tags=["Казахстан"], published_at=ago(days=2))
    _local_memos.clear()
    local_renderings.clear()
    fetch(client, story)
    assert not [key for key in _local_memos.values if ":around:" in key]
    kept = [(key, entry[1]) for key, entry in local_renderings.values.items() if ":around:" in key]
    assert len(kept) == 1 and kept[0][1] > 100
