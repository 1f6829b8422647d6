"""Screenshots of the home page, an article and the admin form for docs/screenshots/."""

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE, log_in, save_screenshot
from tests.browser.support import editorial_users, published_article
from tests.test_admin_support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "width"), [(PHONE, 375), (DESKTOP, 1280)])
def test_key_pages_render_for_screenshots(new_page, viewport, width):
    """Home, article and admin form render at phone and desktop widths without sideways scroll."""
    article = published_article()
    author, _publisher = editorial_users()
    page = new_page(viewport=viewport)
    for name, url in (("home", "/"), ("article", article.get_absolute_url())):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        save_screenshot(page, f"{name}-{width}")
    log_in(page, author.username, PASSWORD)
    page.goto(reverse("admin:articles_article_change", args=[article.pk]))
    page.wait_for_selector(".field-body .ProseMirror[contenteditable=true]")
    assert page.locator("#id_title").input_value() == article.title
    save_screenshot(page, f"admin-article-{width}")
