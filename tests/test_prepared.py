"""Prepared queries: compiled once per shape, then run with new values, same results."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article
from articles.prepared import PlaceholderMissing, PreparedQuery
from articles.views.around import around_query
from tests.factories import ArticleFactory, RubricFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 13, 6, 0, tzinfo=datetime.UTC)


def published_before(moment, *, now):
    return Article.objects.published(now).filter(published_at__lt=moment).order_by("pk")


def test_later_runs_put_each_new_value_in_its_place():
    """The SQL is compiled once; each run answers for its own moments, not the first ones."""
    articles = [
        ArticleFactory(published_at=NOW - datetime.timedelta(days=days)) for days in (1, 2, 3)
    ]
    query = PreparedQuery(published_before)
    for days, expected in ((0, articles), (2, articles[1:]), (3, articles[2:]), (5, [])):
        moment = NOW - datetime.timedelta(days=days, hours=-1)
        found = list(query.run(moment=moment, now=NOW))
        assert [a.pk for a in found] == [a.pk for a in expected], days
    assert len(query._compiled) == 1


def test_rows_are_the_orms_values_converted_as_it_converts_them(django_assert_num_queries):
    """rows() of a values_list(): the ORM's tuples (aware times on SQLite too), in one query."""
    articles = [
        ArticleFactory(published_at=NOW - datetime.timedelta(days=days)) for days in (1, 2, 3)
    ]

    def newest(now, limit):
        fields = ("pk", "published_at", "updated_at")
        return Article.objects.published(now).order_by("-published_at")[:limit].values_list(*fields)

    query = PreparedQuery(newest)
    for limit in (1, 3):
        with django_assert_num_queries(1):
            rows = query.rows(now=NOW, constants={"limit": limit})
        assert rows == list(newest(NOW, limit))
        assert [row[0] for row in rows] == [a.pk for a in articles][:limit]
        assert all(timezone.is_aware(row[1]) for row in rows)
    assert query.rows(now=NOW - datetime.timedelta(days=5), constants={"limit": 3}) == []


def test_a_value_written_into_the_sql_text_is_refused():
    """A value the ORM does not pass as a parameter would be frozen into the SQL: refused."""
    query = PreparedQuery(lambda pk: Article.objects.extra(where=[f"id = {int(pk)}"]))
    with pytest.raises(PlaceholderMissing):
        query.run(pk=1)


def test_lists_of_other_lengths_and_other_constants_are_shapes_of_their_own():
    """Two tags or three, a limit of 1 or 2: each compiles once and answers right."""
    rubrics = [RubricFactory() for _ in range(3)]
    first = ArticleFactory(published_at=NOW - datetime.timedelta(hours=3), rubrics=rubrics[:1])
    second = ArticleFactory(published_at=NOW - datetime.timedelta(hours=2), rubrics=rubrics[1:2])
    third = ArticleFactory(published_at=NOW - datetime.timedelta(hours=1), rubrics=rubrics[2:])

    def in_rubrics(rubric_ids, limit):
        return (
            Article.objects.filter(rubrics__in=rubric_ids)
            .order_by("-published_at")
            .distinct()[:limit]
        )

    query = PreparedQuery(in_rubrics)
    ids = [rubric.pk for rubric in rubrics]

    def run(rubric_ids, limit):
        return [a.pk for a in query.run(rubric_ids=rubric_ids, constants={"limit": limit})]

    assert run(ids[:2], 5) == [second.pk, first.pk]
    assert run(ids, 5) == [third.pk, second.pk, first.pk]
    assert run(ids[1:], 5) == [third.pk, second.pk]
    assert run(ids, 1) == [third.pk]
    assert len(query._compiled) == 3


def test_the_article_pages_union_gives_what_the_orm_gives(django_assert_num_queries):
    """The prepared neighbours-and-related UNION returns the ORM's rows, run after run."""
    rubric = RubricFactory()
    articles = [
        ArticleFactory(
            published_at=NOW - datetime.timedelta(hours=hours),
            rubrics=[rubric],
            tags=["Казахстан", "губернатор"][: hours % 3],
        )
        for hours in range(1, 8)
    ]
    query = PreparedQuery(around_query)
    for article in articles:
        values = {
            "now": timezone.now(),
            "pk": article.pk,
            "published_at": article.published_at,
            "tag_ids": [tag.pk for tag in article.tags.all()],
            "rubric_ids": [rubric.pk],
        }
        expected = {(row.pk, row.part, row.shared) for row in around_query(**values, per_tag=50)}
        with django_assert_num_queries(1):
            found = list(query.run(constants={"per_tag": 50}, **values))
        assert {(row.pk, row.part, row.shared) for row in found} == expected
        assert all(isinstance(row.published_at, datetime.datetime) for row in found)


