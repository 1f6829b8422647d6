"""The latest-news page at /: order, pagination, what each item shows, the page's markup."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from articles.models import Article, RubricLink
from articles.signals import content_changed
from articles.templatetags.pressroom import DATETIME_FORMAT, time_tag
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory

pytestmark = pytest.mark.django_db

HOME = "/"


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_home_lists_newest_first(client):
    """The newest article comes first."""
    old = ArticleFactory(title="Старая новость", published_at=ago(days=2))
    new = ArticleFactory(title="Свежая новость", published_at=ago(hours=1))
    content = client.get(HOME).content.decode()
    assert content.index(new.title) < content.index(old.title)


def test_home_shows_twenty_articles_a_page(client):
    """Page 1 holds 20 articles and page 2 the rest, with links between them."""
    for hours in range(25):
        ArticleFactory(title=f"Новость номер {hours:02d}", published_at=ago(hours=hours + 1))
    first = client.get(HOME)
    second = client.get(HOME, {"page": 2})
    assert len(first.context["articles"]) == 20
    assert len(second.context["articles"]) == 5
    assert 'href="/?page=2"' in first.content.decode()
    assert "Новость номер 24" in second.content.decode()


def test_home_item_shows_date_title_lead_kind_and_rubrics(client):
    """An item shows its Russian date and time, title link, lead, kind and rubric links."""
    rubric = RubricFactory(name="Экономика", slug="ekonomika")
    article = ArticleFactory(
        title="Аграрии завершили уборку",
        lead="Собрано больше зерна, чем год назад.",
        kind=Article.Kind.PRESS_RELEASE,
        published_at=timezone.make_aware(datetime.datetime(2025, 11, 13, 9, 10)),
        rubrics=[rubric],
    )
    content = client.get(HOME).content.decode()
    assert "13 ноября 2025, 09:10" in content
    assert f'<a href="{article.get_absolute_url()}">Аграрии завершили уборку</a>' in content
    assert "Собрано больше зерна, чем год назад." in content
    assert article.get_kind_display() in content
    assert f'<a href="{rubric.get_absolute_url()}">Экономика</a>' in content


def test_home_item_shows_a_responsive_thumbnail(client):
    """The lead photo is a <picture> with WebP and JPEG sources, size and alt text."""
    photo = PhotoFactory(alt="Комбайн в поле", width=800, height=500)
    content = client.get(HOME).content.decode()
    assert '<source type="image/webp" srcset="' in content
    assert photo.srcset("jpeg") in content
    thumbnail = photo.best_width(640)
    assert f'width="{thumbnail["width"]}" height="{thumbnail["height"]}"' in content
    assert 'alt="Комбайн в поле"' in content


def test_home_card_shows_the_photo_first_in_order(client):
    """Each card shows its article's lead photo (the smallest number), and only that one."""
    for number in range(2):
        article = ArticleFactory(published_at=ago(hours=number + 1))
        for position, alt in ((3, "третье"), (1, "главное"), (2, "второе")):
            PhotoFactory(article=article, position=position, alt=f"{alt} фото {number}")
    content = client.get(HOME).content.decode()
    for number in range(2):
        assert f'alt="главное фото {number}"' in content
        assert f'alt="второе фото {number}"' not in content
        assert f'alt="третье фото {number}"' not in content


def test_rubric_navigation_lists_rubrics_with_published_news(client):
    """The header links the rubrics that have published news, and not the empty ones."""
    politics = RubricFactory(name="Политика", slug="politika")
    RubricFactory(name="Пустая рубрика", slug="pustaia")
    hidden = RubricFactory(name="Только черновики", slug="chernoviki")
    ArticleFactory(rubrics=[politics])
    ArticleFactory(status=Article.Status.DRAFT, rubrics=[hidden])
    header = client.get(HOME).content.decode().split("<main", 1)[0]
    assert 'href="/rubrics/politika/"' in header
    assert "Пустая рубрика" not in header
    assert "Только черновики" not in header


