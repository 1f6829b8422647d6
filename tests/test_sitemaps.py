"""Sitemaps (index, sections, Google News) and robots.txt."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from articles import sitemaps
from articles.models import Article
from tests.factories import AgreementFactory, ArticleFactory, RubricFactory
from tests.test_feeds import NOW, hostile_text, xml_root

pytestmark = pytest.mark.django_db

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP_NS, "news": NEWS_NS}
HIDDEN_STATUSES = [Article.Status.DRAFT, Article.Status.SUBMITTED, Article.Status.WITHDRAWN]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Stop the clock on the day the roadmap news came out."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


def locations(response):
    """Return the <loc> values of a sitemap or sitemap index."""
    return [loc.text for loc in xml_root(response).iterfind(".//s:loc", NS)]


def lastmods(response):
    return [node.text for node in xml_root(response).iterfind(".//s:lastmod", NS)]


def absolute(obj):
    return f"http://testserver{obj.get_absolute_url()}"


def section(name, page=None):
    url = reverse("feeds:sitemap-section", args=[name])
    return f"{url}?p={page}" if page else url


def hide_some(**fields):
    """Create one article of each hidden status and one scheduled a second ahead."""
    for status in HIDDEN_STATUSES:
        ArticleFactory(status=status, **fields)
    ArticleFactory(published_at=NOW + datetime.timedelta(seconds=1), **fields)


# Index


def test_index_lists_every_section_by_absolute_url_with_lastmod(client):
    """/sitemap.xml names the article, rubric, tag and agreement sitemaps with their dates."""
    ArticleFactory(rubrics=[RubricFactory()], tags=["Казахстан"])
    AgreementFactory()
    response = client.get(reverse("feeds:sitemap"))
    assert locations(response) == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-rubrics.xml",
        "http://testserver/sitemap-tags.xml",
        "http://testserver/sitemap-agreements.xml",
    ]
    assert lastmods(response) == ["2025-11-13T09:10:00+05:00"] * 4


def test_index_lists_every_page_of_a_long_section(client, monkeypatch):
    """A section longer than one page is listed page by page."""
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    for _ in range(5):
        ArticleFactory()
    assert locations(client.get(reverse("feeds:sitemap")))[:3] == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]


def test_article_sitemap_pages_hold_5000_urls(client):
    """Articles are listed 5,000 to a page (the protocol allows 50,000)."""
    Article.objects.bulk_create(
        Article(
            title=f"Новость {number}",
            slug=f"novost-{number}",
            body="<p>Текст.</p>",
            status=Article.Status.PUBLISHED,
            published_at=NOW - datetime.timedelta(minutes=number + 1),
        )
        for number in range(5001)
    )
    assert locations(client.get(reverse("feeds:sitemap")))[:2] == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
    ]
    assert len(locations(client.get(section("articles")))) == 5000
    assert len(locations(client.get(section("articles", page=2)))) == 1


# Sections


def test_article_sitemap_lists_published_articles_with_lastmod(client, frozen):
    """Every published article is listed with the time of its last change."""
    first = ArticleFactory(published_at=NOW - datetime.timedelta(days=400))
    second = ArticleFactory()
    frozen.shift(datetime.timedelta(minutes=30))
    second.save()
    response = client.get(section("articles"))
    assert locations(response) == [absolute(first), absolute(second)]
    assert lastmods(response) == ["2025-11-13T09:10:00+05:00", "2025-11-13T09:40:00+05:00"]


def test_article_sitemap_lastmod_is_the_publication_of_a_scheduled_article(client, frozen):
    """A scheduled article saved long ago is dated by its publication, not its last save."""
    ArticleFactory(published_at=NOW + datetime.timedelta(days=2))
    frozen.move_to(NOW + datetime.timedelta(days=3))
    assert lastmods(client.get(section("articles"))) == ["2025-11-15T09:10:00+05:00"]


def test_article_sitemap_pages_keep_their_content_as_news_arrives(client, monkeypatch):
    """Pages go oldest first, so new articles land on the last page only."""
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    old = [ArticleFactory(published_at=NOW - datetime.timedelta(days=d)) for d in (3, 2)]
    ArticleFactory()
    assert locations(client.get(section("articles"))) == [absolute(a) for a in old]
    assert len(locations(client.get(section("articles", page=2)))) == 1


@pytest.mark.parametrize("page", ["abc", "0", "-1", "3", "1.5", "9" * 5000, "%00"])
def test_missing_or_malformed_sitemap_page_is_404(client, page):
    """A page number that is not a page of the section is a 404."""
    ArticleFactory()
    assert client.get(section("articles", page=page)).status_code == 404


def test_unknown_section_is_404(client):
    """A section name that does not exist is a 404."""
    assert client.get(section("drafts")).status_code == 404


def test_rubric_and_tag_sitemaps_list_only_those_with_published_articles(client):
    """A rubric or tag whose only articles are hidden is left out."""
    live, hidden_only = RubricFactory(), RubricFactory()
    ArticleFactory(rubrics=[live], tags=["Казахстан"])
    hide_some(rubrics=[hidden_only], tags=["Черновик"])
    RubricFactory()  # no articles at all
    assert locations(client.get(section("rubrics"))) == [absolute(live)]
    assert locations(client.get(section("tags"))) == ["http://testserver/tags/kazakhstan/"]


def test_index_dates_the_articles_by_their_last_edit_not_by_hidden_ones(client, frozen):
    """Editing an old published article moves the index's date; saving a draft does not."""
    old = ArticleFactory(published_at=NOW - datetime.timedelta(days=3))
    ArticleFactory(published_at=NOW - datetime.timedelta(days=1))
    frozen.shift(datetime.timedelta(hours=2))
    old.title = "Исправленный заголовок"
    old.save()
    frozen.shift(datetime.timedelta(hours=1))
    ArticleFactory(status=Article.Status.DRAFT)
    ArticleFactory(published_at=NOW + datetime.timedelta(days=1))  # scheduled
    assert lastmods(client.get(reverse("feeds:sitemap")))[0] == "2025-11-13T11:10:00+05:00"