def test_cards_get_their_rubrics_in_order_and_the_first_photo_by_position():
    """attach_listing(): two queries for any number of cards, the same as the relations."""
    from articles.models.article import attach_listing
    from tests.factories import PhotoFactory

    rubrics = [RubricFactory(name=name) for name in ("Экономика", "Политика")]
    with_photos = ArticleFactory(rubrics=rubrics)
    second = PhotoFactory(article=with_photos, position=2)
    first = PhotoFactory(article=with_photos, position=1)
    plain = ArticleFactory()
    listed = attach_listing(list(Article.objects.filter(pk__in=[with_photos.pk, plain.pk])))
    by_pk = {article.pk: article for article in listed}
    assert by_pk[with_photos.pk].lead_photo == first != second
    assert list(by_pk[with_photos.pk].rubrics.all()) == list(with_photos.rubrics.all())
    assert by_pk[plain.pk].lead_photo is None
    assert list(by_pk[plain.pk].rubrics.all()) == []


def test_an_id_beyond_any_integer_matches_nothing_as_in_the_orm():
    """A 30-digit id from a URL is no row, not a database error."""
    query = PreparedQuery(lambda pk: Article.objects.filter(pk=pk))
    ArticleFactory()
    assert list(query.run(pk=10**30)) == []
    assert list(query.run(pk=-(10**30))) == []


def test_relations_read_from_the_page_query_never_reach_other_articles_rows(
    django_assert_num_queries,
):
    """The attached relations answer without a query; derived queries match nothing.

    Deleting through `article.rubrics.all()` of a page-loaded article must not touch
    the rubrics of every article, as an unfiltered queryset would.
    """
    economy, politics = RubricFactory(name="Экономика"), RubricFactory(name="Политика")
    shown = ArticleFactory(rubrics=[economy], tags=["Оренбургская область"])
    ArticleFactory(rubrics=[politics], tags=["Казахстан"])
    article = Article.objects.get_for_page(pk=shown.pk)
    with django_assert_num_queries(0):
        assert [rubric.name for rubric in article.rubrics.all()] == ["Экономика"]
        assert [tag.name for tag in article.tags.all()] == ["Оренбургская область"]
    assert list(article.rubrics.all().filter(name="Политика")) == []
    article.tags.all().delete()
    assert sorted(Article.objects.values_list("tags__name", flat=True)) == [
        "Казахстан",
        "Оренбургская область",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # it closes the connection
def test_on_postgresql_the_query_is_prepared_once_per_session_and_run_by_name(
    django_assert_num_queries,
):
    from django.db import connection

    articles = [
        ArticleFactory(published_at=NOW - datetime.timedelta(days=days)) for days in (1, 2, 3)
    ]
    query = PreparedQuery(published_before)
    for days, expected in ((0, articles), (2, articles[1:])):
        moment = NOW - datetime.timedelta(days=days, hours=-1)
        with django_assert_num_queries(1) as captured:
            found = [a.pk for a in query.run(moment=moment, now=NOW)]
        assert found == [a.pk for a in expected]
        assert captured.captured_queries[0]["sql"].startswith("EXECUTE pressroom_")
    # A new session knows none of the statements: they are prepared there again.
    connection.close()
    moment = NOW - datetime.timedelta(days=3, hours=-1)
    assert [a.pk for a in query.run(moment=moment, now=NOW)] == [articles[2].pk]


@pytest.mark.postgres
def test_sql_the_server_refuses_to_prepare_leaves_the_transaction_usable():
    from django.db import connection

    from articles.prepared import _prepare

    connection.ensure_connection()
    assert connection.in_atomic_block  # the test's transaction
    assert not _prepare(connection.connection, "pressroom_refused", "SELECT * FROM nowhere", [])
    assert Article.objects.count() == 0
