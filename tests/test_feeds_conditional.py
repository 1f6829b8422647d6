"""Conditional GET: ETag and Last-Modified on feeds and article pages, and 304 answers."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from articles import content_version
from articles.conditional import conditional_article
from articles.models import Article
from articles.views.news import ArticleView
from tests.factories import ArticleFactory, RubricFactory
from tests.test_feeds import NOW, read_feed

pytestmark = pytest.mark.django_db

FEEDS = [
    ("feeds:news-rss", []),
    ("feeds:news-atom", []),
    ("feeds:rubric-rss", ["politika"]),
    ("feeds:tag-atom", ["kazakhstan"]),
    ("feeds:yandex", []),
    ("feeds:dzen", []),
]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Stop the clock on the day the roadmap news came out."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def article():
    """A published article in the rubric "politika" with the tag "Казахстан"."""
    rubric = RubricFactory(name="Политика", slug="politika")
    return ArticleFactory(
        rubrics=[rubric], tags=["Казахстан"], published_at=NOW - datetime.timedelta(hours=1)
    )


def later(frozen, minutes=5):
    """Move the clock on, so that a save gets a new updated_at."""
    frozen.shift(datetime.timedelta(minutes=minutes))


# Feeds


@pytest.mark.parametrize(("name", "args"), FEEDS)
def test_feed_sends_etag_and_last_modified_of_the_newest_change(client, article, name, args):
    """A feed names its version (ETag) and the time of its newest change."""
    response = client.get(reverse(name, args=args))
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"] == http_date(NOW.timestamp())


@pytest.mark.parametrize(("name", "args"), FEEDS)
def test_repeated_request_with_the_etag_is_answered_304(client, article, name, args):
    """A client that sends back the ETag gets 304 Not Modified and no body."""
    url = reverse(name, args=args)
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag


def test_repeated_request_with_if_modified_since_is_answered_304(client, article):
    """A client that sends back Last-Modified gets 304 Not Modified."""
    url = reverse("feeds:news-rss")
    last_modified = client.get(url).headers["Last-Modified"]
    response = client.get(url, headers={"if-modified-since": last_modified})
    assert response.status_code == 304


@pytest.mark.parametrize(("name", "args"), FEEDS)
def test_editing_an_article_changes_etag_and_last_modified(client, article, frozen, name, args):
    """After an edit, the old ETag and date no longer match and the feed is sent again."""
    url = reverse(name, args=args)
    first = client.get(url)
    later(frozen)
    article.title = "Уточнены сроки дорожной карты"
    article.save()
    response = client.get(
        url,
        headers={
            "if-none-match": first.headers["ETag"],
            "if-modified-since": first.headers["Last-Modified"],
        },
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != first.headers["ETag"]
    edited_at = NOW + datetime.timedelta(minutes=5)
    assert response.headers["Last-Modified"] == http_date(edited_at.timestamp())
    assert read_feed(response).entries[0].title == "Уточнены сроки дорожной карты"


@pytest.mark.parametrize(("name", "args"), FEEDS)
def test_publishing_a_scheduled_article_at_its_time_changes_the_etag(
    client, article, frozen, name, args
):
    """A scheduled article going public changes the ETag though no row was written."""
    url = reverse(name, args=args)
    ArticleFactory(
        rubrics=list(article.rubrics.all()),
        tags=["Казахстан"],
        title="Запланированная новость",
        published_at=NOW + datetime.timedelta(minutes=30),
    )
    first = client.get(url)
    frozen.move_to(NOW + datetime.timedelta(minutes=30))
    response = client.get(url, headers={"if-none-match": first.headers["ETag"]})
    assert response.status_code == 200
    assert read_feed(response).entries[0].title == "Запланированная новость"


def test_withdrawing_an_article_changes_the_etag(client, article, frozen):
    """An article taken down disappears for clients that hold the old ETag."""
    ArticleFactory(published_at=NOW - datetime.timedelta(hours=3))
    url = reverse("feeds:news-rss")
    first = client.get(url)
    later(frozen)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    response = client.get(url, headers={"if-none-match": first.headers["ETag"]})
    assert response.status_code == 200
    assert len(read_feed(response).entries) == 1


def test_empty_feed_is_answered_304_on_repeat(client):
    """A feed with no articles still has an ETag and answers 304 to it."""
    url = reverse("feeds:news-atom")
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "Thu, 99 Nov 2025 99:99:99 GMT",
        "Mon, 01 Jan 99999 00:00:00 GMT",
        "9" * 5000,
        "\x00",
        "Ñ\u202e",
    ],
)
def test_garbage_if_modified_since_is_ignored(client, article, value):
    """An unreadable If-Modified-Since gets the full feed, never an error."""
    response = client.get(reverse("feeds:news-rss"), headers={"if-modified-since": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["*", 'W/"x", "y"', '"unterminated', "\x00", ","])
def test_odd_if_none_match_never_fails(client, article, value):
    """If-None-Match: * means "any version": 304; junk gets the feed; never a 500."""
    response = client.get(reverse("feeds:news-rss"), headers={"if-none-match": value})
    assert response.status_code == (304 if value == "*" else 200)


@pytest.mark.parametrize(("name", "args"), FEEDS)
def test_head_request_gets_the_headers_without_a_body(client, article, name, args):
    """HEAD answers 200 with the validators and no body."""
    response = client.head(reverse(name, args=args))
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["ETag"]


@pytest.mark.usefixtures("without_page_cache")  # counts the view, not the cache
def test_304_to_a_repeated_request_reads_no_table(client, article, django_assert_num_queries):
    """Answering 304 takes the validators' window alone, kept since the first request."""
    url = reverse("feeds:news-rss")
    etag = client.get(url).headers["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304


# Article pages


def stub_view(request, pk, slug):
    """Stand in for the article view: 404 for what the public cannot see."""
    if not Article.objects.published().filter(pk=pk).exists():
        raise Http404
    return HttpResponse(f"article {pk}")


def page(view, article, headers=None, user=None):
    """Request an article page through a decorated view."""
    request = RequestFactory().get(article.get_absolute_url(), headers=headers or {})
    request.user = user or AnonymousUser()
    return view(request, pk=article.pk, slug=article.slug)


@pytest.fixture
def view():
    return conditional_article(stub_view)


def test_article_page_sends_validators_and_answers_304(view, article):
    """An article page names its version and answers 304 to a repeated request."""
    response = page(view, article)
    assert response.headers["Last-Modified"] == http_date(NOW.timestamp())
    again = page(view, article, {"if-none-match": response.headers["ETag"]})
    assert again.status_code == 304


def test_article_page_changes_when_the_article_is_edited(view, article, frozen):
    """Saving the article gives its page a new ETag and Last-Modified."""
    first = page(view, article)
    later(frozen)
    article.save()
    response = page(view, article, {"if-none-match": first.headers["ETag"]})
    assert response.status_code == 200
    assert response.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_article_page_changes_when_the_latest_news_block_changes(view, article, frozen):
    """A newer article going public (the latest-news block) changes the page's ETag."""
    ArticleFactory(published_at=NOW + datetime.timedelta(minutes=10))
    first = page(view, article)
    frozen.move_to(NOW + datetime.timedelta(minutes=10))
    response = page(view, article, {"if-none-match": first.headers["ETag"]})
    assert response.status_code == 200


def test_article_page_ignores_old_articles_outside_the_block(view, article, frozen):
    """Editing an old article that the block does not show keeps the page's ETag."""
    for hours in range(1, 6):
        ArticleFactory(published_at=NOW - datetime.timedelta(minutes=hours))
    old = ArticleFactory(published_at=NOW - datetime.timedelta(days=30))
    first = page(view, article)
    later(frozen)
    old.save()
    assert page(view, article, {"if-none-match": first.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    "status", [Article.Status.DRAFT, Article.Status.SUBMITTED, Article.Status.WITHDRAWN]
)
def test_hidden_article_gets_no_validators(view, status):
    """For an article the public cannot see, the view answers alone (404), without ETag."""
    hidden = ArticleFactory(status=status)
    with pytest.raises(Http404):
        page(view, hidden, {"if-none-match": "*"})


def test_scheduled_article_gets_no_validators_before_its_time(view):
    """A scheduled article's page is a 404 and carries no ETag until its time."""
    scheduled = ArticleFactory(published_at=NOW + datetime.timedelta(seconds=1))
    with pytest.raises(Http404):
        page(view, scheduled, {"if-none-match": "*"})


def test_signed_in_editor_does_not_share_the_public_copy(view, article):
    """A signed-in editor's page has its own ETag (it may show edit links)."""
    editor = get_user_model().objects.create_user("editor", password="x" * 16)
    public = page(view, article).headers["ETag"]
    assert page(view, article, user=editor).headers["ETag"] != public


@pytest.mark.parametrize("pk", [10**20, -1, 0, "x"])
def test_article_helper_copes_with_impossible_ids(pk):
    """Ids beyond any integer column or not numbers at all reach the view, never a 500."""
    request = RequestFactory().get("/news/x/")
    request.user = AnonymousUser()
    response = conditional_article(lambda request, pk, slug: HttpResponse(status=404))(
        request, pk=pk, slug="x"
    )
    assert response.status_code == 404


def test_article_helper_reads_the_window_once_per_content_version(view, article):
    """The validators' window is read once, then kept until the next write."""

    def etag():
        request = RequestFactory().get(article.get_absolute_url())
        request.user = AnonymousUser()
        with content_version.pinned():
            response = conditional_article(lambda request, pk, slug: HttpResponse())(
                request, pk=article.pk, slug=article.slug
            )
        return response["ETag"]

    with CaptureQueriesContext(connection) as first:
        made = etag()
    assert any("UNION" in query["sql"] for query in first)
    with CaptureQueriesContext(connection) as repeated:
        assert etag() == made
    assert len(repeated) == 0
    article.title = "Новый заголовок"
    article.save()  # a new content version: the window is read again
    with CaptureQueriesContext(connection) as after_edit:
        etag()
    assert any("UNION" in query["sql"] for query in after_edit)


def test_article_helper_works_on_the_real_article_view(client, article):
    """Applied to the site's ArticleView, the helper answers 304 to a repeat request."""
    real = conditional_article(ArticleView.as_view())
    request = RequestFactory().get(article.get_absolute_url())
    request.user = AnonymousUser()
    first = real(request, pk=article.pk, slug=article.slug)
    first.render()
    assert first.status_code == 200
    again = RequestFactory().get(
        article.get_absolute_url(), headers={"if-none-match": first.headers["ETag"]}
    )
    again.user = AnonymousUser()
    assert real(again, pk=article.pk, slug=article.slug).status_code == 304
