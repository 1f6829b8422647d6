"""WCAG 2.1 A/AA audit with axe-core, keyboard-only use and reflow at 200% zoom and 320 px."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleUpdate
from tests.browser.conftest import DESKTOP, log_in
from tests.browser.support import editorial_users, published_article
from tests.test_admin_support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN_JS = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})
  .then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"""
FOCUSED_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 80),
    href: el.getAttribute('href'), id: el.id,
    visible: box.width > 0 && box.height > 0,
    indicated: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== 'none',
  };
}"""
OVERFLOW_JS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def audit(page, axe_path):
    """Return the WCAG 2.1 A/AA violations axe-core finds on the open page."""
    # Evaluated through DevTools, not added as a <script>: the site's CSP blocks inline code.
    page.evaluate(Path(axe_path).read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN_JS, WCAG_TAGS)


def test_public_pages_pass_axe(page, site, axe_path):
    """Every public page type has no WCAG 2.1 A/AA violations."""
    found = {}
    for name, url in site.items():
        page.goto(url)
        violations = audit(page, axe_path)
        if violations:
            found[name] = violations
    assert not found, found


@pytest.mark.parametrize("scheme", ["bw", "wb", "blue"])
def test_low_vision_schemes_pass_axe(page, site, axe_path, scheme):
    """The high-contrast schemes with the largest type keep the pages free of violations."""
    page.goto(f"{reverse('articles:low_vision_set')}?scheme={scheme}&size=3&spacing=wide")
    found = {}
    for name in ("home", "article", "agreement", "search"):
        page.goto(site[name])
        violations = audit(page, axe_path)
        if violations:
            found[name] = violations
    assert not found, found


def test_admin_article_form_passes_axe(page, axe_path):
    """The editors' article form has no WCAG 2.1 A/AA violations."""
    author, _publisher = editorial_users()
    log_in(page, author.username, PASSWORD)
    page.goto(reverse("admin:articles_article_add"))
    page.wait_for_selector(".field-body .ProseMirror[contenteditable=true]")
    assert audit(page, axe_path) == []


def test_admin_article_change_form_with_photos_passes_axe(page, axe_path):
    """An article's change form, with its photos, update notes and log, has no violations."""
    _author, publisher = editorial_users()
    article = published_article()
    ArticleUpdate.objects.create(article=article, at=timezone.now(), note="Уточнены сроки")
    log_in(page, publisher.username, PASSWORD)
    page.goto(reverse("admin:articles_article_change", args=[article.pk]))
    page.wait_for_selector(".field-body .ProseMirror[contenteditable=true]")
    assert audit(page, axe_path) == []


def test_admin_agreement_form_passes_axe(page, axe_path):
    """The agreement form with its signatory rows has no WCAG 2.1 A/AA violations."""
    _author, publisher = editorial_users()
    log_in(page, publisher.username, PASSWORD)
    page.goto(reverse("admin:articles_agreement_add"))
    page.wait_for_selector(".field-parties .select2-search__field")
    assert audit(page, axe_path) == []


def tab(page):
    """Press Tab and return what got the focus; the focus must be visible and indicated."""
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED_JS)
    assert focused["visible"] and focused["indicated"], focused
    return focused


def test_keyboard_walk_from_home_to_article(page, site):
    """Keyboard alone skips to the content, reaches an article and walks all of it."""
    page.goto(site["home"])
    assert tab(page)["href"] == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    for _step in range(40):
        focused = tab(page)
        if focused["href"] == site["article"]:
            break
    else:
        pytest.fail("the article's link on the home page is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{site['article']}")

    reached = []
    for _step in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the last link: the focus leaves the page, so no trap on the way
        reached.append(page.evaluate(FOCUSED_JS))
        assert reached[-1]["visible"] and reached[-1]["indicated"], reached[-1]
    else:
        pytest.fail("the focus never left the article page: a keyboard trap")
    texts = [f["text"] for f in reached]
    hrefs = [f["href"] or "" for f in reached]
    assert "Версия для слабовидящих" in texts
    photo_links = page.eval_on_selector_all(
        "main a:has(picture)", "links => links.map(a => a.getAttribute('href'))"
    )
    assert photo_links, "the article shows no linked photos"
    assert set(photo_links) <= set(hrefs), "some photos cannot be reached with Tab"
    assert site["agreement"] in hrefs
    assert reverse("articles:search") in hrefs


@pytest.mark.parametrize(
    ("viewport", "scale"),
    [({"width": 640, "height": 400}, 2), ({"width": 320, "height": 640}, 1)],
    ids=["1280px-at-200%", "320px"],
)
def test_pages_reflow_without_horizontal_scrolling(new_page, site, viewport, scale):
    """At 200% zoom on 1280 px and at 320 px no page scrolls sideways."""
    page = new_page(viewport=viewport, device_scale_factor=scale)
    assert viewport["width"] * scale in (DESKTOP["width"], 320)
    overflowing = {}
    for name, url in site.items():
        for lv in ("", "?size=3&spacing=wide"):
            if lv:
                page.goto(f"{reverse('articles:low_vision_set')}{lv}&next={url}")
            else:
                page.context.clear_cookies()
                page.goto(url)
            extra = page.evaluate(OVERFLOW_JS)
            if extra > 0:
                overflowing[f"{name}{lv}"] = extra
    assert not overflowing, overflowing
