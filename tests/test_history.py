"""History, comparison, revert and recovery of articles with django-reversion."""

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Photo
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory
from tests.test_admin_support import client_for, form_data, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def client(editor):
    return client_for(editor)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def edit(client, article, **values):
    data = form_data(client.get(change_url(article)))
    data.update(values)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return data


@pytest.fixture
def article(client):
    article = ArticleFactory(
        title="Форум межрегионального сотрудничества",
        status=Article.Status.DRAFT,
        published_at=None,
        tags=["Евгений Солнцев", "Казахстан"],
        rubrics=[RubricFactory(name="Экономика")],
    )
    PhotoFactory(article=article, position=1, caption="Подписание дорожной карты")
    edit(client, article)  # the first revision, as after creation in the admin
    return article


def test_every_admin_save_keeps_a_revision_with_author(client, article, editor):
    """Each save in the admin adds a version with its author and a comment."""
    edit(client, article, title="Форум в Оренбурге")
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 2
    assert versions.first().revision.user == editor
    assert versions.first().revision.get_comment()


def test_history_page_lists_versions_and_offers_comparison(client, article):
    """The history page shows the saves and links to the comparison."""
    edit(client, article, title="Форум в Оренбурге")
    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    page = lxml.html.fromstring(response.content.decode())
    assert len(page.xpath('//table[@id="change-history"]/tbody/tr')) == 2
    assert reverse("admin:articles_article_compare", args=[article.pk]) in response.content.decode()


def test_compare_shows_changed_fields_and_tags(client, article):
    """Comparing two versions lists the changed title and tags with both values."""
    edit(client, article, title="Форум в Оренбурге", tags="Евгений Солнцев, Уральск")
    response = client.get(reverse("admin:articles_article_compare", args=[article.pk]))
    page = lxml.html.fromstring(response.content.decode())
    rows = [
        [cell.text_content().strip() for cell in row.xpath("./th|./td")]
        for row in page.xpath('//table[@id="differences"]/tbody/tr')
    ]
    assert ["Заголовок", "Форум межрегионального сотрудничества", "Форум в Оренбурге"] in rows
    assert ["Теги", "Евгений Солнцев, Казахстан", "Евгений Солнцев, Уральск"] in rows


def test_compare_with_garbage_ids_falls_back_to_the_latest(client, article):
    """Hand-made version ids in the query are ignored, not a 500."""
    url = reverse("admin:articles_article_compare", args=[article.pk])
    assert client.get(url, {"a": "x' OR 1=1", "b": "99999999999999999999"}).status_code == 200


def test_revert_restores_an_earlier_title_and_tags(client, article):
    """Reverting to the first version brings its title and tags back."""
    edit(client, article, title="Форум в Оренбурге", tags="Уральск")
    first = Version.objects.get_for_object(article).last()
    url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Форум межрегионального сотрудничества"
    assert sorted(article.tags.names()) == ["Евгений Солнцев", "Казахстан"]


def test_deleted_article_is_recovered_with_tags_rubrics_and_photos(client, article):
    """A deleted article comes back from «recover deleted» with its tags, rubrics and photos."""
    photo = article.photos.get()
    files = [r["path"] for r in photo.renditions]
    pk = article.pk
    delete_url = reverse("admin:articles_article_delete", args=[pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    assert all(default_storage.exists(path) for path in files)  # files stay for recovery
    version = Version.objects.get_deleted(Article).get(object_id=str(pk))
    url = reverse("admin:articles_article_recover", args=[version.pk])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    recovered = Article.objects.get(pk=pk)
    assert sorted(recovered.tags.names()) == ["Евгений Солнцев", "Казахстан"]
    assert [r.name for r in recovered.rubrics.all()] == ["Экономика"]
    restored = Photo.objects.get(article=recovered)
    assert restored.caption == "Подписание дорожной карты"
    assert all(default_storage.exists(path) for path in (r["path"] for r in restored.renditions))


def test_recover_list_shows_deleted_articles(client, article):
    """The «recover deleted articles» page lists a deleted article by title."""
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    response = client.get(reverse("admin:articles_article_recoverlist"))
    assert "Форум межрегионального сотрудничества" in response.content.decode()


def test_agreement_organization_and_rubric_saves_keep_revisions(client):
    """Agreements, organisations and rubrics get a revision on every admin save too."""
    rubric = RubricFactory(name="Культура")
    url = reverse("admin:articles_rubric_change", args=[rubric.pk])
    assert (
        client.post(
            url, {"name": "Культура и спорт", "slug": rubric.slug, "position": 1}
        ).status_code
        == 302
    )
    assert Version.objects.get_for_object(rubric).count() == 1


@pytest.mark.postgres
def test_recovered_and_reverted_articles_are_found_by_search(client):
    """Recovery and revert rebuild the search document: search finds the restored text."""
    from articles.search import search_articles

    article = ArticleFactory(title="Дорожная карта подписана в Уральске", tags=["Казахстан"])
    edit(client, article)
    edit(client, article, title="Совещание по уборочной кампании")
    first = Version.objects.get_for_object(article).last()
    url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert list(search_articles(Article.objects.published(), "дорожную карту")) == [article]

    delete_url = reverse("admin:articles_article_delete", args=[article.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    version = Version.objects.get_deleted(Article).get(object_id=str(article.pk))
    url = reverse("admin:articles_article_recover", args=[version.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert list(search_articles(Article.objects.published(), "дорожную карту")) == [article]
    assert list(search_articles(Article.objects.published(), "Казахстан")) == [article]
