"""The article page: what it shows, who may see it, its address and its cost in queries."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import content_version
from articles.models import Article, ArticleUpdate
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    PhotoFactory,
    RubricFactory,
)

pytestmark = pytest.mark.django_db


def local(*args):
    """Return an aware date-time in the site's time zone."""
    return timezone.make_aware(datetime.datetime(*args))


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def warm_site_memos(client):
    """Make the site-wide memos (rubric navigation, next publication) as any visit would."""
    assert client.get("/").status_code == 200


def count_queries(client, url):
    warm_site_memos(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_article_shows_title_kind_lead_and_body(client):
    """The page shows the title as the one h1, the kind, the lead and the body."""
    article = ArticleFactory(
        title="Губернатор посетил Уральск",
        kind=Article.Kind.VISIT,
        lead="Делегация области работала на форуме.",
        body="<p>Подписан план на 2026–2028 годы.</p><blockquote><p>Цитата.</p></blockquote>",
    )
    content = page(client, article)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", content) == ["Губернатор посетил Уральск"]
    assert article.get_kind_display() in content
    assert "Делегация области работала на форуме." in content
    assert "<blockquote><p>Цитата.</p></blockquote>" in content


def test_article_date_is_russian_in_the_site_time_zone(client):
    """The publication time reads "13 ноября 2025, 09:10" in Asia/Yekaterinburg time."""
    article = ArticleFactory(
        published_at=datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC)
    )
    content = page(client, article)
    assert '<time datetime="2025-11-13T09:10:00+05:00">13 ноября 2025, 09:10</time>' in content


def test_article_date_links_to_its_month_in_the_site_time_zone(client):
    """Published at 20:30 UTC on 31 October, the article is in November's archive (UTC+5)."""
    article = ArticleFactory(
        published_at=datetime.datetime(2025, 10, 31, 20, 30, tzinfo=datetime.UTC)
    )
    assert '<a href="/news/2025/11/" class="article__date">' in page(client, article)


def test_article_shows_updated_time_of_its_latest_update_note(client):
    """A significant edit (a public note) shows "Обновлено" with the note's time."""
    article = ArticleFactory(published_at=local(2025, 11, 13, 9, 10))
    for day in (14, 15):
        ArticleUpdate.objects.create(
            article=article, at=local(2025, 11, day, 12, 30), note="уточнены сроки"
        )
    content = page(client, article)
    assert "Обновлено <time" in content
    assert '<time datetime="2025-11-15T12:30:00+05:00">15 ноября 2025, 12:30</time>' in content


def test_minor_edit_after_publication_shows_no_updated_time(client):
    """A later save without a public note (a typo fix, a re-import) stays silent."""
    article = ArticleFactory(published_at=local(2025, 11, 13, 9, 10))
    Article.objects.filter(pk=article.pk).update(updated_at=local(2025, 11, 14, 12, 30))
    assert "Обновлено" not in page(client, article)


def test_article_shows_public_update_notes(client):
    """Every public update note reads "Обновлено <date>: <note>"."""
    article = ArticleFactory(published_at=local(2025, 11, 13, 9, 10))
    ArticleUpdate.objects.create(
        article=article, at=local(2025, 11, 14, 11, 0), note="уточнены сроки"
    )
    assert "Обновлено 14 ноября 2025, 11:00: уточнены сроки" in page(client, article)


def test_article_gallery_shows_every_photo_with_caption_and_credit(client):
    """Each photo has its caption and "Фото:" with the credit linking to credit_url."""
    article = ArticleFactory()
    for number in range(3):
        PhotoFactory(
            article=article,
            position=number,
            caption=f"Кадр {number}",
            credit="telegram-канал губернатора Оренбургской области",
            credit_url=f"https://t.me/example{number}",
            width=400,
            height=250,
        )
    content = page(client, article)
    for number in range(3):
        assert f"Кадр {number}" in content
        assert (
            f'Фото: <a href="https://t.me/example{number}" rel="noopener">'
            "telegram-канал губернатора Оренбургской области</a>"
        ) in content
    assert "2 фотографии" in content


