"""Scheduling and public update notes, end to end across the public surfaces."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.models import Article, ArticleUpdate
from articles.search import refresh_search_document
from tests.factories import ArticleFactory, RubricFactory
from tests.test_admin_support import client_for, form_data
from tests.workflow_support import APPROVER_ROLE, EDITOR_ROLE, make_user

pytestmark = pytest.mark.django_db

APPROVED = datetime.datetime(2025, 11, 13, 4, 0, tzinfo=datetime.UTC)
GOES_LIVE = datetime.datetime(2025, 11, 14, 5, 0, tzinfo=datetime.UTC)  # 10:00 in Orenburg
TITLE = "Губернатор подписал дорожную карту сотрудничества"


@pytest.fixture
def scheduled():
    """An article approved at APPROVED for publication at GOES_LIVE, with its neighbours."""
    rubric = RubricFactory(name="Экономика", slug="ekonomika")
    writer = make_user("writer", EDITOR_ROLE)
    approver = make_user("approver", APPROVER_ROLE)
    ArticleFactory(
        title="Раньше вышедшая новость",
        published_at=APPROVED - datetime.timedelta(days=1),
        rubrics=[rubric],
        tags=["Дорожная карта"],
    )
    with time_machine.travel(APPROVED, tick=False):
        article = ArticleFactory(
            title=TITLE,
            status=Article.Status.DRAFT,
            published_at=None,
            author=writer,
            rubrics=[rubric],
            tags=["Дорожная карта"],
        )
        workflow.submit(article, by=writer)
        workflow.publish(article, by=approver, at=GOES_LIVE)
    refresh_search_document([article.pk])
    return article


SURFACES = [
    ("articles:home", {}),
    ("articles:rubric", {"slug": "ekonomika"}),
    ("articles:archive_month", {"year": 2025, "month": 11}),
    ("feeds:news-rss", {}),
    ("feeds:news-atom", {}),
    ("feeds:yandex", {}),
    ("feeds:dzen", {}),
    ("feeds:sitemap-news", {}),
]


def visible_everywhere(article):
    """Return which public surfaces mention the article."""
    client = Client()
    cache.clear()
    seen = {}
    for name, kwargs in SURFACES:
        response = client.get(reverse(name, kwargs=kwargs))
        seen[name] = TITLE in response.content.decode() or article.get_absolute_url() in (
            response.content.decode()
        )
    page = client.get(article.get_absolute_url())
    seen["page"] = page.status_code == 200
    search = client.get(reverse("articles:search"), {"q": "дорожную карту"})
    seen["search"] = article.get_absolute_url() in search.content.decode()
    return seen


def test_scheduled_article_is_nowhere_a_second_before(scheduled):
    """One second before its time the article is on no page, list, feed, sitemap or search."""
    with time_machine.travel(GOES_LIVE - datetime.timedelta(seconds=1), tick=False):
        seen = visible_everywhere(scheduled)
    assert not any(seen.values()), seen


def test_scheduled_article_is_everywhere_at_its_time(scheduled):
    """At its publication time the article appears on every surface by itself."""
    with time_machine.travel(GOES_LIVE, tick=False):
        seen = visible_everywhere(scheduled)
    assert [name for name, shown in seen.items() if not shown] == []


def test_related_block_waits_for_the_time(scheduled):
    """The earlier article's related block shows the scheduled one only from its time."""
    earlier = Article.objects.get(title="Раньше вышедшая новость")
    with time_machine.travel(GOES_LIVE - datetime.timedelta(seconds=1), tick=False):
        assert TITLE not in Client().get(earlier.get_absolute_url()).content.decode()
    with time_machine.travel(GOES_LIVE, tick=False):
        cache.clear()
        assert TITLE in Client().get(earlier.get_absolute_url()).content.decode()


def test_change_form_says_when_a_scheduled_article_goes_live(scheduled):
    """The article's admin page states the time it appears on the site."""
    client = client_for(make_user("chief", APPROVER_ROLE))
    with time_machine.travel(APPROVED, tick=False):
        page = client.get(reverse("admin:articles_article_change", args=[scheduled.pk]))
    assert "Запланирована: появится на сайте автоматически 14 ноября 2025" in page.content.decode()


def test_significant_edit_note_appears_on_page_and_in_feeds():
    """An update note added in the admin shows on the article page and in the feeds."""
    article = ArticleFactory(title=TITLE)
    client = client_for(make_user("chief", APPROVER_ROLE))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    data.update(
        {
            "updates-TOTAL_FORMS": "1",
            "updates-0-at_0": "14.11.2025",
            "updates-0-at_1": "09:00",
            "updates-0-note": "уточнены сроки",
            "updates-0-article": str(article.pk),
        }
    )
    assert client.post(url, data).status_code == 302
    assert ArticleUpdate.objects.get().note == "уточнены сроки"
    cache.clear()
    public = Client()
    assert "Обновлено 14 ноября 2025" in public.get(article.get_absolute_url()).content.decode()
    for name in ("feeds:news-rss", "feeds:news-atom", "feeds:dzen", "feeds:yandex"):
        body = public.get(reverse(name)).content.decode()
        assert "уточнены сроки" in body, name


def test_minor_edit_stays_silent():
    """An edit without a note adds nothing to the page or the feed."""
    article = ArticleFactory(title=TITLE)
    client = client_for(make_user("chief", APPROVER_ROLE))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    data["lead"] = "Исправлена опечатка."
    assert client.post(url, data).status_code == 302
    cache.clear()
    assert "Обновлено" not in Client().get(reverse("feeds:news-rss")).content.decode()
