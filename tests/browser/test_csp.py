"""The Content Security Policy in Chromium: the site, the admin and the editor violate nothing.

Every `securitypolicyviolation` event and every CSP message on the console is collected
for the whole browser context, so a blocked script, style or image on any page fails
the test with what was blocked and where.
"""

import pytest
from django.urls import reverse

from articles.models import Article, ShareLink
from tests.browser.conftest import log_in
from tests.browser.support import editorial_users
from tests.factories import AgreementFactory, RubricFactory, image_bytes
from tests.test_admin_support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_JS = """document.addEventListener('securitypolicyviolation', (event) => {
  window.reportCspViolation({
    page: document.URL, directive: event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
    disposition: event.disposition,
  });
});"""
IMAGES_LOADED_JS = """() => [...document.images]
  .filter((img) => img.complete && img.naturalWidth === 0).map((img) => img.currentSrc)"""
INJECT_INLINE_JS = """() => {
  const script = document.createElement('script');
  script.textContent = 'window.inlineScriptRan = true;';
  document.head.append(script);
  const div = document.createElement('div');
  div.innerHTML = '<p id="styled" style="color: rgb(255, 0, 0)">x</p>';
  document.body.append(div);
  return getComputedStyle(document.getElementById('styled')).color;
}"""


class Watched:
    """A browser context whose CSP violations and page errors are collected."""

    def __init__(self, page):
        self.page = page
        self.violations = []
        self.errors = []
        context = page.context
        context.expose_function(
            "reportCspViolation", lambda violation: self.violations.append(violation)
        )
        context.add_init_script(WATCH_JS)
        context.on("console", self._console)
        context.on("weberror", self._error)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append({"console": message.text, "page": message.page.url})

    def _error(self, error):
        self.errors.append({"error": str(error.error), "page": error.page and error.page.url})

    def visit(self, url):
        response = self.page.goto(url)
        self.page.wait_for_load_state("load")
        return response

    def broken_images(self):
        return self.page.evaluate(IMAGES_LOADED_JS)

    def assert_clean(self):
        # Violation events arrive asynchronously: let the last page settle first.
        self.page.wait_for_timeout(300)
        assert self.violations == []
        assert self.errors == []


@pytest.fixture
def watched(new_page):
    """Return a factory of watched pages, each in its own browser context."""
    return lambda: Watched(new_page())


def test_policy_is_enforced_and_violations_are_seen(watched, site):
    """An inline script or style injected into a public page is blocked and reported."""
    visitor = watched()
    visitor.visit(site["article"])
    color = visitor.page.evaluate(INJECT_INLINE_JS)
    visitor.page.wait_for_timeout(300)
    assert visitor.page.evaluate("window.inlineScriptRan") is None
    assert color != "rgb(255, 0, 0)"
    directives = {v.get("directive") for v in visitor.violations}
    assert {"script-src-elem", "style-src-attr"} <= directives


def test_public_pages_run_without_violations(watched, site):
    """Every public page type, the gallery viewer and the low-vision mode violate nothing."""
    visitor = watched()
    for name, url in site.items():
        response = visitor.visit(url)
        assert response.status == (404 if name == "404" else 200), name
        assert visitor.broken_images() == [], name
    visitor.visit(site["article"])
    assert visitor.page.locator('script[type="application/ld+json"]').count() == 1
    visitor.page.locator(".gallery .picture-link").first.click()
    visitor.page.wait_for_selector("#photo-1:target")
    visitor.page.fill("#header-search", "делегацией")
    visitor.page.press("#header-search", "Enter")
    visitor.page.wait_for_url("**/search/?q=*")
    visitor.visit(site["low vision settings"])
    visitor.page.locator(".lv-choice").first.click()
    visitor.page.wait_for_load_state("load")
    for name in ("home", "article", "agreement"):
        visitor.visit(site[name])
    visitor.assert_clean()


def test_admin_article_editing_runs_without_violations(watched):
    """Writing an article with the editor, select2 and photos, then previewing and sharing it."""
    author, _publisher = editorial_users()
    RubricFactory(name="Международное сотрудничество")
    agreement = AgreementFactory(title="Дорожная карта сотрудничества на 2026–2028 годы")
    editor = watched()
    page = editor.page
    log_in(page, author.username, PASSWORD)
    editor.visit(reverse("admin:articles_article_add"))
    page.fill("#id_title", "Оренбуржье и Западный Казахстан утвердили дорожную карту")
    body = page.locator(".field-body .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.type("Документ подписали в Оренбурге.")
    # Tiptap's base stylesheet, allowed by its hash, is applied.
    assert body.evaluate("(el) => getComputedStyle(el).whiteSpace") in {"pre-wrap", "break-spaces"}
    page.locator(".field-agreements .select2-selection").click()
    page.keyboard.type("Дорожная")
    page.locator(".select2-results__option", has_text=agreement.title).click()
    page.set_input_files(
        "#id_photos-0-upload",
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()},
    )
    page.fill("#id_photos-0-alt", "Делегации за столом переговоров")
    page.locator("#photos-group .add-row a").click()
    page.wait_for_selector("#id_photos-1-upload")
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    article = Article.objects.get()
    assert "Документ подписали в Оренбурге." in article.body
    assert list(article.agreements.all()) == [agreement]
    assert editor.broken_images() == []
    assert page.locator("#photos-group .field-thumbnail img").count() == 1

    preview = page.locator(".field-preview_links a").first.get_attribute("href")
    editor.visit(preview)
    assert page.locator(".preview-banner").count() == 1
    assert editor.broken_images() == []

    editor.visit(reverse("admin:articles_article_share", args=[article.pk]))
    page.click("input[name=create]")
    link = page.locator(".messagelist code").inner_text()
    assert ShareLink.objects.filter(article=article).count() == 1
    for url in (
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_agreement_add"),
        reverse("accounts:enrol"),
    ):
        assert editor.visit(url).status == 200, url

    outsider = watched()
    assert outsider.visit(link).status == 200
    assert outsider.page.locator("h1").inner_text() == article.title
    assert outsider.broken_images() == []
    outsider.assert_clean()
    editor.assert_clean()
