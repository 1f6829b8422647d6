"""RSS 2.0 and Atom feeds of the latest news: items, validity, visibility, query counts."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from articles.feeds.content import ARTICLE_KEY_NAMESPACE
from articles.models import Article, Photo, Rubric, Tag
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory

pytestmark = pytest.mark.django_db

SITE_TZ = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime.datetime(2025, 11, 13, 9, 10, tzinfo=SITE_TZ)
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS = "http://www.w3.org/2005/Atom"
PUBLISHER = "Пресс-служба губернатора Оренбургской области"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Stop the clock on the day the roadmap news came out."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


def xml_root(response):
    """Parse a response strictly as XML 1.0 (lxml raises on any well-formedness error)."""
    assert response.status_code == 200, response.status_code
    return etree.fromstring(response.content)


def read_feed(response):
    """Return the feed parsed by feedparser, after checking it is well-formed XML."""
    xml_root(response)
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def copy_photo(photo, article):
    """Give an article a photo sharing another photo's files (no image encoding)."""
    return Photo.objects.create(
        article=article,
        original=photo.original.name,
        width=photo.width,
        height=photo.height,
        renditions=photo.renditions,
        alt=photo.alt,
        caption=photo.caption,
        credit=photo.credit,
    )


def make_articles(count, *, rubric, photo, **fields):
    """Create published articles, each with the rubric, two tags and a lead photo."""
    articles = []
    for _ in range(count):
        article = ArticleFactory(rubrics=[rubric], tags=["Евгений Солнцев", "Казахстан"], **fields)
        copy_photo(photo, article)
        articles.append(article)
    return articles


@pytest.fixture
def rubric():
    return RubricFactory(name="Политика", slug="politika")


@pytest.fixture
def photo():
    """A photo with real renditions, made once and shared by copies."""
    return PhotoFactory(article=ArticleFactory(status=Article.Status.DRAFT))


NEWS_FEEDS = ["feeds:news-rss", "feeds:news-atom"]


ALL_FEEDS = [
    ("feeds:news-rss", []),
    ("feeds:news-atom", []),
    ("feeds:rubric-rss", ["politika"]),
    ("feeds:rubric-atom", ["politika"]),
    ("feeds:tag-rss", ["kazakhstan"]),
    ("feeds:tag-atom", ["kazakhstan"]),
    ("feeds:yandex", []),
    ("feeds:dzen", []),
]
every_feed = pytest.mark.parametrize("url", [reverse(name, args=args) for name, args in ALL_FEEDS])


# Items


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_feed_lists_the_20_newest_published_articles_newest_first(client, name):
    """The feed shows the 20 newest published articles, newest first."""
    articles = [
        ArticleFactory(published_at=NOW - datetime.timedelta(hours=hours)) for hours in range(1, 26)
    ]
    feed = read_feed(client.get(reverse(name)))
    assert [entry.title for entry in feed.entries] == [a.title for a in articles[:20]]


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_item_link_is_the_absolute_article_url(client, name):
    """Each item links to the article's canonical page by an absolute URL."""
    article = ArticleFactory()
    feed = read_feed(client.get(reverse(name)))
    assert feed.entries[0].link == f"http://testserver{article.get_absolute_url()}"


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_guid_survives_editing_title_slug_and_date(client, name, frozen):
    """The item id stays the same when the title, slug and date are edited."""
    article = ArticleFactory()
    before = read_feed(client.get(reverse(name))).entries[0].id
    frozen.shift(datetime.timedelta(minutes=5))
    article.title = "Подписана дорожная карта на 2026–2028 годы"
    article.slug = "podpisana-dorozhnaia-karta"
    article.published_at = NOW - datetime.timedelta(minutes=30)
    article.save()
    after = read_feed(client.get(reverse(name))).entries[0]
    assert after.title == article.title
    assert after.id == before == f"urn:uuid:{uuid.UUID(article.key)}"


