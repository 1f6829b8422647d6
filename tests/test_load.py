"""The load scenario of bench/load, in short: about 10 s of the real mix (articles, lists,
search, conditional feeds) by wrk against gunicorn with the deployment's configuration,
PostgreSQL and Redis. Any socket error or any answer other than 2xx/304 fails it; the
rate is measured by the full run (README "Production"), never asserted here.
"""

import pytest

from bench.load import run as load
from tests import deploy_support
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory
from tests.programs import program_or_skip

# django_db makes pytest-django create the test database; gunicorn reads the rows the
# module fixture committed.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module")
def content(django_db_setup, django_db_blocker):
    """Sixty published articles in three rubrics with tags, some with photos, committed."""
    with django_db_blocker.unblock(), deploy_support.restored_database():
        rubrics = [RubricFactory() for _ in range(3)]
        tags = ["форум", "экономика", "здравоохранение", "образование"]
        articles = [
            ArticleFactory(
                title=f"Губернатор обсудил развитие региона, встреча {n}",
                rubrics=[rubrics[n % 3]],
                tags=[tags[n % 4], tags[(n + 1) % 4]],
            )
            for n in range(60)
        ]
        for article in articles[:3]:
            PhotoFactory(article=article, width=800, height=500)
        ArticleFactory(title="Черновик", status="draft")
        yield articles


def test_paths_cover_every_kind_and_only_public_pages(content):
    paths = load.collect_paths()
    assert len(paths["article"]) == len(content)
    assert {article.get_absolute_url() for article in content} == set(paths["article"])
    assert paths["list"][0] == "/"
    assert any(path.startswith("/search/?q=") for path in paths["search"])
    assert "/feeds/news.rss" in paths["feed"]


def test_short_load_run_has_no_errors(content, tmp_path):
    for program in ("wrk", "redis-server"):
        program_or_skip(program)
    result = load.run(duration=10, connections=4, workers=2, warmup=2, workdir=tmp_path)
    assert not load.failures(result), load.report(result)
    assert all(result["sent"][kind] > 0 for kind in load.KINDS), result["sent"]
    assert result["statuses"].get("200", 0) > 0
    # Feed readers ask again with the ETag they got: those answers are 304, without body.
    assert result["conditional"] > 0
    assert result["statuses"].get("304", 0) > 0
