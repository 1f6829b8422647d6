"""Rubric and tag pages and feeds find their group in a memo: renames and new ones show at once."""

import datetime

import lxml.html
import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, RubricFactory
from tests.test_feeds import read_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def economy():
    rubric = RubricFactory(name="Экономика", slug="ekonomika")
    ArticleFactory(
        title="Губернатор открыл промышленный парк",
        rubrics=[rubric],
        published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    return rubric


def test_a_warm_rubric_feed_reads_no_table_and_a_new_article_joins_it_at_once(
    client, economy, without_page_cache, django_assert_num_queries
):
    """The rubric and what the feed lists come from memos, which a write makes anew."""
    client.get("/feeds/rubrics/ekonomika.rss")
    with django_assert_num_queries(0):
        feed = read_feed(client.get("/feeds/rubrics/ekonomika.rss"))
    assert [entry.title for entry in feed.entries] == ["Губернатор открыл промышленный парк"]
    ArticleFactory(title="Подписано соглашение о поставках", rubrics=[economy])
    feed = read_feed(client.get("/feeds/rubrics/ekonomika.rss"))
    assert [entry.title for entry in feed.entries] == [
        "Подписано соглашение о поставках",
        "Губернатор открыл промышленный парк",
    ]


def test_a_renamed_rubric_shows_its_new_name_and_address_at_once(client, economy):
    assert client.get("/rubrics/ekonomika/").status_code == 200
    assert client.get("/feeds/rubrics/ekonomika.rss").status_code == 200
    economy.name, economy.slug = "Экономика и инвестиции", "ekonomika-i-investitsii"
    economy.save()
    assert client.get("/rubrics/ekonomika/").status_code == 404
    assert client.get("/feeds/rubrics/ekonomika.rss").status_code == 404
    page = client.get("/rubrics/ekonomika-i-investitsii/")
    assert "<h1>Экономика и инвестиции</h1>" in page.content.decode()
    feed = read_feed(client.get("/feeds/rubrics/ekonomika-i-investitsii.rss"))
    assert "Экономика и инвестиции" in feed.feed.title


def test_a_new_rubric_is_found_at_once(client, economy):
    assert client.get("/rubrics/ekonomika/").status_code == 200
    assert client.get("/rubrics/sport/").status_code == 404
    sport = RubricFactory(name="Спорт", slug="sport")
    ArticleFactory(rubrics=[sport], published_at=timezone.now() - datetime.timedelta(hours=2))
    assert client.get("/rubrics/sport/").status_code == 200
    assert client.get("/feeds/rubrics/sport.rss").status_code == 200


def test_navigation_and_feed_links_follow_a_rename(client, economy):
    """The header's navigation and the feed links, made once per process, show the new name."""
    page = lxml.html.fromstring(client.get("/rubrics/ekonomika/").content.decode())
    assert page.xpath('//nav[@class="site-nav"]//a[@aria-current="page"]/text()') == ["Экономика"]
    assert "/feeds/rubrics/ekonomika.rss" in page.xpath('//link[@rel="alternate"]/@href')
    economy.name, economy.slug = "Экономика и инвестиции", "ekonomika-i-investitsii"
    economy.save()
    for url in ("/", "/rubrics/ekonomika-i-investitsii/"):
        page = lxml.html.fromstring(client.get(url).content.decode())
        assert "Экономика и инвестиции" in page.xpath('//nav[@class="site-nav"]//a/text()')
        assert "Экономика" not in page.xpath('//nav[@class="site-nav"]//a/text()')
    current = page.xpath('//nav[@class="site-nav"]//a[@aria-current="page"]/text()')
    assert current == ["Экономика и инвестиции"]
    feeds = page.xpath('//link[@rel="alternate"]/@href')
    assert "/feeds/rubrics/ekonomika-i-investitsii.rss" in feeds
    assert "/feeds/rubrics/ekonomika.rss" not in feeds
    footer = page.xpath('//div[@class="feed-links"]//a/text()')
    assert "RSS: рубрика «Экономика и инвестиции»" in footer


def test_a_tag_page_and_feed_follow_a_rename_and_a_new_tag(client):
    story = ArticleFactory(
        tags=["Казахстан"], published_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert client.get("/tags/kazakhstan/").status_code == 200
    assert client.get("/tags/forum/").status_code == 404
    tag = story.tags.get()
    tag.name, tag.slug = "Республика Казахстан", "respublika-kazakhstan"
    tag.save()
    assert client.get("/tags/kazakhstan/").status_code == 404
    page = client.get("/tags/respublika-kazakhstan/").content.decode()
    assert "<h1>Республика Казахстан</h1>" in page
    feed = read_feed(client.get("/feeds/tags/respublika-kazakhstan.rss"))
    assert "Республика Казахстан" in feed.feed.title
    story.tags.add("Форум")
    assert client.get("/tags/forum/").status_code == 200


def test_an_unknown_tag_is_a_404_without_a_query_when_asked_again(
    client, without_page_cache, django_assert_num_queries
):
    assert client.get("/tags/net-takogo/").status_code == 404
    with django_assert_num_queries(0):
        assert client.get("/tags/net-takogo/").status_code == 404
    assert client.get("/tags/" + "a" * 5000 + "/").status_code == 404
    assert client.get("/feeds/tags/" + "a" * 5000 + ".rss").status_code == 404
    assert client.get("/feeds/rubrics/" + "a" * 5000 + ".atom").status_code == 404
    assert client.get("/rubrics/" + "a" * 5000 + "/").status_code == 404
