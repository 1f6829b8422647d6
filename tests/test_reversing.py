"""Memoized URLs: always what reverse() gives, under any script prefix and slug."""

import pytest
from django.urls import reverse, set_script_prefix

from tests.factories import ArticleFactory, RubricFactory

pytestmark = pytest.mark.django_db


def test_article_and_rubric_urls_follow_the_script_prefix_and_the_slug():
    article, rubric = ArticleFactory(), RubricFactory()
    plain = article.get_absolute_url()
    assert plain == reverse("articles:article", kwargs={"pk": article.pk, "slug": article.slug})
    try:
        # A site served under /press/ (SCRIPT_NAME) gets its links under /press/.
        set_script_prefix("/press/")
        assert article.get_absolute_url() == "/press" + plain
        assert rubric.get_absolute_url() == f"/press/rubrics/{rubric.slug}/"
    finally:
        set_script_prefix("/")
    assert article.get_absolute_url() == plain
    article.slug = "novyi-zagolovok"
    assert article.get_absolute_url() == f"/news/{article.pk}-novyi-zagolovok/"