def test_guid_of_an_imported_article_is_derived_from_its_exchange_key(client):
    """An article imported with a non-UUID key gets a urn:uuid made from that key."""
    ArticleFactory(key="orenburg-2025-11-13-roadmap")
    entry = read_feed(client.get(reverse("feeds:news-rss"))).entries[0]
    expected = uuid.uuid5(ARTICLE_KEY_NAMESPACE, "orenburg-2025-11-13-roadmap")
    assert entry.id == expected.urn
    assert entry.guidislink is False


def test_rss_dates_carry_the_site_offset(client):
    """pubDate is written in the site's time zone with its +0500 offset."""
    ArticleFactory(published_at=datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC))
    root = xml_root(client.get(reverse("feeds:news-rss")))
    assert root.findtext("channel/item/pubDate") == "Thu, 13 Nov 2025 09:10:00 +0500"


def test_atom_published_and_updated_carry_the_site_offset(client, frozen):
    """Atom gives the publication and the last edit in the site's offset."""
    article = ArticleFactory(published_at=NOW - datetime.timedelta(hours=2))
    frozen.shift(datetime.timedelta(minutes=20))
    article.save()
    entry = xml_root(client.get(reverse("feeds:news-atom"))).find(f"{{{ATOM_NS}}}entry")
    assert entry.findtext(f"{{{ATOM_NS}}}published") == "2025-11-13T07:10:00+05:00"
    assert entry.findtext(f"{{{ATOM_NS}}}updated") == "2025-11-13T09:30:00+05:00"


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_author_is_the_press_service(client, name):
    """Every item names the press service as its author."""
    ArticleFactory()
    entry = read_feed(client.get(reverse(name))).entries[0]
    assert entry.author == PUBLISHER


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_categories_are_the_rubrics_and_tags(client, name, rubric):
    """Items carry their rubrics and tags as categories."""
    ArticleFactory(rubrics=[rubric], tags=["Евгений Солнцев", "Казахстан"])
    entry = read_feed(client.get(reverse(name))).entries[0]
    assert {tag.term for tag in entry.tags} == {"Политика", "Евгений Солнцев", "Казахстан"}


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_description_is_the_lead_as_text(client, name):
    """The description is the lead, shown as text even when it looks like markup."""
    ArticleFactory(lead="Форум <b>России</b> & Казахстана")
    entry = read_feed(client.get(reverse(name))).entries[0]
    assert entry.summary == "Форум &lt;b&gt;России&lt;/b&gt; &amp; Казахстана"


def test_rss_full_body_is_in_content_encoded_with_absolute_links(client):
    """content:encoded (namespace declared) holds the body with links made absolute."""
    ArticleFactory(
        body='<p>См. <a href="/agreements/1-plan/">план</a> и <a href="https://gov.kz/">сайт</a>.</p>'
    )
    root = xml_root(client.get(reverse("feeds:news-rss")))
    assert root.nsmap["content"] == CONTENT_NS
    content = root.findtext(f"channel/item/{{{CONTENT_NS}}}encoded")
    assert 'href="http://testserver/agreements/1-plan/"' in content
    assert 'href="https://gov.kz/"' in content


def test_atom_full_body_is_the_entry_content(client):
    """Atom entries carry the full body as HTML content."""
    ArticleFactory(body="<p>Документ рассчитан до 2028 года.</p>")
    entry = read_feed(client.get(reverse("feeds:news-atom"))).entries[0]
    assert entry.content[0].value == "<p>Документ рассчитан до 2028 года.</p>"
    assert entry.content[0].type == "text/html"


