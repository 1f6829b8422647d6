"""The version for the visually impaired: one switch, remembered across pages, no JavaScript."""

import re

import pytest
from django.urls import reverse

from articles import lowvision
from tests.browser.support import published_article

HOME = re.compile(r"^https?://[^/]+/$")
ROOT_SIZE_JS = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
BODY_COLOURS_JS = (
    "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
)


def choose(page, label):
    """Follow the settings page's link labelled label, as a visitor does."""
    page.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_larger_type_is_remembered_without_javascript(new_page):
    """Larger type chosen from the header switch stays on every page, with JS off."""
    article = published_article()
    page = new_page(java_script_enabled=False)
    page.goto("/")
    normal = page.evaluate(ROOT_SIZE_JS)
    page.get_by_role("link", name="Версия для слабовидящих").click()
    choose(page, "Крупный")
    choose(page, "Самый крупный")
    page.get_by_role("link", name="Вернуться на страницу").click()
    page.wait_for_url(HOME)
    assert page.evaluate(ROOT_SIZE_JS) == pytest.approx(normal * 1.625)
    page.goto(article.get_absolute_url())
    assert "lv-size-3" in page.get_attribute("html", "class")
    assert page.evaluate(ROOT_SIZE_JS) == pytest.approx(normal * 1.625)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("label", "colours"),
    [
        ("Чёрный на белом", ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]),
        ("Белый на чёрном", ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]),
        ("Тёмно-синий на голубом", ["rgb(6, 52, 98)", "rgb(157, 209, 255)"]),
    ],
)
def test_colour_schemes_recolour_the_page(page, label, colours):
    """Each high-contrast scheme sets the page's text and background colours."""
    page.goto(reverse("articles:low_vision"))
    choose(page, label)
    page.goto("/")
    assert page.evaluate(BODY_COLOURS_JS) == colours
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).color")
    assert header == colours[1]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_images_off_shows_their_text_alternatives(page):
    """With images off the photos disappear and their alt text is shown instead."""
    article = published_article()
    page.goto(reverse("articles:low_vision"))
    choose(page, "Без изображений")
    page.goto(article.get_absolute_url())
    pictures = page.locator("article picture")
    assert pictures.count() >= 2
    assert page.locator("article img").first.is_hidden()
    shown = pictures.first.evaluate("p => getComputedStyle(p, '::before').content")
    assert shown == '"Участники встречи, снимок 1"'


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wide_spacing_and_return_to_usual_version(page):
    """Wide spacing widens letters and lines; the usual-version link undoes everything."""
    page.goto(reverse("articles:low_vision"))
    choose(page, "Увеличенный интервал")
    page.goto("/")
    spacing = page.evaluate("getComputedStyle(document.body).letterSpacing")
    assert spacing not in ("normal", "0px")
    page.get_by_role("link", name="Обычная версия").click()
    page.wait_for_url(HOME)
    assert page.get_attribute("html", "class") is None
    assert page.evaluate("getComputedStyle(document.body).letterSpacing") == "normal"


@pytest.mark.django_db
def test_switch_ignores_unknown_values_and_foreign_next(client):
    """Only whitelisted settings reach the cookie and `next` never leaves the site."""
    url = reverse("articles:low_vision_set")
    response = client.get(url, {"size": "99", "scheme": "wb", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:low_vision")
    assert response.cookies[lowvision.COOKIE_NAME].value == "scheme-wb"


@pytest.mark.django_db
def test_forged_cookie_gives_only_prepared_classes(client):
    """A forged cookie cannot put arbitrary classes on the page."""
    client.cookies[lowvision.COOKIE_NAME] = 'size-2.scheme-"><script>.x-y.images-off'
    response = client.get(reverse("articles:home"))
    assert b'<html lang="ru" class="lv lv-size-2 lv-images-off">' in response.content
