"""manage.py generate_content: deterministic benchmark data that import_content accepts."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article


def _generate(folder, **options):
    call_command("generate_content", output=str(folder), stdout=io.StringIO(), **options)
    return (folder / "content.jsonl").read_bytes()


def test_same_arguments_give_the_same_file(tmp_path):
    """Two runs with the same size and seed write identical content and photos."""
    first = _generate(tmp_path / "a", articles=20, photo_articles=3)
    second = _generate(tmp_path / "b", articles=20, photo_articles=3)
    assert first == second
    assert (tmp_path / "a/photos/pool-1.jpg").read_bytes() == (
        tmp_path / "b/photos/pool-1.jpg"
    ).read_bytes()
    assert _generate(tmp_path / "c", articles=20, photo_articles=3, seed=2) != first


def test_articles_have_realistic_content(tmp_path):
    """Articles carry Russian text of page size, rubrics, three kinds of tags and photos."""
    lines = [json.loads(line) for line in _generate(tmp_path, articles=10).splitlines()]
    assert lines[0] == {"format": "pressroom", "version": 1}
    articles = [line for line in lines[1:] if line["type"] == "article"]
    assert len(articles) == 10
    assert {line["type"] for line in lines[1:]} >= {"rubric", "organization", "agreement"}
    for article in articles:
        assert len(article["body"]) > 3000
        assert any("а" <= letter <= "я" for letter in article["title"].lower())
        assert article["rubrics"] and len(article["tags"]) == 3
        assert article["photos"][0]["file"].startswith("photos/pool-")


@pytest.mark.django_db
def test_generated_content_imports(tmp_path):
    """import_content takes the generated folder whole: every article published."""
    _generate(tmp_path, articles=12, photo_articles=2)
    call_command("import_content", str(tmp_path), stdout=io.StringIO())
    assert Article.objects.published().count() == 12
    newest = Article.objects.published().order_by("-published_at").first()
    assert newest.photos.count() == 1
    assert newest.tags.count() == 3


def test_refuses_an_empty_data_set(tmp_path):
    """--articles 0 is refused with a clear message."""
    with pytest.raises(CommandError, match="at least 1"):
        _generate(tmp_path, articles=0)