def test_article_photo_is_responsive_and_links_to_its_largest_rendition(client):
    """A photo is a <picture> with WebP and JPEG srcsets, sizes, dimensions and a link."""
    photo = PhotoFactory(alt="Подписание дорожной карты", width=1000, height=600)
    content = page(client, photo.article)
    largest = photo.best_width(1000)
    fallback = photo.best_width(640)
    assert f'<a class="picture-link" href="{photo.url_of(largest)}">' in content
    assert f'<source type="image/webp" srcset="{photo.srcset("webp")}" sizes="' in content
    assert f'srcset="{photo.srcset("jpeg")}"' in content
    assert f'width="{fallback["width"]}" height="{fallback["height"]}"' in content
    assert 'alt="Подписание дорожной карты"' in content


def test_article_tags_link_to_tag_pages(client):
    """Every tag is a link to its tag page."""
    article = ArticleFactory(tags=["Казахстан", "Евгений Солнцев"])
    content = page(client, article)
    for tag in article.tags.all():
        assert f'<a href="{tag.get_absolute_url()}">{tag.name}</a>' in content


def test_article_links_the_agreements_it_reports_on(client):
    """The agreements the article reports on link to their registry pages."""
    agreement = AgreementFactory(title="Дорожная карта на 2026–2028 годы")
    article = ArticleFactory()
    article.agreements.add(agreement)
    content = page(client, article)
    assert f'<a href="{agreement.get_absolute_url()}">Дорожная карта на 2026–2028 годы</a>' in (
        content
    )


def test_related_news_prefer_most_shared_tags(client):
    """Related news are the articles sharing most tags, best first, at most five."""
    article = ArticleFactory(tags=["Казахстан", "форум", "губернатор"])
    best = ArticleFactory(title="Три общих тега", tags=["Казахстан", "форум", "губернатор"])
    second = ArticleFactory(title="Два общих тега", tags=["Казахстан", "форум"])
    for number in range(5):
        ArticleFactory(title=f"Один общий тег {number}", tags=["губернатор"])
    ArticleFactory(title="Без общих тегов", tags=["спорт"])
    related = client.get(article.get_absolute_url()).context["related"]
    assert related[:2] == [best, second]
    assert len(related) == 5
    assert article not in related


def test_related_news_leave_out_unpublished_articles(client):
    """A draft or scheduled article sharing tags never appears among related news."""
    article = ArticleFactory(tags=["Казахстан"])
    ArticleFactory(title="Черновик о Казахстане", status=Article.Status.DRAFT, tags=["Казахстан"])
    ArticleFactory(
        title="Будущая новость",
        published_at=timezone.now() + datetime.timedelta(days=1),
        tags=["Казахстан"],
    )
    content = page(client, article)
    assert "Черновик о Казахстане" not in content
    assert "Будущая новость" not in content


def test_related_news_fall_back_to_the_same_rubric(client):
    """With fewer than three tag matches, the newest articles of the same rubric fill in."""
    rubric = RubricFactory()
    article = ArticleFactory(rubrics=[rubric], tags=["редкий тег"])
    neighbours = [ArticleFactory(rubrics=[rubric]) for _ in range(3)]
    related = client.get(article.get_absolute_url()).context["related"]
    assert set(related) == set(neighbours)


def test_latest_news_block_lists_the_five_newest(client):
    """The "Последние новости" block lists the five newest published articles."""
    newest = [
        ArticleFactory(title=f"Свежая {n}", published_at=ago(minutes=n + 1)) for n in range(5)
    ]
    older = ArticleFactory(title="Вчерашняя", published_at=ago(days=1))
    ArticleFactory(title="Черновик", status=Article.Status.DRAFT)
    content = page(client, older)
    block = content.split('id="latest-news-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r">(Свежая \d)</a>", block) == [a.title for a in newest]
    assert "Черновик" not in block


def test_latest_news_block_follows_new_titles_and_articles(client):
    """The block, made once per process for what it shows, shows a new title and article."""
    fresh = ArticleFactory(title="Свежая", published_at=ago(minutes=5))
    older = ArticleFactory(title="Вчерашняя", published_at=ago(days=1))
    assert ">Свежая</a>" in page(client, older)
    fresh.title, fresh.slug = "Свежая, уточнённая", "svezhaia-utochnionnaia"
    fresh.save()
    ArticleFactory(title="Самая свежая", published_at=ago(minutes=1))
    content = page(client, older)
    block = content.split('id="latest-news-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', block)[:2] == [
        (Article.objects.get(title="Самая свежая").get_absolute_url(), "Самая свежая"),
        (f"/news/{fresh.pk}-svezhaia-utochnionnaia/", "Свежая, уточнённая"),
    ]


def test_article_has_breadcrumbs_through_its_rubric(client):
    """Breadcrumbs lead from the home page through the first rubric to the article."""
    rubric = RubricFactory(name="Политика", slug="politika")
    article = ArticleFactory(title="Заседание правительства", rubrics=[rubric])
    crumbs = page(client, article).split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r"<li>(.*?)</li>", crumbs) == [
        '<a href="/">Главная</a>',
        '<a href="/rubrics/politika/">Политика</a>',
        '<span aria-current="page">Заседание правительства</span>',
    ]


