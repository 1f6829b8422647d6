"""The article page's own parts, kept per content version: no query, never stale or private."""

import datetime

import lxml.html
import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, RubricFactory
from tests.test_admin_support import client_for, make_editor

pytestmark = pytest.mark.django_db

# A repeated request reads no table: the validators' rows (the article's and the latest
# news) are kept like the parts; the first one reads them, the article, its photos and
# the articles around it.
COLD_QUERIES = 5
WARM_QUERIES = 0
PARTS_TEMPLATE = "articles/partials/article_main.html"


@pytest.fixture
def story():
    rubric = RubricFactory(name="Экономика", slug="ekonomika")
    return ArticleFactory(
        title="Губернатор подписал дорожную карту",
        lead="Документ рассчитан на 2026–2028 годы.",
        body="<p>Стороны договорились о поставках зерна.</p>",
        rubrics=[rubric],
        tags=["Казахстан"],
        published_at=timezone.now() - datetime.timedelta(hours=3),
    )


def page_of(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def test_a_repeated_visit_reads_no_table_and_gets_the_same_page(
    client, story, without_page_cache, django_assert_num_queries
):
    client.get("/")  # the site-wide memos, as any visit makes
    with django_assert_num_queries(COLD_QUERIES):
        first = client.get(story.get_absolute_url())
    with django_assert_num_queries(WARM_QUERIES):
        second = client.get(story.get_absolute_url())
    assert second.content == first.content
    page = page_of(second)
    assert page.xpath("//h1/text()") == [story.title]
    assert page.xpath('//meta[@name="description"]/@content') == [story.lead]
    assert page.xpath('//nav[@class="breadcrumbs"]//a/text()')[-1] == "Экономика"
    assert "поставках зерна" in page.xpath('string(//div[contains(@class, "article__body")])')


def test_an_edit_shows_at_once(client, story, without_page_cache):
    client.get(story.get_absolute_url())
    story.title = "Дорожная карта подписана в Оренбурге"
    story.body = "<p>Первые поставки начнутся весной.</p>"
    story.save()
    page = page_of(client.get(story.get_absolute_url()))
    assert page.xpath("//h1/text()") == ["Дорожная карта подписана в Оренбурге"]
    assert page.xpath('//meta[@property="og:title"]/@content') == [story.title]
    assert "поставки начнутся весной" in page.xpath("string(//article)")
    assert "поставках зерна" not in page.xpath("string(//article)")


def test_each_host_gets_its_own_absolute_addresses(client, story, without_page_cache):
    """The canonical address and the sharing tags name the host the page was asked on."""
    client.get(story.get_absolute_url())
    page = page_of(client.get(story.get_absolute_url(), HTTP_HOST="localhost"))
    url = f"http://localhost{story.get_absolute_url()}"
    assert page.xpath('//link[@rel="canonical"]/@href') == [url]
    assert page.xpath('//meta[@property="og:url"]/@content') == [url]


def made_parts(response):
    """Return whether the response rendered the article's parts (rather than reading them)."""
    assert response.status_code == 200
    return PARTS_TEMPLATE in [template.name for template in response.templates]


def test_editors_neither_keep_nor_read_kept_parts(client, story, without_page_cache):
    """A signed-in editor's page is made afresh, and leaves nothing for visitors."""
    editor = client_for(make_editor())
    assert made_parts(editor.get(story.get_absolute_url()))
    assert made_parts(client.get(story.get_absolute_url()))
    assert not made_parts(client.get(story.get_absolute_url()))
    assert made_parts(editor.get(story.get_absolute_url()))


def test_a_preview_keeps_nothing(client, story, without_page_cache):
    """An editor's preview makes the parts itself and stores none for the public page."""
    editor = client_for(make_editor())
    assert made_parts(editor.get(f"/preview/{story.pk}/"))
    assert made_parts(client.get(story.get_absolute_url()))
