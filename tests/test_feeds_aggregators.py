"""Aggregator feeds: Yandex News (/feeds/yandex.xml) and Dzen (/feeds/dzen.rss)."""

import datetime

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, PhotoFactory
from tests.test_feeds import CONTENT_NS, NOW, read_feed, xml_root

pytestmark = pytest.mark.django_db

YANDEX_NS = "http://news.yandex.ru"
MEDIA_NS = "http://search.yahoo.com/mrss/"
BODY = (
    "<p>Документ подписали губернатор Евгений Солнцев и аким Нариман Турегалиев.</p>"
    '<p>План рассчитан на 2026&ndash;2028 годы &amp; <a href="/agreements/7-plan/">далее</a>.</p>'
)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Stop the clock on the day the roadmap news came out."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def gallery_article():
    """An article with a body, a lead photo and a second gallery photo."""
    article = ArticleFactory(body=BODY)
    PhotoFactory(article=article, position=1, caption="Подписание", credit="t.me/pool_56")
    PhotoFactory(article=article, position=2, caption="Участники форума", credit="")
    return article


def photo_urls(article):
    return [
        f"http://testserver{photo.url_of(photo.feed_image)}"
        for photo in article.photos.order_by("position")
    ]


# Yandex News


def test_yandex_feed_declares_the_yandex_namespace(client):
    """The feed root declares xmlns:yandex="http://news.yandex.ru"."""
    root = xml_root(client.get(reverse("feeds:yandex")))
    assert root.nsmap["yandex"] == YANDEX_NS


def test_yandex_full_text_is_the_plain_text_of_the_body(client):
    """yandex:full-text holds the body as text: no tags, entities decoded, a line a paragraph."""
    ArticleFactory(body=BODY)
    root = xml_root(client.get(reverse("feeds:yandex")))
    assert root.findtext(f"channel/item/{{{YANDEX_NS}}}full-text") == (
        "Документ подписали губернатор Евгений Солнцев и аким Нариман Турегалиев.\n"
        "План рассчитан на 2026–2028 годы & далее."
    )


@pytest.mark.parametrize(
    ("kind", "genre"),
    [
        (Article.Kind.NEWS, "message"),
        (Article.Kind.PRESS_RELEASE, "message"),
        (Article.Kind.VISIT, "message"),
        (Article.Kind.STATEMENT, "article"),
        (Article.Kind.INTERVIEW, "interview"),
    ],
)
def test_yandex_genre_follows_the_kind(client, kind, genre):
    """yandex:genre is message, article or interview by the article's kind."""
    ArticleFactory(kind=kind)
    root = xml_root(client.get(reverse("feeds:yandex")))
    assert root.findtext(f"channel/item/{{{YANDEX_NS}}}genre") == genre


def test_yandex_feed_encloses_every_photo(client, gallery_article):
    """Every photo of the article is an image enclosure with its type and length."""
    root = xml_root(client.get(reverse("feeds:yandex")))
    enclosures = root.findall("channel/item/enclosure")
    assert [e.get("url") for e in enclosures] == photo_urls(gallery_article)
    assert {e.get("type") for e in enclosures} == {"image/jpeg"}
    assert all(int(e.get("length")) > 0 for e in enclosures)


def test_yandex_feed_holds_the_last_eight_days(client):
    """Articles older than eight days are left out of the Yandex News feed."""
    fresh = ArticleFactory(published_at=NOW - datetime.timedelta(days=7, hours=23))
    ArticleFactory(published_at=NOW - datetime.timedelta(days=8, minutes=1))
    feed = read_feed(client.get(reverse("feeds:yandex")))
    assert [entry.title for entry in feed.entries] == [fresh.title]


# Dzen


def test_dzen_content_is_the_full_html_with_figures_and_absolute_links(client, gallery_article):
    """content:encoded opens with the lead photo, then the body, then the gallery."""
    root = xml_root(client.get(reverse("feeds:dzen")))
    content = root.findtext(f"channel/item/{{{CONTENT_NS}}}encoded")
    lead, second = photo_urls(gallery_article)
    assert content.startswith(
        f'<figure><img src="{lead}" width="1280" height="800" '
        'alt="Участники совещания за столом"><figcaption>Подписание'
        '<span class="copyright">t.me/pool_56</span></figcaption></figure>'
        "<p>Документ подписали"
    )
    assert 'href="http://testserver/agreements/7-plan/"' in content
    assert content.endswith(
        f'<figure><img src="{second}" width="1280" height="800" '
        'alt="Участники совещания за столом">'
        "<figcaption>Участники форума</figcaption></figure>"
    )


def test_dzen_feed_encloses_every_photo_and_rates_items(client, gallery_article):
    """Every photo is an enclosure, and every item says it is not adult content."""
    root = xml_root(client.get(reverse("feeds:dzen")))
    enclosures = root.findall("channel/item/enclosure")
    assert [e.get("url") for e in enclosures] == photo_urls(gallery_article)
    assert root.findtext(f"channel/item/{{{MEDIA_NS}}}rating") == "nonadult"


def test_dzen_feed_holds_the_last_three_days(client):
    """Articles older than three days are left out of the Dzen feed."""
    fresh = ArticleFactory(published_at=NOW - datetime.timedelta(days=2, hours=23))
    ArticleFactory(published_at=NOW - datetime.timedelta(days=3, minutes=1))
    feed = read_feed(client.get(reverse("feeds:dzen")))
    assert [entry.title for entry in feed.entries] == [fresh.title]


def test_dzen_feed_holds_at_most_500_articles(client):
    """A busy stretch of news is cut at the 500 newest articles."""
    Article.objects.bulk_create(
        Article(
            title=f"Новость {number}",
            slug=f"novost-{number}",
            body="<p>Текст.</p>",
            status=Article.Status.PUBLISHED,
            published_at=NOW - datetime.timedelta(minutes=number + 1),
        )
        for number in range(501)
    )
    feed = read_feed(client.get(reverse("feeds:dzen")))
    assert len(feed.entries) == 500
    assert feed.entries[0].title == "Новость 0"
    assert feed.entries[-1].title == "Новость 499"
