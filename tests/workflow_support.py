"""Users in the editorial roles, for the workflow tests."""

import datetime

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_admin_support import PASSWORD

EDITOR_ROLE = "Редактор"
APPROVER_ROLE = "Выпускающий редактор"


def make_user(username, role, *extra_permissions):
    """Return a staff user in role, with extra permissions given as "app.codename"."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    for name in extra_permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def schedule_through_workflow(title, *, rubrics, at):
    """Return an article written a day before `at`, approved by the chief to go live at `at`."""
    writer, chief = make_user("writer", EDITOR_ROLE), make_user("chief", APPROVER_ROLE)
    with time_machine.travel(at - datetime.timedelta(days=1), tick=False):
        article = ArticleFactory(
            title=title, status=Article.Status.DRAFT, published_at=None, rubrics=rubrics
        )
        workflow.submit(article, by=writer)
        workflow.publish(article, by=chief, at=at)
    return article
