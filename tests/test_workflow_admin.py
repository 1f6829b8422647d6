"""Roles, approval and the four-eyes rule, through the editors' admin."""

import pytest
from django.urls import reverse

from articles import workflow
from articles.models import Article, WorkflowEvent
from tests.factories import ArticleFactory
from tests.test_admin_support import client_for, form_data
from tests.workflow_support import APPROVER_ROLE, EDITOR_ROLE, make_user

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def writer():
    return make_user("writer", EDITOR_ROLE)


@pytest.fixture
def approver():
    return make_user("approver", APPROVER_ROLE)


def draft_by(user, **values):
    return ArticleFactory(status=Article.Status.DRAFT, published_at=None, author=user, **values)


def post_status(client, article, status, **extra):
    data = form_data(client.get(change_url(article)))
    data["status"] = status
    data.update(extra)
    return client.post(change_url(article), data)


def test_roles_exist_with_the_publish_permission_only_for_approvers():
    """The data migration creates both roles; only «Выпускающий редактор» may publish."""
    writer = make_user("w", EDITOR_ROLE)
    approver = make_user("a", APPROVER_ROLE)
    assert not writer.has_perm("articles.publish_article")
    assert approver.has_perm("articles.publish_article")
    assert not approver.has_perm("articles.override_four_eyes")


def test_editor_sees_only_draft_and_submitted_in_the_status_list(writer):
    """An editor's status list offers «draft» and «awaiting approval», never «published»."""
    response = client_for(writer).get(ADD_URL)
    choices = [
        value for value, _label in response.context["adminform"].form.fields["status"].choices
    ]
    assert choices == [Article.Status.DRAFT, Article.Status.SUBMITTED]


def test_editor_submits_for_approval_and_it_is_logged(writer):
    """An editor's status change to «awaiting approval» is saved and recorded with their name."""
    article = draft_by(writer)
    assert post_status(client_for(writer), article, Article.Status.SUBMITTED).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    event = article.workflow_events.get()
    assert (event.action, event.by) == (WorkflowEvent.Action.SUBMITTED, writer)


def test_crafted_post_by_editor_cannot_publish(writer):
    """A hand-made POST with status «published» from an editor is refused; nothing goes public."""
    article = draft_by(writer)
    client = client_for(writer)
    data = form_data(client.get(change_url(article)))
    data.update(
        status=Article.Status.PUBLISHED, published_at_0="01.01.2025", published_at_1="10:00"
    )
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Article.objects.published().exists()


def test_editor_cannot_move_the_time_of_a_scheduled_article(writer, approver):
    """On an approved article the editor's status and time fields are read-only."""
    article = draft_by(writer)
    workflow.submit(article, by=writer)
    scheduled = workflow.publish(article, by=approver, at=_future())
    assert scheduled.action == WorkflowEvent.Action.SCHEDULED
    client = client_for(writer)
    data = form_data(client.get(change_url(article)))
    data.update(published_at_0="01.01.2024", published_at_1="10:00", status="draft")
    data["lead"] = "Уточнённый вводный абзац."
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.lead == "Уточнённый вводный абзац."
    assert article.is_scheduled()


def test_editor_has_no_publish_bulk_action(writer):
    """The «approve and publish» bulk action is not offered to an editor."""
    draft_by(writer)
    response = client_for(writer).get(LIST_URL)
    actions = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "submit_selected" in actions
    assert "publish_selected" not in actions