def test_article_links_previous_and_next_published_articles(client):
    """Previous and next link the neighbouring published articles, skipping drafts."""
    older = ArticleFactory(title="Старая", published_at=ago(days=3))
    ArticleFactory(title="Черновик", status=Article.Status.DRAFT, published_at=ago(days=2))
    article = ArticleFactory(title="Средняя", published_at=ago(days=2))
    newer = ArticleFactory(title="Новая", published_at=ago(days=1))
    response = client.get(article.get_absolute_url())
    assert response.context["previous_article"] == older
    assert response.context["next_article"] == newer


def test_wrong_slug_redirects_permanently_to_the_canonical_address(client):
    """An outdated or wrong slug answers 301 to /news/<id>-<slug>/."""
    article = ArticleFactory(slug="novyi-slug")
    response = client.get(f"/news/{article.pk}-staryi-slug/")
    assert response.status_code == 301
    assert response["Location"] == f"/news/{article.pk}-novyi-slug/"


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, None),
        (Article.Status.SUBMITTED, None),
        (Article.Status.WITHDRAWN, datetime.timedelta(hours=-1)),
        (Article.Status.PUBLISHED, datetime.timedelta(hours=1)),
    ],
    ids=["draft", "submitted", "withdrawn", "scheduled"],
)
def test_unpublished_article_is_not_found(client, status, offset):
    """Drafts, submitted, withdrawn and scheduled articles answer 404, even with a wrong slug."""
    article = ArticleFactory(
        status=status, published_at=timezone.now() + offset if offset else None
    )
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/news/{article.pk}-x/").status_code == 404


def test_scheduled_article_appears_at_its_time(client):
    """A scheduled article is a 404 until its publication time, then a normal page."""
    when = timezone.now() + datetime.timedelta(hours=1)
    article = ArticleFactory(published_at=when)
    assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(when + datetime.timedelta(seconds=1)):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_title_and_lead_are_escaped(client):
    """Markup typed into the title or lead is shown as text, in the page and its <title>."""
    article = ArticleFactory(
        title="<script>alert(1)</script>", lead='"><img src=x onerror=alert(1)>'
    )
    content = page(client, article)
    assert "<script>alert(1)</script>" not in content
    assert "<img src=x" not in content
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; — " in content


def test_article_sets_title_description_and_canonical(client):
    """The page has its title in <title>, the lead as description and a canonical link."""
    article = ArticleFactory(title="Форум в Уральске", lead="Итоги XXI форума.")
    content = page(client, article)
    assert "<title>Форум в Уральске — " in content
    assert '<meta name="description" content="Итоги XXI форума.">' in content
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in content


def test_article_page_runs_the_same_queries_for_3_and_30_items(client, settings):
    """Photos, tags, rubrics, agreements, notes and related news do not add queries."""
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()

    def add(count, start):
        for number in range(start, start + count):
            PhotoFactory(article=article, position=number, width=400, height=250)
            rubric = RubricFactory()
            article.rubrics.add(rubric)
            article.tags.add(f"тег {number}")
            article.agreements.add(AgreementFactory())
            ArticleUpdate.objects.create(
                article=article, at=timezone.now(), note=f"правка {number}"
            )
            ArticleFactory(tags=[f"тег {number}"], rubrics=[rubric])

    add(3, 0)
    with_three = count_queries(client, article.get_absolute_url())
    add(27, 3)
    assert count_queries(client, article.get_absolute_url()) == with_three
    assert with_three <= 5


