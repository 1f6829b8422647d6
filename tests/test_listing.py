"""Rubric and tag pages read their articles from the links' copy of the public time.

The copy is kept by database triggers (articles.models.listing); these tests write the
way editors, imports and bulk actions do and check what the pages then list.
"""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article, RubricLink, TaggedArticle
from articles.views.mixins import ARTICLES_PER_PAGE
from tests.factories import ArticleFactory, RubricFactory
from tests.pages import card_titles

pytestmark = pytest.mark.django_db


def copies(article):
    """Return the public time copied on each of an article's rubric and tag links."""
    return {
        *RubricLink.objects.filter(article=article).values_list("listed_at", flat=True),
        *TaggedArticle.objects.filter(content_object=article).values_list("listed_at", flat=True),
    }


def listed_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return card_titles(response)


def test_links_copy_the_time_of_a_published_article_and_nothing_of_a_draft():
    rubric = RubricFactory()
    published = ArticleFactory(rubrics=[rubric], tags=["Оренбургская область"])
    draft = ArticleFactory(status=Article.Status.DRAFT, rubrics=[rubric], tags=["Казахстан"])
    assert copies(published) == {published.published_at}
    assert copies(draft) == {None}


def test_links_follow_their_article_however_it_is_written():
    rubric = RubricFactory()
    article = ArticleFactory(rubrics=[rubric], tags=["Оренбургская область"])
    article.status = Article.Status.WITHDRAWN
    article.save()
    assert copies(article) == {None}
    later = timezone.now() + datetime.timedelta(days=2)
    # A bulk action (queryset.update) goes past save() and signals.
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, published_at=later
    )
    assert copies(article) == {later}
    article.refresh_from_db()
    article.title = "Новый заголовок"
    article.save()  # status and time unchanged: the copy stays
    assert copies(article) == {later}


def test_rubric_and_tag_pages_show_a_withdrawn_or_scheduled_article_only_when_public(client):
    rubric = RubricFactory(slug="ekonomika")
    ArticleFactory(title="Старая новость", rubrics=[rubric], tags=["Форум"])
    shown = ArticleFactory(
        title="Подписана дорожная карта",
        rubrics=[rubric],
        tags=["Форум"],
        published_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    ArticleFactory(
        title="Завтрашняя новость",
        rubrics=[rubric],
        tags=["Форум"],
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    tag_url = shown.tags.get().get_absolute_url()
    for url in (rubric.get_absolute_url(), tag_url):
        assert listed_titles(client, url) == ["Подписана дорожная карта", "Старая новость"]
    shown.status = Article.Status.WITHDRAWN
    shown.save()
    for url in (rubric.get_absolute_url(), tag_url):
        assert listed_titles(client, url) == ["Старая новость"]


@pytest.mark.parametrize("kind", ["rubric", "tag"])
def test_every_page_of_a_rubric_or_tag_lists_the_next_articles_newest_first(client, kind):
    rubric = RubricFactory(slug="obshchestvo")
    start = timezone.now() - datetime.timedelta(days=100)
    # Two articles share each time, so the order falls back to the id, as on the home page.
    for number in range(2 * ARTICLES_PER_PAGE + 5):
        ArticleFactory(
            title=f"Новость {number:03}",
            published_at=start + datetime.timedelta(hours=number // 2),
            rubrics=[rubric],
            tags=["Общество"],
        )
    ArticleFactory(
        title="Черновик", status=Article.Status.DRAFT, rubrics=[rubric], tags=["Общество"]
    )
    url = rubric.get_absolute_url() if kind == "rubric" else "/tags/obshchestvo/"
    expected = [
        article.title
        for article in Article.objects.published()
        .filter(rubrics=rubric)
        .order_by("-published_at", "-id")
    ]
    pages = [listed_titles(client, f"{url}?page={number}") for number in (1, 2, 3)]
    assert [title for page in pages for title in page] == expected
    assert [len(page) for page in pages] == [ARTICLES_PER_PAGE, ARTICLES_PER_PAGE, 5]
    assert client.get(f"{url}?page=4").status_code == 404