@pytest.mark.parametrize(
    ("status", "published_at"),
    [
        (Article.Status.DRAFT, None),
        (Article.Status.SUBMITTED, None),
        (Article.Status.WITHDRAWN, datetime.timedelta(hours=-2)),
        (Article.Status.PUBLISHED, datetime.timedelta(hours=2)),
    ],
    ids=["draft", "submitted", "withdrawn", "scheduled"],
)
def test_home_hides_unpublished_articles(client, status, published_at):
    """Drafts, submitted, withdrawn and scheduled articles are not listed."""
    ArticleFactory(
        title="Скрытая новость",
        status=status,
        published_at=timezone.now() + published_at if published_at else None,
    )
    ArticleFactory(title="Видимая новость")
    content = client.get(HOME).content.decode()
    assert "Видимая новость" in content
    assert "Скрытая новость" not in content


def test_home_with_nothing_published_says_so(client):
    """An empty site answers 200 with a message rather than an error."""
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Материалов пока нет." in response.content.decode()


@pytest.mark.usefixtures("without_page_cache")  # counts the view, not the cache
def test_home_runs_the_same_queries_for_3_and_30_articles(client):
    """The number of queries does not grow with the articles, photos and rubrics listed."""
    rubrics = [RubricFactory(), RubricFactory()]

    def add(count):
        for _ in range(count):
            article = ArticleFactory(rubrics=rubrics)
            PhotoFactory(article=article, width=400, height=250)

    add(3)
    with_three = count_queries(client, HOME)
    add(27)
    assert count_queries(client, HOME) == with_three
    # The ids listed, the articles whose cards are made with their rubrics and lead
    # photos, and three site-wide memos made afresh after the writes (rubric navigation,
    # archive years, next publication)…
    assert with_three <= 7
    # …while the next visit, whose list of ids, cards and memos are kept, reads nothing.
    assert count_queries(client, HOME) == 0


def test_home_has_landmarks_one_h1_and_a_skip_link(client):
    """The page is in Russian, has one h1, the landmarks and a skip link to main."""
    ArticleFactory()
    content = client.get(HOME).content.decode()
    assert '<html lang="ru">' in content
    assert len(re.findall(r"<h1[\s>]", content)) == 1
    for landmark in ("<header", "<nav", '<main id="content"', "<article", "<footer"):
        assert landmark in content
    assert '<a class="skip-link" href="#content">' in content


def test_home_sets_title_and_description(client):
    """The page has a <title> and a meta description."""
    content = client.get(HOME).content.decode()
    assert re.search(r"<title>Новости — .+</title>", content)
    assert re.search(r'<meta name="description" content="[^"]+">', content)


def test_rubric_navigation_marks_the_current_section(client):
    """The header marks "Все новости" on the home page and the rubric on its own page."""
    rubric = RubricFactory(name="Политика", slug="politika")
    ArticleFactory(rubrics=[rubric])
    home = client.get(HOME).content.decode()
    assert '<a href="/" aria-current="page">Все новости</a>' in home
    assert '<a href="/rubrics/politika/">Политика</a>' in home
    rubric_page = client.get("/rubrics/politika/").content.decode()
    assert '<a href="/rubrics/politika/" aria-current="page">Политика</a>' in rubric_page


def test_home_links_year_archives_that_have_published_news(client):
    """The archive box links each year with published news, and no year of a scheduled one."""
    ArticleFactory(published_at=datetime.datetime(2024, 5, 1, 10, 0, tzinfo=datetime.UTC))
    ArticleFactory(published_at=datetime.datetime(2025, 3, 1, 10, 0, tzinfo=datetime.UTC))
    ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=400))
    content = client.get(HOME).content.decode()
    assert '<a href="/news/2025/">Новости за 2025 год</a>' in content
    assert '<a href="/news/2024/">Новости за 2024 год</a>' in content
    assert content.index('href="/news/2025/"') < content.index('href="/news/2024/"')
    future_year = (timezone.now() + datetime.timedelta(days=400)).year
    assert f'href="/news/{future_year}/"' not in content