def test_editor_cannot_run_publish_action_by_crafted_post(writer):
    """Posting the publish action by hand as an editor publishes nothing."""
    article = draft_by(writer)
    client = client_for(writer)
    client.post(
        LIST_URL, {"action": "publish_selected", "_selected_action": [article.pk], "index": 0}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_approver_publishes_a_colleagues_submission(writer, approver):
    """A managing editor approves an article submitted by someone else; it is public and logged."""
    article = draft_by(writer)
    workflow.submit(article, by=writer)
    data = {"published_at_0": "01.11.2025", "published_at_1": "10:00"}
    response = post_status(client_for(approver), article, Article.Status.PUBLISHED, **data)
    assert response.status_code == 302
    assert Article.objects.published().get() == article
    event = article.workflow_events.last()
    assert (event.action, event.by, event.four_eyes_override) == (
        WorkflowEvent.Action.PUBLISHED,
        approver,
        False,
    )


def test_four_eyes_rule_refuses_approving_own_submission(approver):
    """A managing editor cannot approve an article they submitted themselves."""
    article = draft_by(approver)
    workflow.submit(article, by=approver)
    data = {"published_at_0": "01.11.2025", "published_at_1": "10:00"}
    response = post_status(client_for(approver), article, Article.Status.PUBLISHED, **data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "Вы сами отправили эту статью на согласование: утвердить её должен другой "
        "выпускающий редактор (правило четырёх глаз)."
    ]
    assert not Article.objects.published().exists()


def test_four_eyes_override_is_allowed_and_recorded():
    """With the override permission an approver may approve their own article; the log says so."""
    chief = make_user("chief", APPROVER_ROLE, "articles.override_four_eyes")
    article = draft_by(chief)
    workflow.submit(article, by=chief)
    data = {"published_at_0": "01.11.2025", "published_at_1": "10:00"}
    assert (
        post_status(client_for(chief), article, Article.Status.PUBLISHED, **data).status_code == 302
    )
    assert article.workflow_events.last().four_eyes_override is True


def test_bulk_publish_skips_own_submissions(writer, approver):
    """The bulk action publishes colleagues' articles and refuses the approver's own."""
    theirs = draft_by(writer)
    workflow.submit(theirs, by=writer)
    mine = draft_by(approver)
    workflow.submit(mine, by=approver)
    response = client_for(approver).post(
        LIST_URL,
        {"action": "publish_selected", "_selected_action": [theirs.pk, mine.pk], "index": 0},
        follow=True,
    )
    assert list(Article.objects.published()) == [theirs]
    assert any("правило четырёх глаз" in str(m) for m in response.context["messages"])


def test_unpublish_needs_a_reason_and_keeps_the_article(writer, approver):
    """Unpublishing without a reason is refused; with one, the article stays, hidden, logged."""
    article = draft_by(writer)
    workflow.submit(article, by=writer)
    workflow.publish(article, by=approver)
    client = client_for(approver)
    response = post_status(client, article, Article.Status.WITHDRAWN)
    assert response.status_code == 200
    assert "workflow_note" in response.context["adminform"].form.errors
    response = post_status(
        client, article, Article.Status.WITHDRAWN, workflow_note="Ошибка в сроках"
    )
    assert response.status_code == 302
    assert Article.objects.filter(pk=article.pk).exists()
    assert not Article.objects.published().exists()
    event = article.workflow_events.last()
    assert (event.action, event.note) == (WorkflowEvent.Action.UNPUBLISHED, "Ошибка в сроках")


def test_change_form_shows_the_approval_log(writer, approver):
    """The article page lists who submitted and who published it."""
    article = draft_by(writer)
    workflow.submit(article, by=writer)
    workflow.publish(article, by=approver)
    page = client_for(approver).get(change_url(article)).content.decode()
    assert "Журнал согласования" in page
    assert "approver" in page and "writer" in page


def test_setup_demo_superuser_can_still_publish_directly(admin_user):
    """A superuser (setup_demo's «editor») publishes from the add form, recorded as an override."""
    client = client_for(admin_user)
    data = form_data(client.get(ADD_URL))
    data.update(
        title="Губернатор провёл совещание",
        body="<p>Текст.</p>",
        status=Article.Status.PUBLISHED,
        published_at_0="01.11.2025",
        published_at_1="10:00",
    )
    assert client.post(ADD_URL, data).status_code == 302
    event = Article.objects.get().workflow_events.get()
    assert event.four_eyes_override is True


def _future():
    import datetime

    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=2)