def test_rubric_lastmod_is_its_newest_published_change(client, frozen):
    """A rubric is dated by the last change of its published articles, not of hidden ones."""
    rubric = RubricFactory()
    ArticleFactory(rubrics=[rubric], published_at=NOW - datetime.timedelta(days=1))
    frozen.shift(datetime.timedelta(hours=2))
    ArticleFactory(rubrics=[rubric], status=Article.Status.DRAFT)
    assert lastmods(client.get(section("rubrics"))) == ["2025-11-13T09:10:00+05:00"]


def test_agreement_sitemap_lists_agreements_with_lastmod(client):
    """Every agreement in the registry is listed with its last change."""
    agreement = AgreementFactory()
    response = client.get(section("agreements"))
    assert locations(response) == [absolute(agreement)]
    assert lastmods(response) == ["2025-11-13T09:10:00+05:00"]


# Google News


def news_entries(response):
    root = xml_root(response)
    return [
        {
            "loc": url.findtext("s:loc", namespaces=NS),
            "name": url.findtext("news:news/news:publication/news:name", namespaces=NS),
            "language": url.findtext("news:news/news:publication/news:language", namespaces=NS),
            "date": url.findtext("news:news/news:publication_date", namespaces=NS),
            "title": url.findtext("news:news/news:title", namespaces=NS),
        }
        for url in root.iterfind("s:url", NS)
    ]


def test_news_sitemap_describes_each_article_for_google_news(client):
    """Each entry has the publication name, language ru, the date with offset and the title."""
    article = ArticleFactory(title="Подписана дорожная карта до 2028 года")
    assert news_entries(client.get(reverse("feeds:sitemap-news"))) == [
        {
            "loc": absolute(article),
            "name": "Пресс-служба губернатора",
            "language": "ru",
            "date": "2025-11-13T08:10:00+05:00",
            "title": "Подписана дорожная карта до 2028 года",
        }
    ]


def test_news_sitemap_holds_the_last_two_days(client):
    """Articles published more than two days ago are left out of the news sitemap."""
    fresh = ArticleFactory(published_at=NOW - datetime.timedelta(days=2))
    ArticleFactory(published_at=NOW - datetime.timedelta(days=2, seconds=1))
    assert [e["loc"] for e in news_entries(client.get(reverse("feeds:sitemap-news")))] == [
        absolute(fresh)
    ]


def test_news_sitemap_stays_valid_with_hostile_titles(client):
    """Control characters, markup, quotes, emoji and RTL in a title keep the XML valid."""
    Article.objects.create(
        title=f"Заголовок {hostile_text()}",
        slug="zagolovok",
        body="<p>Текст.</p>",
        status=Article.Status.PUBLISHED,
        published_at=NOW,
    )
    title = news_entries(client.get(reverse("feeds:sitemap-news")))[0]["title"]
    assert title.startswith('Заголовок Форум & «дорожная карта» <script>alert("x")</script>')
    assert "\x01" not in title


def test_empty_sitemaps_are_valid(client):
    """With nothing published, the index, every section and the news sitemap are valid."""
    hide_some()
    urls = [reverse("feeds:sitemap"), reverse("feeds:sitemap-news")]
    urls += [section(name) for name in sitemaps.SITEMAPS]
    for url in urls:
        assert etree.QName(xml_root(client.get(url))).namespace == SITEMAP_NS


# Visibility


@pytest.mark.parametrize("name", ["articles", "news"])
def test_sitemaps_never_list_hidden_articles(client, name):
    """Drafts, submitted, withdrawn and scheduled articles are in no sitemap."""
    shown = ArticleFactory()
    hide_some()
    url = reverse("feeds:sitemap-news") if name == "news" else section(name)
    assert locations(client.get(url)) == [absolute(shown)]