def test_a_new_year_is_linked_when_its_first_article_comes_out(client):
    """The year links, made once per list of years, gain a year at its first publication."""
    ArticleFactory(published_at=datetime.datetime(2025, 12, 30, 10, 0, tzinfo=datetime.UTC))
    first = datetime.datetime(2026, 1, 9, 5, 0, tzinfo=datetime.UTC)
    ArticleFactory(published_at=first)  # scheduled: saved before its time
    with time_machine.travel(first - datetime.timedelta(minutes=1), tick=False):
        assert 'href="/news/2026/"' not in client.get(HOME).content.decode()
    with time_machine.travel(first, tick=False):
        content = client.get(HOME).content.decode()
    assert '<a href="/news/2026/">Новости за 2026 год</a>' in content


def test_year_links_skip_years_without_news_and_follow_the_local_calendar(client):
    """Years are those of the site's time zone, and a year with nothing published is left out."""
    # 23:30 on 31 December in UTC is already the next year in Orenburg (UTC+5).
    ArticleFactory(published_at=datetime.datetime(2023, 12, 31, 23, 30, tzinfo=datetime.UTC))
    ArticleFactory(published_at=datetime.datetime(2019, 6, 1, 10, 0, tzinfo=datetime.UTC))
    ArticleFactory(
        status=Article.Status.WITHDRAWN,
        published_at=datetime.datetime(2021, 6, 1, 10, 0, tzinfo=datetime.UTC),
    )
    content = client.get(HOME).content.decode()
    years = re.findall(r'<a href="/news/(\d{4})/">', content)
    assert years == ["2024", "2019"]


def test_rubric_navigation_follows_withdrawals_and_schedules(client):
    """A rubric is linked while one of its articles is public, whatever its newest one is."""
    kept = RubricFactory(name="Экономика", slug="ekonomika")
    emptied = RubricFactory(name="Культура", slug="kultura")
    coming = RubricFactory(name="Спорт", slug="sport")
    ArticleFactory(rubrics=[kept], published_at=timezone.now() - datetime.timedelta(days=2))
    newest = ArticleFactory(rubrics=[kept, emptied], published_at=timezone.now())
    ArticleFactory(rubrics=[coming], published_at=timezone.now() + datetime.timedelta(hours=1))
    header = client.get(HOME).content.decode().split("<main", 1)[0]
    assert all(f'href="/rubrics/{slug}/"' in header for slug in ("ekonomika", "kultura"))
    assert 'href="/rubrics/sport/"' not in header
    newest.status = Article.Status.WITHDRAWN
    newest.save()
    header = client.get(HOME).content.decode().split("<main", 1)[0]
    assert 'href="/rubrics/ekonomika/"' in header
    assert 'href="/rubrics/kultura/"' not in header
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        header = client.get(HOME).content.decode().split("<main", 1)[0]
    assert 'href="/rubrics/sport/"' in header


def test_rubric_navigation_checks_the_article_behind_a_stale_link(client):
    """A link still listed for an article no longer public (a stale copy) shows no rubric."""
    rubric = RubricFactory(name="Культура", slug="kultura")
    article = ArticleFactory(rubrics=[rubric], published_at=timezone.now())
    listed_at = RubricLink.objects.get(article=article).listed_at
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    RubricLink.objects.filter(article=article).update(listed_at=listed_at)  # left stale
    content_changed()
    header = client.get(HOME).content.decode().split("<main", 1)[0]
    assert 'href="/rubrics/kultura/"' not in header


@pytest.mark.parametrize("month", range(1, 13))
def test_cards_date_every_month_as_the_russian_date_format_does(month):
    """The card's quick date text is exactly what Django's "j E Y, H:i" format gives."""

    moment = datetime.datetime(2025, month, 3, 4, 5, tzinfo=datetime.UTC)
    local = timezone.localtime(moment)
    with translation.override("ru"):
        expected = (
            f'<time datetime="{date_filter(local, "c")}">{date_filter(local, DATETIME_FORMAT)}'
            "</time>"
        )
        assert time_tag(moment) == expected
