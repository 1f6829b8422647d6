"""No lost updates: a save based on an outdated version is refused with the difference."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_admin_support import client_for, form_data, make_editor

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def article():
    return ArticleFactory(
        title="Губернатор встретился с акимом",
        status=Article.Status.DRAFT,
        published_at=None,
    )


@pytest.fixture
def first():
    return client_for(make_editor("anna"))


@pytest.fixture
def second():
    return client_for(make_editor("boris"))


def test_second_save_of_the_same_version_is_refused(article, first, second):
    """Two editors open the article; the second to save gets an error, not an overwrite."""
    anna = form_data(first.get(change_url(article)))
    boris = form_data(second.get(change_url(article)))
    anna["title"] = "Губернатор встретился с акимом Западно-Казахстанской области"
    boris["lead"] = "Обсудили дорожную карту на 2026–2028 годы."
    assert first.post(change_url(article), anna).status_code == 302
    response = second.post(change_url(article), boris)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "Губернатор встретился с акимом Западно-Казахстанской области"
    assert article.lead != "Обсудили дорожную карту на 2026–2028 годы."


def test_conflict_message_names_the_other_editor_and_the_changed_fields(article, first, second):
    """The refused editor sees who saved, and the saved and own value of each differing field."""
    anna = form_data(first.get(change_url(article)))
    boris = form_data(second.get(change_url(article)))
    anna["title"] = "Новый заголовок Анны"
    first.post(change_url(article), anna)
    response = second.post(change_url(article), boris)
    (error,) = response.context["adminform"].form.non_field_errors()
    assert "anna" in error
    assert "Ваши изменения не сохранены" in error
    assert "Новый заголовок Анны" in error
    assert "Губернатор встретился с акимом" in error


def test_refused_save_stays_refused_until_the_editor_reloads(article, first, second):
    """Resubmitting the same stale form is refused again; a reloaded form saves."""
    anna = form_data(first.get(change_url(article)))
    boris = form_data(second.get(change_url(article)))
    anna["title"] = "Заголовок Анны"
    first.post(change_url(article), anna)
    boris["lead"] = "Вводный абзац Бориса."
    assert second.post(change_url(article), boris).status_code == 200
    assert second.post(change_url(article), boris).status_code == 200
    fresh = form_data(second.get(change_url(article)))
    fresh["lead"] = "Вводный абзац Бориса."
    assert second.post(change_url(article), fresh).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.lead) == ("Заголовок Анны", "Вводный абзац Бориса.")


def test_each_save_raises_the_version(article, first):
    """Every saved edit gives the article a new version number."""
    before = article.version
    data = form_data(first.get(change_url(article)))
    data["lead"] = "Правка."
    first.post(change_url(article), data)
    article.refresh_from_db()
    assert article.version == before + 1


def test_script_save_between_form_load_and_save_is_caught(article, first):
    """A change made by a script (e.g. the importer) while an editor edits also blocks the save."""
    data = form_data(first.get(change_url(article)))
    stored = Article.objects.get(pk=article.pk)
    stored.lead = "Изменено импортом."
    stored.save()
    data["title"] = "Правка редактора"
    assert first.post(change_url(article), data).status_code == 200
    article.refresh_from_db()
    assert article.lead == "Изменено импортом."