@pytest.mark.parametrize("name", ["articles", "rubrics", "tags", "news"])
def test_scheduled_article_enters_sitemaps_exactly_at_its_time(client, frozen, name):
    """A scheduled article (and its rubric and tag) appears at its time, not earlier."""
    ArticleFactory(
        rubrics=[RubricFactory()],
        tags=["Казахстан"],
        published_at=NOW + datetime.timedelta(hours=1),
    )
    url = reverse("feeds:sitemap-news") if name == "news" else section(name)
    frozen.move_to(NOW + datetime.timedelta(hours=1) - datetime.timedelta(seconds=1))
    assert locations(client.get(url)) == []
    frozen.move_to(NOW + datetime.timedelta(hours=1))
    assert len(locations(client.get(url))) == 1


# Query counts


def populate(count, rubrics):
    for number in range(count):
        ArticleFactory(rubrics=[rubrics[number % 3]], tags=[f"Тег {number}", "Казахстан"])
        AgreementFactory()


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-rubrics.xml",
        "/sitemap-tags.xml",
        "/sitemap-agreements.xml",
        "/sitemap-news.xml",
    ],
)
@pytest.mark.usefixtures("without_page_cache")  # counts the view, not the cache
def test_sitemap_runs_the_same_number_of_queries_for_3_and_30_items(client, url):
    """A sitemap costs a fixed number of queries whatever the number of items."""
    rubrics = [RubricFactory() for _ in range(3)]
    populate(3, rubrics)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    populate(27, rubrics)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # At most: each section's date and count, and the next publication that ends the counts.
    assert len(many) == len(few) <= 9


# Memoized counts


def pages_of(name, response):
    """Return how many pages of a section the sitemap index lists."""
    prefix = f"http://testserver/sitemap-{name}.xml"
    return sum(loc == prefix or loc.startswith(f"{prefix}?") for loc in locations(response))


SECTION_CLASSES = {"articles": sitemaps.ArticleSitemap, "tags": sitemaps.TagSitemap}


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-articles.xml", "/sitemap-tags.xml"])
@pytest.mark.usefixtures("without_page_cache")  # counts the view, not the cache
def test_sitemap_counts_its_items_once_per_content_version(client, url):
    """A second request for the index or a section page makes no COUNT query."""
    ArticleFactory(rubrics=[RubricFactory()], tags=["Казахстан"])
    AgreementFactory()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()] == []


@pytest.mark.parametrize("name", SECTION_CLASSES)
@pytest.mark.usefixtures("without_page_cache")
def test_index_pages_follow_a_new_published_article_not_a_hidden_one(client, monkeypatch, name):
    """A published article changes the memoized count at once; drafts and scheduled do not."""
    monkeypatch.setattr(SECTION_CLASSES[name], "limit", 1)
    ArticleFactory(tags=["Казахстан"])
    index = reverse("feeds:sitemap")
    assert pages_of(name, client.get(index)) == 1
    hide_some(tags=["Черновик"])
    assert pages_of(name, client.get(index)) == 1
    ArticleFactory(tags=["Экономика"])
    assert pages_of(name, client.get(index)) == 2


@pytest.mark.parametrize("name", SECTION_CLASSES)
@pytest.mark.usefixtures("without_page_cache")
def test_scheduled_article_is_counted_at_its_time_with_no_write(client, frozen, monkeypatch, name):
    """The memoized count ends at the next publication: no save is needed to count it."""
    monkeypatch.setattr(SECTION_CLASSES[name], "limit", 1)
    goes_live = NOW + datetime.timedelta(minutes=1)
    ArticleFactory(tags=["Казахстан"])
    ArticleFactory(tags=["Экономика"], published_at=goes_live)
    index = reverse("feeds:sitemap")
    assert pages_of(name, client.get(index)) == 1
    frozen.move_to(goes_live - datetime.timedelta(seconds=1))
    assert pages_of(name, client.get(index)) == 1
    assert client.get(section(name, page=2)).status_code == 404
    frozen.move_to(goes_live)
    assert pages_of(name, client.get(index)) == 2
    assert len(locations(client.get(section(name, page=2)))) == 1


# robots.txt


def test_robots_txt_names_the_sitemaps_and_keeps_out_admin_and_search(client):
    """robots.txt gives both sitemaps by absolute URL and disallows /admin/ and /search/."""
    response = client.get("/robots.txt")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /admin/", "Disallow: /search/"} <= set(lines)
    assert {
        "Sitemap: http://testserver/sitemap.xml",
        "Sitemap: http://testserver/sitemap-news.xml",
    } <= set(lines)


def test_robots_txt_uses_the_scheme_and_host_of_the_request(client):
    """Behind HTTPS on the real host name, the sitemap URLs say so."""
    response = client.get("/robots.txt", secure=True, headers={"host": "localhost"})
    assert "Sitemap: https://localhost/sitemap.xml" in response.content.decode()