def full_article():
    """An article with rubrics, tags, five photos, two agreements and two update notes."""
    rubrics = [RubricFactory(name="Политика"), RubricFactory(name="Экономика")]
    article = ArticleFactory(
        title="Полная новость", rubrics=rubrics, tags=["Казахстан", "форум", "губернатор"]
    )
    for number in range(5):
        PhotoFactory(article=article, position=number, width=400, height=250)
    article.agreements.add(AgreementFactory(), AgreementFactory())
    for day in (1, 2):
        ArticleUpdate.objects.create(article=article, at=ago(hours=day), note=f"правка {day}")
    return article


def test_full_article_page_costs_five_queries(client, settings, django_assert_num_queries):
    """Uncached, a page with everything costs five queries: the validators' row of the
    article and the latest news, the article with its small relations, its photos,
    related and neighbouring news. The site-wide memos (rubric navigation, next
    publication) add two when cold; a repeated request reads no table."""
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    article = full_article()
    ArticleFactory(title="Старая о форуме", tags=["форум"], published_at=ago(days=3))
    for hours in range(6):
        ArticleFactory(title=f"Свежая {hours}", tags=["Казахстан"], published_at=ago(minutes=hours))
    warm_site_memos(client)
    with django_assert_num_queries(5):
        response = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url()).content == response.content
    content = response.content.decode()
    assert content.count('class="gallery') >= 1
    assert "правка 1" in content and "правка 2" in content
    assert len(response.context["related"]) == 5
    assert response.context["previous_article"].title == "Старая о форуме"
    assert response.context["next_article"].title == "Свежая 5"
    block = content.split('id="latest-news-title"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r">(Свежая \d)</a>", block) == [f"Свежая {n}" for n in range(5)]


def test_page_relations_keep_their_order(client):
    """Rubrics by menu position, tags by name, notes by time, agreements newest first."""
    article = ArticleFactory(tags=["форум", "Астана", "бюджет"])
    article.rubrics.set([RubricFactory(name="Б", position=2), RubricFactory(name="А", position=1)])
    for day in (3, 1, 2):
        ArticleUpdate.objects.create(
            article=article, at=local(2025, 11, day, 12, 0), note=f"правка {day}"
        )
    older = AgreementFactory(signed_on=datetime.date(2024, 5, 1))
    newer = AgreementFactory(signed_on=datetime.date(2025, 5, 1))
    article.agreements.add(older, newer)
    shown = client.get(article.get_absolute_url()).context["article"]
    assert [rubric.name for rubric in shown.rubrics.all()] == ["А", "Б"]
    assert [tag.name for tag in shown.tags.all()] == sorted(["форум", "Астана", "бюджет"])
    assert [note.note for note in shown.updates.all()] == ["правка 1", "правка 2", "правка 3"]
    assert list(shown.agreements.all()) == [newer, older]
    assert shown.updates.all()[0].at == local(2025, 11, 1, 12, 0)


def test_related_news_count_tags_among_the_newest_of_each_tag(client, monkeypatch, settings):
    """Related news look only at the newest articles of each tag, so their cost is bounded.

    On data smaller than the cap the result is exactly "most shared tags first"; with
    the cap at two, an older article sharing every tag but outside each tag's two newest
    other articles is left out, while the newest ones are still ranked by shared tags.
    """
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    tags = ["Казахстан", "форум", "губернатор"]
    old_best = ArticleFactory(title="Старая, все теги", tags=tags, published_at=ago(days=30))
    article = ArticleFactory(tags=tags, published_at=ago(days=20))
    two = ArticleFactory(title="Два тега", tags=tags[:2], published_at=ago(days=2))
    two_older = ArticleFactory(title="Два тега, раньше", tags=tags[:2], published_at=ago(days=3))
    one = [
        ArticleFactory(title=f"Один тег {n}", tags=[tags[2]], published_at=ago(days=1, hours=n))
        for n in range(2)
    ]
    related = client.get(article.get_absolute_url()).context["related"]
    assert related[:3] == [old_best, two, two_older]

    monkeypatch.setattr("articles.views.around.RELATED_CANDIDATES_PER_TAG", 2)
    # New code takes effect with a new content version (a deploy's migrate starts one):
    # until then the page's parts of the article are kept as they were made.
    content_version.bump()
    related = client.get(article.get_absolute_url()).context["related"]
    assert old_best not in related
    assert related == [two, two_older, *one]
