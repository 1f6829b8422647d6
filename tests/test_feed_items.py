"""Feeds keep each item's XML per content version, and never serve an old or a foreign one."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import content_version
from articles.local_copies import (
    LOCAL_PAGES_BYTES,
    LOCAL_RENDERINGS_BYTES,
    local_renderings,
    renderings_budget,
)
from articles.models import Article
from tests.factories import ArticleFactory, RubricFactory
from tests.test_feeds import NOW, read_feed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

RSS = reverse("feeds:news-rss")
ATOM = reverse("feeds:news-atom")
TITLE = "Оренбургская область и Башкортостан подписали дорожную карту"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def stories():
    economy = RubricFactory(name="Экономика", slug="ekonomika")
    first = ArticleFactory(
        title=TITLE,
        rubrics=[economy],
        tags=["Казахстан"],
        body='<p>Документ подписан на форуме.</p><p><a href="/agreements/">Реестр</a></p>',
        published_at=NOW - datetime.timedelta(hours=2),
    )
    second = ArticleFactory(rubrics=[economy], published_at=NOW - datetime.timedelta(hours=1))
    return [second, first]


def titles(response):
    return [entry.title for entry in read_feed(response).entries]


@pytest.mark.parametrize("url", [RSS, ATOM, reverse("feeds:rubric-rss", args=["ekonomika"])])
def test_a_repeated_feed_reads_no_table_and_is_the_same_document(client, stories, url):
    with CaptureQueriesContext(connection) as first:
        made = client.get(url)
    with CaptureQueriesContext(connection) as second:
        kept = Client().get(url)
    assert kept.content == made.content
    assert len(titles(kept)) == 2
    # Nothing: the list of articles and the items come from the cache (the articles,
    # photos and tags are not read), and the rubric feed's rubric from a memo.
    assert len(second) == 0 < len(first)
    assert not any("articles_photo" in query["sql"] for query in second.captured_queries)


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_an_edit_shows_in_the_feed_at_once(client, stories, url):
    assert TITLE in titles(client.get(url))
    story = stories[1]
    story.title = "Дорожная карта подписана: уточнены сроки"
    story.save()
    assert titles(Client().get(url)) == [
        stories[0].title,
        "Дорожная карта подписана: уточнены сроки",
    ]


def test_a_scheduled_article_joins_kept_items_at_its_time(client, stories, frozen):
    scheduled = ArticleFactory(
        title="Делегация прибыла в Казахстан", published_at=NOW.replace(hour=10)
    )
    assert scheduled.title not in titles(client.get(RSS))
    frozen.move_to(NOW.replace(hour=10))
    assert titles(Client().get(RSS)) == [scheduled.title, stories[0].title, TITLE]


def test_each_site_address_gets_its_own_absolute_links(client, stories, settings):
    settings.ALLOWED_HOSTS = ["press.example.ru", "mirror.example.ru"]
    article_path = stories[1].get_absolute_url()
    plain = read_feed(client.get(RSS, HTTP_HOST="press.example.ru")).entries[1]
    secure = read_feed(Client().get(RSS, HTTP_HOST="press.example.ru", secure=True)).entries[1]
    mirror = read_feed(Client().get(RSS, HTTP_HOST="mirror.example.ru")).entries[1]
    assert plain.link == f"http://press.example.ru{article_path}"
    assert secure.link == f"https://press.example.ru{article_path}"
    assert mirror.link == f"http://mirror.example.ru{article_path}"
    # Links inside the body too.
    assert 'href="http://mirror.example.ru/agreements/"' in mirror.content[0].value


def test_each_feed_kind_keeps_its_own_items(client, stories):
    """RSS items, Atom entries and the Yandex dialect are never mixed up."""
    read_feed(client.get(RSS))
    atom = Client().get(ATOM).content.decode()
    assert atom.count("<entry>") == 2 and "<item>" not in atom
    stories[1].published_at = NOW - datetime.timedelta(days=1)  # within Yandex's 8 days
    stories[1].save()
    read_feed(Client().get(RSS))
    yandex = Client().get(reverse("feeds:yandex")).content.decode()
    assert "<yandex:full-text>Документ подписан на форуме." in yandex


def test_editors_get_items_made_afresh(client, stories):
    """Their requests read no content version first, so they neither keep nor share items."""
    editor = Client()
    editor.cookies["sessionid"] = "an-editor"
    assert TITLE in titles(client.get(RSS))
    assert TITLE in titles(editor.get(RSS))
    # Raw SQL bumps nothing: the visitors' item stays as it was, the editor's is new.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Article._meta.db_table} SET title = %s WHERE id = %s",
            ["Заголовок без сигнала", stories[1].pk],
        )
    assert TITLE in titles(Client().get(RSS))
    assert "Заголовок без сигнала" in titles(editor.get(RSS))


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_an_edit_made_by_another_process_shows_in_the_feed_at_once(client, stories, url):
    """Items this process keeps copies of are under the old version: the new one is read."""
    assert TITLE in titles(client.get(url))
    with connection.cursor() as cursor:  # no signal in this process
        cursor.execute(
            "UPDATE articles_article SET title = %s WHERE id = %s",
            ["Дорожная карта подписана: уточнены сроки", stories[1].pk],
        )
    cache.set(content_version.VERSION_KEY, "bumped-by-another-process", timeout=None)
    assert titles(Client().get(url)) == [
        stories[0].title,
        "Дорожная карта подписана: уточнены сроки",
    ]


def test_without_a_page_cache_the_feeds_items_stay_in_the_process(monkeypatch):
    """With no page cache, the pages' share of memory keeps renderings: three rubrics'
    feeds of long articles (~660 kB of items, more than renderings alone may keep) are
    served again with none of their items read from the shared cache."""
    assert renderings_budget() == LOCAL_RENDERINGS_BYTES + LOCAL_PAGES_BYTES
    monkeypatch.setattr(local_renderings, "max_bytes", renderings_budget())
    local_renderings.clear()
    urls = []
    for number in range(3):
        rubric = RubricFactory(slug=f"rubric-{number}")
        urls.append(reverse("feeds:rubric-rss", args=[rubric.slug]))
        for minutes in range(20):
            ArticleFactory(
                rubrics=[rubric],
                body="<p>" + "Текст сообщения пресс-службы. " * 200 + "</p>",
                published_at=NOW - datetime.timedelta(hours=number, minutes=minutes),
            )
    for url in urls:
        assert len(titles(Client().get(url))) == 20
    assert local_renderings.size > LOCAL_RENDERINGS_BYTES
    read = []
    get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *a, **kw: read.extend(keys) or get_many(keys, *a, **kw)
    )
    for url in urls:
        assert len(titles(Client().get(url))) == 20
    assert not [key for key in read if ":feed-item:" in key]


def test_with_a_page_cache_renderings_keep_their_own_share(settings):
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 300
    assert renderings_budget() == LOCAL_RENDERINGS_BYTES
