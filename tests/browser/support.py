"""Data for the browser tests: editorial roles, users and a published article with photos."""

import importlib

from django.apps import apps

from tests.factories import ArticleFactory, PhotoFactory, RubricFactory
from tests.otp_support import enrol_totp
from tests.workflow_support import APPROVER_ROLE, EDITOR_ROLE, make_user

_roles_migration = importlib.import_module("articles.migrations.0003_workflow")


def editorial_users():
    """Return an editor and a managing editor (with a TOTP device); flushes drop the roles."""
    _roles_migration.create_roles(apps, None)
    publisher = make_user("publisher", APPROVER_ROLE)
    enrol_totp(publisher)  # publishers must sign in with a code; log_in() types it
    return make_user("author", EDITOR_ROLE), publisher


def published_article(**kwargs):
    """Return a published article in a rubric, with a tag and a two-photo gallery."""
    rubric = RubricFactory(name="Международное сотрудничество")
    article = ArticleFactory(
        title="Губернатор встретился с делегацией Казахстана",
        rubrics=[rubric],
        tags=["Евгений Солнцев"],
        **kwargs,
    )
    for position in (1, 2):
        PhotoFactory(
            article=article,
            position=position,
            alt=f"Участники встречи, снимок {position}",
            caption="Рабочая встреча в Доме Советов",
            credit="Фото: telegram-канал губернатора Оренбургской области",
        )
    return article
