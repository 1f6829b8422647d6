"""The page shell made once per process ({% keep %}): same HTML, yet never stale or foreign."""

import re
from pathlib import Path

import lxml.html
import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import translation

from articles import lowvision
from articles.templatetags import pressroom as pressroom_tags

pytestmark = pytest.mark.django_db


def render(source, **values):
    return Template("{% load i18n pressroom %}" + source).render(Context(values))


def test_a_kept_block_is_made_for_each_language():
    source = '{% keep %}{% translate "Search" %}{% endkeep %}'
    with translation.override("ru"):
        assert render(source) == "Поиск"
    with translation.override("en"):
        assert render(source) == "Search"
    with translation.override("ru"):
        assert render(source) == "Поиск"


def test_a_kept_block_is_made_for_each_url_prefix():
    """A site served under a path prefix links there, even after one served at the root."""
    source = "{% keep %}{% url 'articles:search' %}{% endkeep %}"
    assert render(source) == "/search/"
    set_script_prefix("/press/")
    try:
        assert render(source) == "/press/search/"
    finally:
        clear_script_prefix()


def test_a_kept_block_is_made_for_each_value_it_varies_on():
    source = "{% keep active %}{% if active %}on{% else %}off{% endif %}{% endkeep %}"
    assert render(source, active=True) == "on"
    assert render(source, active=False) == "off"
    assert render(source, active=True) == "on"


def test_a_block_inside_keep_is_refused():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load pressroom %}{% keep %}{% block title %}{% endblock %}{% endkeep %}")


def header_links(response):
    page = lxml.html.fromstring(response.content.decode())
    links = page.xpath("//p[@class='lv-switch']/a")
    return {link.text_content().strip(): link.get("href") for link in links}


def test_the_switch_for_the_visually_impaired_returns_to_the_page_it_was_used_on(client):
    forum = "%25D1%2584%25D0%25BE%25D1%2580%25D1%2583%25D0%25BC"  # "форум", quoted twice
    assert header_links(client.get("/search/", {"q": "форум"})) == {
        "Версия для слабовидящих": f"/accessibility/?next=%2Fsearch%2F%3Fq%3D{forum}"
    }
    client.cookies[lowvision.COOKIE_NAME] = "size-2"
    assert header_links(client.get("/agreements/")) == {
        "Настройки для слабовидящих": "/accessibility/?next=%2Fagreements%2F",
        "Обычная версия": "/accessibility/set/?reset=1&next=%2Fagreements%2F",
    }


def test_the_switch_is_each_visitors_own_on_the_same_page(client):
    """Kept per settings and address: the same page, asked by visitors with other
    settings (a forged cookie counts as none) and at a long address, answers each."""
    html_class = "//html/@class"
    usual = Client()
    usual.cookies[lowvision.COOKIE_NAME] = "size-99.forged"
    large = Client()
    large.cookies[lowvision.COOKIE_NAME] = "size-2"
    for _ in range(2):
        assert lxml.html.fromstring(usual.get("/agreements/").content).xpath(html_class) == []
        page = lxml.html.fromstring(large.get("/agreements/").content)
        assert page.xpath(html_class) == ["lv lv-size-2"]
    words = "форум " * 40
    links = header_links(large.get("/search/", {"q": words}))
    assert links["Обычная версия"].startswith(
        "/accessibility/set/?reset=1&next=%2Fsearch%2F%3Fq%3D"
    )
    assert len(links["Обычная версия"]) > 300


def test_the_kept_header_and_footer_link_the_site_and_name_it(client, settings):
    page = lxml.html.fromstring(client.get("/agreements/").content.decode())
    assert page.xpath("//a[@class='site-name']/@href") == ["/"]
    assert page.xpath("//form[@role='search']/@action") == ["/search/"]
    assert page.xpath("//footer//nav//a/@href") == ["/", "/agreements/", "/search/"]
    publisher = page.xpath("//p[@class='site-footer__publisher']/text()")
    assert publisher == [f"© {settings.PRESSROOM_PUBLISHER}"]


def test_the_shell_follows_the_site_name_it_names(client, settings):
    client.get("/agreements/")
    settings.PRESSROOM_SITE_NAME = "Пресс-служба области"
    page = lxml.html.fromstring(client.get("/agreements/?page=1").content.decode())
    assert page.xpath("//span[@class='site-name__title']/text()") == ["Пресс-служба области"]


def template_folders():
    """Return the project's template folders: the site's and each of its own apps'."""
    apps = [config.path for config in django_apps.get_app_configs()]
    own = [Path(path) for path in apps if Path(path).is_relative_to(settings.BASE_DIR)]
    return [*settings.TEMPLATES[0]["DIRS"], *(path / "templates" for path in own)]


def test_no_template_switches_language_or_time_zone():
    """The shell's kept parts take where the page is made from its context, read once a
    page (cards.made_in): a part inside {% language %} or {% timezone %} would be kept
    under the page's language or zone though made in another."""
    switching = re.compile(r"{%\s*(language|timezone)\b")
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for folder in template_folders()
        for path in folder.rglob("*.html")
        if switching.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_fragments_of_hundreds_of_tag_pages_visited_in_turn_stay_made():
    """200 tag pages make 600 small fragments (feed links, pagination): weighed rather
    than counted, they all stay, where 512 places cycled through them and each page made
    its own again."""
    pressroom_tags._kept_fragments.clear()
    made = []

    def feed_links(slug, kind):
        made.append((slug, kind))
        return f'<a href="/tags/{slug}/{kind}.rss">Лента материалов по тегу «{slug}»</a>' * 3

    for _round in range(3):
        for number in range(200):
            for kind in ("rss", "atom", "page"):
                html = pressroom_tags.shell_fragment(None, feed_links, f"tag-{number}", kind)
                assert f"tag-{number}/{kind}" in html
    assert len(made) == 600  # each made once, in the first round