@pytest.mark.parametrize("name", NEWS_FEEDS)
def test_lead_photo_is_an_enclosure_with_its_real_length_and_type(client, name):
    """The lead photo's JPEG feed rendition (1200+ px) is enclosed with its byte length."""
    article = ArticleFactory()
    PhotoFactory(article=article, position=1, width=2000, height=1300)
    PhotoFactory(article=article, position=2, width=1600, height=1000)
    lead = article.photos.order_by("position").first()
    rendition = lead.feed_image
    enclosures = read_feed(client.get(reverse(name))).entries[0].enclosures
    assert len(enclosures) == 1
    assert enclosures[0].href == f"http://testserver{lead.url_of(rendition)}"
    assert enclosures[0].type == "image/jpeg"
    with default_storage.open(rendition["path"], "rb") as handle:
        assert int(enclosures[0].length) == len(handle.read())
    assert rendition["width"] >= 1200


def test_article_without_photo_has_no_enclosure(client):
    """An article without photos is listed without an enclosure."""
    ArticleFactory()
    assert read_feed(client.get(reverse("feeds:news-rss"))).entries[0].enclosures == []


def test_channel_is_in_russian_and_names_the_site(client):
    """The channel has the site's name, a Russian description and language."""
    feed = read_feed(client.get(reverse("feeds:news-rss"))).feed
    assert feed.title == "Пресс-служба губернатора"
    assert feed.subtitle == "Последние новости"
    assert feed.language == "ru"
    assert feed.link == "http://testserver/"


# Rubric and tag feeds


@pytest.mark.parametrize("name", ["feeds:rubric-rss", "feeds:rubric-atom"])
def test_rubric_feed_lists_only_that_rubric(client, name, rubric):
    """A rubric feed lists the rubric's articles only."""
    inside = ArticleFactory(rubrics=[rubric])
    ArticleFactory(rubrics=[RubricFactory()])
    feed = read_feed(client.get(reverse(name, args=[rubric.slug])))
    assert [entry.title for entry in feed.entries] == [inside.title]
    assert "Политика" in feed.feed.title


@pytest.mark.parametrize("name", ["feeds:tag-rss", "feeds:tag-atom"])
def test_tag_feed_lists_only_that_tag(client, name):
    """A tag feed lists the articles with the tag only."""
    inside = ArticleFactory(tags=["Казахстан"])
    ArticleFactory(tags=["Уральск"])
    feed = read_feed(client.get(reverse(name, args=["kazakhstan"])))
    assert [entry.title for entry in feed.entries] == [inside.title]
    assert "Казахстан" in feed.feed.title


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/rubrics/no-such-rubric.rss",
        "/feeds/rubrics/no-such-rubric.atom",
        "/feeds/tags/no-such-tag.rss",
        "/feeds/tags/no-such-tag.atom",
        "/feeds/tags/kazakhstan%00.rss",
        "/feeds/rubrics/%D0%BF%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0.rss",
    ],
)
def test_unknown_rubric_or_tag_feed_is_404(client, url):
    """A feed of a rubric or tag that does not exist is a 404."""
    assert client.get(url).status_code == 404


# Validity

HOSTILE = "".join(chr(code) for code in range(0x20)) + "\ufffe\uffff"
NASTY_TEXT = (
    "Форум & «дорожная карта» <script>alert(\"x\")</script> 'кавычки' "
    "🇷🇺🤝🇰🇿 עברית العربية \u202eRTL\u202c" + HOSTILE
)


def hostile_text():
    """Return text with every control character the database in use can store."""
    # PostgreSQL cannot store NUL in text at all, so it never reaches a feed there.
    return NASTY_TEXT.replace("\x00", "") if connection.vendor == "postgresql" else NASTY_TEXT


@pytest.fixture
def hostile_article(photo):
    """An article written with the ORM directly, bypassing every cleaning step."""
    text = hostile_text()
    short = f"& <i>'\"{text[-34:]}"
    rubric = Rubric.objects.create(name=f"Политика {short}", slug="politika")
    article = Article.objects.create(
        title=f"Заголовок {text}",
        slug="zagolovok",
        lead=f"Лид {text}",
        body=f"<p>Текст {text}</p><p><a href='/news/1-x/?a=1&b=2'>ссылка {text}</a></p>",
        status=Article.Status.PUBLISHED,
        published_at=NOW - datetime.timedelta(minutes=5),
        kind=Article.Kind.INTERVIEW,
    )
    article.rubrics.add(rubric)
    article.tags.add("Казахстан", f"тег {short}")
    lead = copy_photo(photo, article)
    Photo.objects.filter(pk=lead.pk).update(caption=f"Подпись {text}", credit=f"Фото {text}")
    return article


