"""Previews for editors and share links for people without an account."""

import datetime

import lxml.html
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from articles.models import Article, ShareLink
from tests.factories import ArticleFactory
from tests.test_admin_support import client_for, form_data, make_editor

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC)


@pytest.fixture
def draft():
    return ArticleFactory(
        title="Проект дорожной карты на 2026–2028 годы",
        status=Article.Status.DRAFT,
        published_at=None,
    )


@pytest.fixture
def editor_client():
    return client_for(make_editor())


def preview_url(article):
    return reverse("articles:preview", args=[article.pk])


def share_page(article):
    return reverse("admin:articles_article_share", args=[article.pk])


def create_link(client, article, **values):
    """Create a share link through the admin page and return its public URL."""
    response = client.post(share_page(article), {"create": "1", "hours": 48, **values}, follow=True)
    page = lxml.html.fromstring(response.content.decode())
    (code,) = page.xpath('//tr[contains(@class, "share-active")]//code')
    return code.text_content().replace("http://testserver", "")


def assert_private(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    page = lxml.html.fromstring(response.content.decode())
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex, nofollow, noarchive"]
    assert not page.xpath('//link[@rel="canonical"]')


def test_editor_sees_a_draft_with_banner_in_the_public_template(draft, editor_client):
    """An editor's preview of a draft uses the article template and carries a banner."""
    response = editor_client.get(preview_url(draft))
    assert response.status_code == 200
    assert "articles/article.html" in [t.name for t in response.templates]
    page = lxml.html.fromstring(response.content.decode())
    assert page.xpath("//h1")[0].text_content().strip() == draft.title
    banner = page.xpath('//div[@class="preview-banner"]')[0].text_content()
    assert "Статья не опубликована" in banner


def test_preview_is_never_indexed_or_cached(draft, editor_client):
    """The preview sends noindex (header and meta) and never-cache headers."""
    assert_private(editor_client.get(preview_url(draft)))


@time_machine.travel(FROZEN, tick=False)
def test_scheduled_article_preview_says_when_it_appears(editor_client):
    """A scheduled article's preview tells the editor its publication time."""
    article = ArticleFactory(published_at=FROZEN + datetime.timedelta(days=1))
    response = editor_client.get(preview_url(article))
    assert "Публикация запланирована" in response.content.decode()


def test_anonymous_visitor_gets_404(draft):
    """Someone not logged in cannot preview."""
    assert Client().get(preview_url(draft)).status_code == 404


def test_logged_in_non_staff_user_gets_404(draft):
    """A site user who is not an editor cannot preview."""
    user = get_user_model().objects.create_user("reader", password="x" * 16)
    assert client_for(user).get(preview_url(draft)).status_code == 404


def test_share_link_opens_only_its_article_for_anyone(draft, editor_client):
    """A share link made in the admin shows the draft to a visitor without an account."""
    url = create_link(editor_client, draft, note="Аппарат губернатора")
    response = Client().get(url)
    assert response.status_code == 200
    assert draft.title in response.content.decode()
    assert_private(response)
    link = ShareLink.objects.get()
    assert (link.note, link.created_by.username) == ("Аппарат губернатора", "editor")


def test_share_link_expires_after_48_hours_by_default(draft, editor_client):
    """The link works until 48 hours after creation and not a second longer."""
    with time_machine.travel(FROZEN, tick=False):
        url = create_link(editor_client, draft)
    with time_machine.travel(FROZEN + datetime.timedelta(hours=48, seconds=-1), tick=False):
        assert Client().get(url).status_code == 200
    with time_machine.travel(FROZEN + datetime.timedelta(hours=48), tick=False):
        assert Client().get(url).status_code == 404


def test_revoked_share_link_stops_working(draft, editor_client):
    """Revoking the link on the admin page makes it a 404 at once."""
    url = create_link(editor_client, draft)
    link = ShareLink.objects.get()
    editor_client.post(share_page(draft), {"revoke": str(link.pk)})
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert Client().get(url).status_code == 404


def test_tampered_share_link_is_404(draft, editor_client):
    """A token with a wrong signature, or an unknown token, is a 404."""
    url = create_link(editor_client, draft)
    assert Client().get(url[:-3] + "xyz/").status_code == 404
    assert Client().get(reverse("articles:share", args=["abc:def"])).status_code == 404


def test_revoke_with_garbage_value_is_not_an_error(draft, editor_client):
    """A hand-made revoke value is ignored, not a 500."""
    response = editor_client.post(share_page(draft), {"revoke": "1; DROP TABLE"})
    assert response.status_code == 302


def test_share_page_needs_change_permission(draft):
    """A staff user without the right to change articles cannot create share links."""
    user = get_user_model().objects.create_user("guest", password="x" * 16, is_staff=True)
    assert client_for(user).get(share_page(draft)).status_code == 403


def test_change_form_links_to_preview_and_share_page(draft, editor_client):
    """The article's admin page offers the preview and the share links page."""
    url = reverse("admin:articles_article_change", args=[draft.pk])
    page = editor_client.get(url).content.decode()
    assert preview_url(draft) in page
    assert share_page(draft) in page
    assert form_data(editor_client.get(url))["loaded_version"] == str(draft.version)
