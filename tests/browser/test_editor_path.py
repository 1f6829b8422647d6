"""The whole editorial path in a real browser: write, submit, approve, schedule, publish, share."""

import datetime
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from tests.browser.conftest import log_in
from tests.browser.support import editorial_users
from tests.factories import AgreementFactory, RubricFactory, image_bytes
from tests.test_admin_support import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD_PASTE = (Path(__file__).parent / "fixtures" / "word_paste.html").read_text(encoding="utf-8")
TITLE = "Оренбуржье и Западный Казахстан утвердили дорожную карту"
PASTE_JS = """(html) => {
  const editor = document.querySelector('.field-body .ProseMirror[contenteditable=true]');
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', 'Word');
  const event = {clipboardData: data, bubbles: true, cancelable: true};
  editor.dispatchEvent(new ClipboardEvent('paste', event));
}"""
# Seconds between the approval and the scheduled publication time.
EMBARGO = 12


def write_article(page, agreement_title):
    """Fill the add form as an editor does: text, Word paste, photos, tags, agreement."""
    page.goto(reverse("admin:articles_article_add"))
    page.fill("#id_title", TITLE)
    page.fill("#id_lead", "Стороны согласовали совместные проекты на 2026–2028 годы.")
    editor = page.locator(".field-body .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Документ подписали в Оренбурге.")
    page.keyboard.press("Enter")
    page.evaluate(PASTE_JS, WORD_PASTE)
    page.get_by_label("Международное сотрудничество").check()
    page.fill("#id_tags", "Евгений Солнцев, Казахстан")
    page.locator(".field-agreements .select2-selection").click()
    page.keyboard.type("Дорожная")
    page.locator(".select2-results__option", has_text=agreement_title).click()
    page.select_option("#id_status", "submitted")
    for number in range(2):
        if number:
            page.locator("#photos-group .add-row a").click()
        prefix = f"#id_photos-{number}"
        page.set_input_files(
            f"{prefix}-upload",
            {"name": f"photo{number}.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()},
        )
        page.fill(f"{prefix}-alt", f"Делегации за столом переговоров, снимок {number + 1}")
        page.fill(f"{prefix}-caption", "Подписание дорожной карты")
        page.fill(f"{prefix}-credit", "Фото: telegram-канал губернатора Оренбургской области")
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    return Article.objects.get(title=TITLE)


def schedule(page, article, at):
    """Approve article for publication at the local time `at`, as the managing editor."""
    page.goto(reverse("admin:articles_article_change", args=[article.pk]))
    page.select_option("#id_status", "published")
    page.fill("#id_published_at_0", at.strftime("%d.%m.%Y"))
    page.fill("#id_published_at_1", at.strftime("%H:%M:%S"))
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")


def feed_titles(page):
    response = page.request.get("/feeds/news.rss")
    return [item.findtext("title") for item in ElementTree.fromstring(response.body()).iter("item")]


def test_article_goes_from_editor_to_public_site(new_page):
    """An editor's article, approved and scheduled, appears everywhere only at its time."""
    author, publisher = editorial_users()
    RubricFactory(name="Международное сотрудничество")
    agreement = AgreementFactory(title="Дорожная карта сотрудничества на 2026–2028 годы")
    editor_page = new_page()
    log_in(editor_page, author.username, PASSWORD)
    article = write_article(editor_page, agreement.title)

    assert article.status == Article.Status.SUBMITTED
    body = article.body
    assert "<strong>Дорожная карта на 2026–2028 годы</strong>" in body
    assert "<li>" in body and "Совместные образовательные программы" in body
    assert "Документ подписали в Оренбурге." in body
    for junk in ("mso", "o:p", "style=", "class=", "<font", "<span"):
        assert junk not in body
    assert [p.credit for p in article.photos.order_by("position")] == [
        "Фото: telegram-канал губернатора Оренбургской области"
    ] * 2
    assert set(article.tags.values_list("name", flat=True)) == {"Евгений Солнцев", "Казахстан"}
    assert list(article.agreements.all()) == [agreement]

    publisher_page = new_page()
    log_in(publisher_page, publisher.username, PASSWORD)
    go_live = timezone.localtime() + datetime.timedelta(seconds=EMBARGO)
    schedule(publisher_page, article, go_live)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.is_scheduled()

    visitor = new_page()
    article_url = reverse("articles:article", args=[article.pk, article.slug])
    tag_url = reverse("articles:tag", args=[Tag.objects.get(name="Казахстан").slug])
    search_url = reverse("articles:search") + "?q=Оренбуржье"
    visitor.goto("/")
    assert TITLE not in visitor.content()
    assert visitor.goto(article_url).status == 404
    assert TITLE not in feed_titles(visitor)

    time.sleep(max(0, (article.published_at - timezone.now()).total_seconds()) + 1)
    visitor.goto("/")
    visitor.get_by_role("link", name=TITLE).first.click()
    visitor.wait_for_url(f"**{article_url}")
    assert visitor.locator("h1").inner_text() == TITLE
    assert visitor.locator("article img").count() >= 2
    visitor.goto(tag_url)
    assert visitor.get_by_role("link", name=TITLE).count() >= 1
    visitor.goto(search_url)
    assert visitor.get_by_role("link", name=TITLE).count() >= 1
    assert TITLE in feed_titles(visitor)


def test_share_link_opens_until_revoked(new_page):
    """A share link shows an unpublished article to anyone until the editor revokes it."""
    author, _publisher = editorial_users()
    editor_page = new_page()
    log_in(editor_page, author.username, PASSWORD)
    editor_page.goto(reverse("admin:articles_article_add"))
    editor_page.fill("#id_title", TITLE)
    editor_page.locator(".field-body .ProseMirror[contenteditable=true]").click()
    editor_page.keyboard.type("Черновик для согласования с аппаратом губернатора.")
    editor_page.click("input[name=_continue]")
    editor_page.wait_for_url("**/change/")
    article = Article.objects.get(title=TITLE)
    editor_page.goto(reverse("admin:articles_article_share", args=[article.pk]))
    editor_page.click("input[name=create]")
    link = editor_page.locator(".messagelist code").inner_text()

    visitor = new_page()
    assert visitor.goto(link).status == 200
    assert visitor.locator("h1").inner_text() == TITLE
    assert "Черновик для согласования" in visitor.content()

    editor_page.click("button[name=revoke]")
    editor_page.wait_for_selector(".messagelist li")
    assert visitor.goto(link).status == 404
    assert TITLE not in visitor.content()