@every_feed
def test_every_feed_stays_valid_with_hostile_text(client, hostile_article, url):
    """Control characters, markup, quotes, emoji and RTL text never break a feed."""
    feed = read_feed(client.get(url))
    entry = feed.entries[0]
    assert entry.title.startswith("Заголовок Форум & «дорожная карта»")
    assert "\x01" not in entry.title
    assert "🇷🇺🤝🇰🇿" in entry.title


@every_feed
def test_every_feed_is_valid_when_empty(client, url):
    """A feed with no articles at all is still a valid document."""
    RubricFactory(slug="politika")
    ArticleFactory(tags=["Казахстан"], status=Article.Status.DRAFT)
    feed = read_feed(client.get(url))
    assert feed.entries == []


# Visibility


@every_feed
def test_feeds_never_show_drafts_submitted_withdrawn_or_scheduled(client, rubric, url):
    """Only published articles whose time has come appear in any feed."""
    shown = ArticleFactory(rubrics=[rubric], tags=["Казахстан"], title="Видна всем")
    for status in (Article.Status.DRAFT, Article.Status.SUBMITTED, Article.Status.WITHDRAWN):
        ArticleFactory(rubrics=[rubric], tags=["Казахстан"], status=status)
    ArticleFactory(
        rubrics=[rubric],
        tags=["Казахстан"],
        published_at=NOW + datetime.timedelta(seconds=1),
    )
    feed = read_feed(client.get(url))
    assert [entry.title for entry in feed.entries] == [shown.title]


@every_feed
def test_scheduled_article_appears_exactly_at_its_time(client, rubric, url, frozen):
    """A scheduled article joins every feed at its publication time, not a second earlier."""
    ArticleFactory(
        rubrics=[rubric], tags=["Казахстан"], published_at=NOW + datetime.timedelta(hours=1)
    )
    frozen.move_to(NOW + datetime.timedelta(hours=1) - datetime.timedelta(seconds=1))
    assert read_feed(client.get(url)).entries == []
    frozen.move_to(NOW + datetime.timedelta(hours=1))
    assert len(read_feed(client.get(url)).entries) == 1


# Query counts


@every_feed
@pytest.mark.usefixtures("without_page_cache")  # counts the view, not the cache
def test_feed_runs_the_same_number_of_queries_for_3_and_30_articles(client, rubric, photo, url):
    """A feed costs a fixed number of queries, with photos, rubrics and tags."""
    make_articles(3, rubric=rubric, photo=photo)
    with CaptureQueriesContext(connection) as few:
        read_feed(client.get(url))
    make_articles(27, rubric=rubric, photo=photo)
    with CaptureQueriesContext(connection) as many:
        assert len(read_feed(client.get(url)).entries) >= 20
    assert len(many) == len(few) <= 6


# Discovery


def test_alternate_links_partial_announces_the_feeds(rf, rubric):
    """The <head> partial links the site, rubric and tag feeds with Russian titles."""
    ArticleFactory(tags=["Казахстан"])
    tag = Tag.objects.get(slug="kazakhstan")
    html = render_to_string(
        "feeds/alternate_links.html", {"rubric": rubric, "tag": tag}, request=rf.get("/")
    )
    assert 'title="Новости (RSS)" href="/feeds/news.rss"' in html
    assert 'type="application/atom+xml" title="Новости (Atom)" href="/feeds/news.atom"' in html
    assert 'title="Рубрика «Политика» (RSS)" href="/feeds/rubrics/politika.rss"' in html
    assert 'title="Новости по теме «Казахстан» (RSS)" href="/feeds/tags/kazakhstan.rss"' in html
