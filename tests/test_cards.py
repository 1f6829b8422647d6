"""List pages share their article cards per content version, and never show an old one."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from articles import content_version
from articles.cards import CARD_TEMPLATE, render_cards
from articles.models import Article
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards_rendered():
    """Count renders of the card template."""
    rendered = []

    def count(sender, template, **kwargs):
        if template.name == CARD_TEMPLATE:
            rendered.append(template)

    template_rendered.connect(count)
    yield rendered
    template_rendered.disconnect(count)


@pytest.fixture
def stories():
    economy = RubricFactory(name="Экономика", slug="ekonomika")
    made = ArticleFactory.create_batch(3, rubrics=[economy], tags=["Оренбургская область"])
    PhotoFactory(article=made[0], alt="Подписание дорожной карты")
    return made


def body(response):
    assert response.status_code == 200
    return response.content.decode()


def test_a_card_is_rendered_once_for_every_list_page(
    client, stories, cards_rendered, without_page_cache
):
    body(client.get("/"))
    assert len(cards_rendered) == 3
    body(Client().get(reverse("articles:rubric", args=["ekonomika"])))
    body(Client().get(stories[0].tags.get().get_absolute_url()))
    body(Client().get("/"))
    assert len(cards_rendered) == 3


def test_an_edit_shows_at_once_on_every_list_page(client, stories, without_page_cache):
    assert "Подписание дорожной карты" in body(client.get("/"))  # the card's photo
    story = stories[0]
    story.title = "Губернатор подписал дорожную карту с соседним регионом"
    story.save()
    rubric = story.rubrics.get()
    rubric.name = "Экономика и инвестиции"
    rubric.save()
    for url in ("/", rubric.get_absolute_url(), story.tags.get().get_absolute_url()):
        page = body(Client().get(url))
        assert story.title in page and "Экономика и инвестиции" in page, url


def test_a_site_under_a_prefix_gets_its_own_cards(client, stories, without_page_cache):
    set_script_prefix("/press/")  # what the WSGI handler does for SCRIPT_NAME=/press
    try:
        under_prefix = body(client.get("/"))
    finally:
        set_script_prefix("/")
    assert f'href="/press{stories[0].get_absolute_url()}"' in under_prefix
    at_root = body(Client().get("/"))
    assert f'href="{stories[0].get_absolute_url()}"' in at_root
    assert "/press/" not in at_root


def test_editors_get_cards_made_afresh(client, stories, cards_rendered, without_page_cache):
    """Their requests read no version first, so nothing they see is shared."""
    editor = Client()
    editor.cookies["sessionid"] = "an-editor"
    body(editor.get("/"))
    body(editor.get("/"))
    assert len(cards_rendered) == 6


def test_a_page_whose_list_and_cards_are_kept_reads_no_table(client, stories, without_page_cache):
    """Rubrics and photos are read for the cards that are rendered, and only for them."""
    with CaptureQueriesContext(connection) as first:
        body(client.get("/"))
    with CaptureQueriesContext(connection) as second:
        assert "Подписание дорожной карты" in body(Client().get("/"))
    # The list of articles, rubrics, photos (and the header's memos) are not read again.
    assert len(first) > 3
    assert len(second) == 0


def test_a_new_card_among_kept_ones_shows_its_photo_and_rubric(client, stories, without_page_cache):
    body(client.get("/"))
    fresh = ArticleFactory(rubrics=[RubricFactory(name="Международные связи")])
    PhotoFactory(article=fresh, alt="Делегация в Казахстане")
    page = body(Client().get("/"))
    assert fresh.title in page
    assert "Делегация в Казахстане" in page and "Международные связи" in page
    assert "Подписание дорожной карты" in page  # a kept card keeps its photo


def test_an_edit_made_by_another_process_shows_at_once(client, stories, without_page_cache):
    """Cards this process keeps copies of are under the old version: the new one is read."""
    assert stories[0].title in body(client.get("/"))
    with connection.cursor() as cursor:  # no signal in this process
        cursor.execute(
            "UPDATE articles_article SET title = %s WHERE id = %s",
            ["Дорожная карта подписана в Оренбурге", stories[0].pk],
        )
    cache.set(content_version.VERSION_KEY, "bumped-by-another-process", timeout=None)
    page = body(client.get("/"))
    assert "Дорожная карта подписана в Оренбурге" in page
    assert stories[0].title not in page


def test_cards_of_articles_listed_by_id_show_them_whole_but_not_one_withdrawn_meanwhile(stories):
    """First pages list ids only; render_cards() reads the articles whose cards it makes."""
    listed = [story.pk for story in stories]
    withdrawn = stories[1]
    withdrawn.status = Article.Status.WITHDRAWN
    withdrawn.save()
    cards = render_cards(listed, version=None)
    assert len(cards) == 2
    shown = "".join(cards)
    assert stories[0].title in shown and stories[2].title in shown
    assert withdrawn.title not in shown
    assert "Подписание дорожной карты" in shown  # the lead photo's text
