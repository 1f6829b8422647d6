"""The article page's own parts, kept per content version: no query, never stale or private."""

import datetime
from unittest import mock

import lxml.html
import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
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


@pytest.mark.parametrize("status", ["draft", "scheduled", "made-up"])
def test_an_article_the_public_cannot_see_is_a_404_with_no_memo_kept(
    client, story, without_page_cache, status
):
    """Any id may be asked for: only a public article's row is memoized, and a draft
    published later shows at once."""
    if status == "made-up":
        url, pk = "/news/987654321-nichego/", 987654321
    else:
        hidden = ArticleFactory(
            title="Черновик о форуме",
            status=Article.Status.DRAFT if status == "draft" else Article.Status.PUBLISHED,
            published_at=timezone.now()
            + datetime.timedelta(days=1 if status == "scheduled" else -1),
        )
        url, pk = hidden.get_absolute_url(), hidden.pk
    writes = []
    set_value = cache.set
    with mock.patch.object(
        cache, "set", lambda key, *a, **kw: writes.append(key) or set_value(key, *a, **kw)
    ):
        assert client.get(url).status_code == 404
        assert client.get(url).status_code == 404
    assert not [key for key in writes if f":listed-article:{pk}" in key]
    if status == "draft":
        hidden.status = Article.Status.PUBLISHED
        hidden.save()
        assert "Черновик о форуме" in page_of(client.get(url)).xpath("string(//h1)")
