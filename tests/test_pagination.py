"""The links between the pages of a list, made once per address and page."""

import datetime

import lxml.html
import pytest
from django.utils import timezone

from articles.views import agreements
from tests.factories import AgreementFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def pagination(response):
    """Return (previous href, the page's label, next href) of a page's pagination."""
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    nav = page.xpath("//nav[@class='pagination']")
    if not nav:
        return None
    prev = nav[0].xpath(".//a[@rel='prev']/@href")
    next_ = nav[0].xpath(".//a[@rel='next']/@href")
    label = nav[0].xpath(".//li[@aria-current='page']/text()")[0]
    return (prev[0] if prev else None, label, next_[0] if next_ else None)


@pytest.fixture
def news():
    start = timezone.now() - datetime.timedelta(days=10)
    for number in range(45):
        ArticleFactory(published_at=start + datetime.timedelta(hours=number))


def test_each_page_of_the_news_links_its_neighbours(client, news):
    assert pagination(client.get("/")) == (None, "Страница 1", "/?page=2")
    assert pagination(client.get("/?page=2")) == ("/", "Страница 2", "/?page=3")
    assert pagination(client.get("/?page=3")) == ("/?page=2", "Страница 3", None)
    # Again, from the kept fragments.
    assert pagination(client.get("/?page=2")) == ("/", "Страница 2", "/?page=3")


def test_a_list_on_one_page_shows_no_pagination(client):
    ArticleFactory()
    assert pagination(client.get("/")) is None


def test_the_links_keep_the_other_parameters_of_the_address(client, news):
    """Unknown parameters too, however long: they are kept in the links, not refused."""
    long = "x" * 2000
    assert pagination(client.get("/", {"utm_source": "vk", "page": 2})) == (
        "/?utm_source=vk",
        "Страница 2",
        "/?utm_source=vk&page=3",
    )
    assert pagination(client.get("/", {"ref": long, "page": 2})) == (
        f"/?ref={long}",
        "Страница 2",
        f"/?ref={long}&page=3",
    )


def test_the_registry_counts_its_pages(client, monkeypatch):
    monkeypatch.setattr(agreements, "AGREEMENTS_PER_PAGE", 2)
    for _ in range(5):
        AgreementFactory()
    first = ("/agreements/", None, "Страница 1 из 3", "/agreements/?page=2")
    assert pagination(client.get(first[0])) == first[1:]
    assert pagination(client.get("/agreements/?page=3")) == (
        "/agreements/?page=2",
        "Страница 3 из 3",
        None,
    )
