"""The page cache: anonymous public pages from the shared cache, and nothing else, ever."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import resolve, reverse

from articles import content_version, signals, workflow
from articles.admin.taxonomy import merge_tags
from articles.local_copies import local_pages
from articles.models import Article, Tag
from articles.pagecache import PageCacheMiddleware
from articles.views.preview import share_url
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    OrganizationFactory,
    PhotoFactory,
    RubricFactory,
    SignatoryFactory,
)
from tests.programs import program_or_skip
from tests.test_admin_support import client_for, form_data, make_editor
from tests.test_exchange_support import article as article_line
from tests.test_exchange_support import run_import, write_folder
from tests.workflow_support import (
    APPROVER_ROLE,
    EDITOR_ROLE,
    make_user,
    schedule_through_workflow,
)

pytestmark = pytest.mark.django_db

TITLE = "Губернатор встретился с делегацией Западно-Казахстанской области"
# 10:00 in Orenburg (UTC+5): the scheduled article's time.
GOES_LIVE = datetime.datetime(2025, 11, 14, 5, 0, tzinfo=datetime.UTC)
SCHEDULED_TITLE = "Форум межрегионального сотрудничества открылся в Оренбурге"


@pytest.fixture
def rubric():
    return RubricFactory(name="Экономика", slug="ekonomika")


@pytest.fixture
def story(rubric):
    return ArticleFactory(
        title=TITLE,
        slug="gubernator-vstretilsia",
        rubrics=[rubric],
        tags=["Казахстан"],
        published_at=GOES_LIVE - datetime.timedelta(days=1),
    )


def text(response):
    return response.content.decode()


def fetch(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response


PUBLIC_PAGES = [
    reverse("articles:home"),
    "/news/{pk}-gubernator-vstretilsia/",
    reverse("articles:rubric", kwargs={"slug": "ekonomika"}),
    "/tags/{tag}/",
    reverse("articles:archive_year", kwargs={"year": 2025}),
    reverse("articles:archive_month", kwargs={"year": 2025, "month": 11}),
    reverse("articles:agreements"),
    reverse("articles:agreements_csv"),
    "/agreements/{agreement}-soglashenie/",
    reverse("articles:search") + "?q=делегацией",
    reverse("feeds:news-rss"),
    reverse("feeds:news-atom"),
    reverse("feeds:rubric-rss", kwargs={"slug": "ekonomika"}),
    reverse("feeds:sitemap"),
    reverse("feeds:sitemap-news"),
    reverse("feeds:robots"),
]


@pytest.mark.parametrize("template", PUBLIC_PAGES)
def test_second_anonymous_request_runs_no_query_and_gives_the_same_bytes(
    client, story, template, django_assert_num_queries
):
    """Every public page and feed is served from the cache the second time, byte for byte."""
    agreement = AgreementFactory(slug="soglashenie")
    url = template.format(pk=story.pk, tag=story.tags.get().slug, agreement=agreement.pk)
    first = fetch(client, url)
    assert first["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        second = fetch(Client(), url)
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]


def test_a_hit_reads_the_version_and_the_page_and_keeps_every_header_of_the_miss(
    client, story, monkeypatch
):
    """The hit path reads the version and the page (the version alone when the process
    keeps a copy of the page; with Redis, the version itself comes from the process's
    watched copy, tests/test_key_watch.py) and runs no other middleware, yet it answers
    with the security and CSP headers the middleware below added."""
    first = fetch(client, "/")
    local_pages.clear()  # as in another worker process
    calls, depth = [], []

    def counted(name, original):
        def call(*args, **kwargs):
            if not depth:  # the local-memory backend's get_many() calls get() itself
                calls.append(name)
            depth.append(name)
            try:
                return original(*args, **kwargs)
            finally:
                depth.pop()

        return call

    for name in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    second = fetch(Client(), "/")
    assert second["X-Cache"] == "HIT"
    assert calls == ["get", "get"]
    calls.clear()
    assert fetch(Client(), "/").content == second.content
    assert calls == ["get"]
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Vary",
        "Content-Language",
    ):
        assert second.get(header) == first.get(header), header
    assert "nonce" not in second["Content-Security-Policy"]


def test_a_page_stored_under_an_older_content_version_is_not_served(client, story):
    """The entry keeps the version it was made under; a bump makes it a miss at once."""
    assert fetch(client, "/")["X-Cache"] == "MISS"
    assert fetch(Client(), "/")["X-Cache"] == "HIT"
    content_version.bump()
    assert fetch(Client(), "/")["X-Cache"] == "MISS"
    assert fetch(Client(), "/")["X-Cache"] == "HIT"


def test_static_files_keep_their_own_headers_for_signed_in_editors(client, settings):
    """Static files never pass through the page cache: no private, no-store for editors."""
    settings.STATIC_URL = "/static/"
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
    response = client.get("/static/css/site.css")
    assert "no-store" not in response.get("Cache-Control", "")
    assert "X-Cache" not in response


def test_public_responses_may_be_kept_briefly_by_nginx_and_browsers(client, story):
    """A cacheable page says public, max-age=PRESSROOM_HTTP_MAX_AGE and Vary: Cookie."""
    for response in (fetch(client, "/"), fetch(client, "/")):
        assert response["Cache-Control"] == "public, max-age=10"
        assert "Cookie" in response["Vary"]


# Invalidation: a write shows at once.


def test_editing_an_article_shows_at_once(client, story):
    """A new title replaces the old one on the cached home and article pages."""
    url = story.get_absolute_url()
    assert TITLE in text(fetch(client, "/")) and TITLE in text(fetch(client, url))
    story.title = "Губернатор провёл переговоры с делегацией"
    story.save()
    for page in (fetch(client, "/"), fetch(client, url)):
        assert "Губернатор провёл переговоры с делегацией" in text(page)
        assert page["X-Cache"] == "MISS"


def test_editing_in_the_admin_shows_at_once(client, story):
    """A lead changed through the editors' form replaces the cached one."""
    url = story.get_absolute_url()
    assert "Обсудили подготовку к форуму." in text(fetch(client, url))
    editor = client_for(make_user("chief", APPROVER_ROLE))
    change = reverse("admin:articles_article_change", args=[story.pk])
    data = form_data(editor.get(change))
    data["lead"] = "Стороны подписали дорожную карту."
    assert editor.post(change, data).status_code == 302
    assert "Стороны подписали дорожную карту." in text(fetch(client, url))


def test_publishing_unpublishing_and_deleting_show_at_once(client, story, rubric):
    """A published draft appears, an unpublished or deleted article goes, at once."""
    writer, chief = make_user("writer", EDITOR_ROLE), make_user("chief", APPROVER_ROLE)
    draft = ArticleFactory(
        title=SCHEDULED_TITLE, status=Article.Status.DRAFT, published_at=None, rubrics=[rubric]
    )
    rubric_url = rubric.get_absolute_url()
    assert SCHEDULED_TITLE not in text(fetch(client, "/"))
    assert SCHEDULED_TITLE not in text(fetch(client, rubric_url))
    workflow.submit(draft, by=writer)
    workflow.publish(draft, by=chief)
    feed = reverse("feeds:news-rss")
    for url in ("/", rubric_url, feed):
        assert SCHEDULED_TITLE in text(fetch(client, url))
    workflow.unpublish(draft, by=chief, reason="ошибка в тексте")
    for url in ("/", rubric_url, feed):
        assert SCHEDULED_TITLE not in text(fetch(client, url))
    url = story.get_absolute_url()
    fetch(client, url)
    story.delete()
    assert client.get(url).status_code == 404
    assert TITLE not in text(fetch(client, "/"))


def test_photo_caption_shows_at_once(client, story):
    """A new caption of a gallery photo replaces the cached one on the article page."""
    PhotoFactory(article=story, position=1, caption="Лидирующее фото")
    photo = PhotoFactory(article=story, position=2, caption="Участники встречи")
    url = story.get_absolute_url()
    assert "Участники встречи" in text(fetch(client, url))
    photo.caption = "Делегации в зале заседаний"
    photo.save()
    page = text(fetch(client, url))
    assert "Делегации в зале заседаний" in page and "Участники встречи" not in page


def test_tag_rename_and_merge_show_at_once(client, story):
    """A renamed tag shows its new name; merged tags lead to the kept one."""
    tag = story.tags.get()
    url = story.get_absolute_url()
    assert "Казахстан" in text(fetch(client, url))
    tag.name = "Республика Казахстан"
    tag.save()
    assert "Республика Казахстан" in text(fetch(client, url))
    other = ArticleFactory(title="Визит в Актобе", tags=["Актобе"])
    kept_url = tag.get_absolute_url()
    assert "Визит в Актобе" not in text(fetch(client, kept_url))
    tags = list(Tag.objects.order_by("pk"))
    for item in tags:
        item.article_count = 1  # as the admin's list annotates them
    merge_tags(tags)
    assert "Визит в Актобе" in text(fetch(client, kept_url))
    assert other.tags.get() == tag


def test_agreement_signatory_and_party_changes_show_at_once(client):
    """The registry and the agreement page follow edits of the document, signatories, parties."""
    party = OrganizationFactory(name="Акимат Западно-Казахстанской области", short_name="")
    agreement = AgreementFactory(
        title="Соглашение о сотрудничестве", slug="soglashenie", parties=[party]
    )
    signatory = SignatoryFactory(agreement=agreement, name="Иванов И. И.")
    registry, page = reverse("articles:agreements"), agreement.get_absolute_url()
    assert "Соглашение о сотрудничестве" in text(fetch(client, registry))
    assert "Иванов И. И." in text(fetch(client, page))
    agreement.title = "Дорожная карта на 2026–2028 годы"
    agreement.save()
    assert "Дорожная карта на 2026–2028 годы" in text(fetch(client, registry))
    signatory.name = "Петров П. П."
    signatory.save()
    assert "Петров П. П." in text(fetch(client, page))
    agreement.parties.add(OrganizationFactory(name="Правительство Оренбургской области"))
    assert "Правительство Оренбургской области" in text(fetch(client, page))
    party.name = "Акимат ЗКО"
    party.save()
    assert "Акимат ЗКО" in text(fetch(client, page))


def test_rubric_links_and_update_notes_show_at_once(client, story):
    """Adding a rubric to an article and a public update note both show on cached pages."""
    politics = RubricFactory(name="Политика", slug="politika")
    url = story.get_absolute_url()
    fetch(client, url)
    assert client.get(politics.get_absolute_url()).status_code == 404
    story.rubrics.add(politics)
    assert TITLE in text(fetch(client, politics.get_absolute_url()))
    story.updates.create(at=GOES_LIVE, note="уточнён состав делегации")
    assert "уточнён состав делегации" in text(fetch(client, url))


def test_import_shows_at_once_with_one_bump_per_batch(client, tmp_path, monkeypatch):
    """An imported article appears on the cached home page; the batch bumps once, not per row."""
    fetch(client, "/")
    bumps = []
    monkeypatch.setattr(signals.content_version, "bump", lambda: bumps.append(1))
    lines = [
        article_line(key=f"n-{number}", title=f"Импортированная новость {number}")
        for number in range(10)
    ]
    assert run_import(write_folder(tmp_path / "export", lines)).ok
    assert 1 <= len(bumps) <= 2  # ten rows, one batch (and its commit)
    monkeypatch.undo()
    content_version.bump()  # the patched bumps above changed nothing in the cache
    assert "Импортированная новость 9" in text(fetch(client, "/"))


def test_version_is_bumped_again_when_the_transaction_commits(
    story, django_capture_on_commit_callbacks
):
    """A reader between the write and its commit may cache old rows: the commit bumps again."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        story.title = "Новый заголовок"
        story.save()
        during = content_version.current()
    assert content_version.current() != during


def test_every_model_of_the_app_is_watched_or_declared_private():
    """A new model must be declared: shown to the public (watched), private or read-only."""
    from django.apps import apps

    models = set(apps.get_app_config("articles").get_models())
    declared = {*signals.PUBLIC_MODELS, *signals.PRIVATE_MODELS, *signals.READ_ONLY_MODELS}
    assert models == declared


# Time: scheduled publications and midnight.


@pytest.mark.parametrize(
    "url",
    [
        reverse("articles:home"),
        reverse("articles:rubric", kwargs={"slug": "ekonomika"}),
        reverse("feeds:news-rss"),
    ],
)
def test_scheduled_article_appears_on_a_cached_page_exactly_at_its_time(client, story, url):
    """Cached a minute and a second before, the page shows the article at its time, not before."""
    schedule_through_workflow(SCHEDULED_TITLE, rubrics=[story.rubrics.get()], at=GOES_LIVE)
    with time_machine.travel(GOES_LIVE - datetime.timedelta(minutes=1), tick=False):
        assert SCHEDULED_TITLE not in text(fetch(client, url))
        assert fetch(client, url)["X-Cache"] == "HIT"
    with time_machine.travel(GOES_LIVE - datetime.timedelta(seconds=1), tick=False):
        response = fetch(client, url)
        assert response["X-Cache"] == "HIT"
        assert SCHEDULED_TITLE not in text(response)
        assert response["Cache-Control"] == "public, max-age=1"
    with time_machine.travel(GOES_LIVE, tick=False):
        assert SCHEDULED_TITLE in text(fetch(client, url))


def test_a_second_scheduled_article_also_appears_on_time(client, story):
    """After one publication the next one is awaited: the memo of the next time expires too."""
    later = GOES_LIVE + datetime.timedelta(hours=2)
    ArticleFactory(title=SCHEDULED_TITLE, published_at=GOES_LIVE)
    ArticleFactory(title="Вторая запланированная новость", published_at=later)
    with time_machine.travel(GOES_LIVE - datetime.timedelta(minutes=1), tick=False):
        assert SCHEDULED_TITLE not in text(fetch(client, "/"))
    with time_machine.travel(GOES_LIVE, tick=False):
        page = text(fetch(client, "/"))
        assert SCHEDULED_TITLE in page and "Вторая запланированная новость" not in page
    with time_machine.travel(later - datetime.timedelta(minutes=1), tick=False):
        fetch(client, "/")
    with time_machine.travel(later - datetime.timedelta(seconds=1), tick=False):
        response = fetch(client, "/")
        assert response["X-Cache"] == "HIT"
        assert "Вторая запланированная новость" not in text(response)
    with time_machine.travel(later, tick=False):
        assert "Вторая запланированная новость" in text(fetch(client, "/"))


def test_a_draft_never_appears(client, story):
    """A draft or an article awaiting approval is on no cached page, however often asked."""
    ArticleFactory(title=SCHEDULED_TITLE, status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Ждёт утверждения", status=Article.Status.SUBMITTED, published_at=None)
    for _ in range(2):
        for url in ("/", reverse("feeds:news-rss"), reverse("feeds:sitemap-news")):
            page = text(fetch(client, url))
            assert SCHEDULED_TITLE not in page and "Ждёт утверждения" not in page


def test_agreement_status_turns_at_local_midnight(client):
    """A cached registry shows a document expired from the first second of the next day."""
    AgreementFactory(
        title="Соглашение до конца ноября",
        valid_from=datetime.date(2025, 1, 1),
        valid_until=datetime.date(2025, 11, 30),
    )
    registry = reverse("articles:agreements")
    # 23:59:59 on 30 November in Orenburg (UTC+5).
    last_second = datetime.datetime(2025, 11, 30, 18, 59, 59, tzinfo=datetime.UTC)
    with time_machine.travel(last_second - datetime.timedelta(minutes=1), tick=False):
        assert "status--in_force" in text(fetch(client, registry))
    with time_machine.travel(last_second, tick=False):
        response = fetch(client, registry)
        assert response["X-Cache"] == "HIT" and "status--in_force" in text(response)
    with time_machine.travel(last_second + datetime.timedelta(seconds=1), tick=False):
        page = text(fetch(client, registry))
        assert "status--expired" in page and "status--in_force" not in page


# Who never gets a cached page.


def test_signed_in_editor_never_gets_a_cached_page_nor_stores_one(client, story):
    """A staff user's pages are made for them, say private, no-store, and are not kept."""
    editor = client_for(make_editor())
    mine = editor.get("/")
    assert "X-Cache" not in mine
    assert "private" in mine["Cache-Control"] and "no-store" in mine["Cache-Control"]
    assert fetch(client, "/")["X-Cache"] == "MISS"  # the editor's copy was not stored
    # Raw SQL bumps nothing: the anonymous copy stays stale, the editor's is fresh.
    with connection.cursor() as cursor:
        table = Article._meta.db_table
        cursor.execute(
            f"UPDATE {table} SET title = %s WHERE id = %s", ["Заголовок без сигнала", story.pk]
        )
    assert TITLE in text(fetch(client, "/"))
    assert "Заголовок без сигнала" in text(editor.get("/"))


def test_authorization_header_bypasses_the_cache(client, story):
    """A request with credentials is never answered from, nor stored in, the cache."""
    fetch(client, "/")
    Article.objects.filter(pk=story.pk).update(title="Заголовок без сигнала")
    response = client.get("/", headers={"authorization": "Bearer secret"})
    assert "Заголовок без сигнала" in text(response)
    assert "no-store" in response["Cache-Control"]


def test_preview_and_share_link_are_never_stored(client):
    """Editor previews and share-link pages are made every time and say private, no-store."""
    draft = ArticleFactory(title=SCHEDULED_TITLE, status=Article.Status.DRAFT, published_at=None)
    editor = client_for(make_editor())
    preview = reverse("articles:preview", args=[draft.pk])
    link = draft.share_links.create(
        expires_at=GOES_LIVE + datetime.timedelta(days=3650), created_by=None
    )
    shared = share_url(link)
    for visitor, url in ((editor, preview), (client, shared), (Client(), shared)):
        response = visitor.get(url)
        assert response.status_code == 200 and SCHEDULED_TITLE in text(response)
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    link.revoked_at = GOES_LIVE
    link.save()
    assert client.get(shared).status_code == 404


def test_low_vision_variants_are_kept_apart(client, story):
    """A visitor with large text never gets the default page, nor the reverse."""
    large = Client()
    large.cookies["pressroom_lv"] = "size-3"
    assert "lv-size-3" in text(fetch(large, "/"))
    assert "lv-size-3" not in text(fetch(client, "/"))
    assert "lv-size-3" in text(fetch(large, "/"))
    forged = Client()
    forged.cookies["pressroom_lv"] = "size-9.evil-1"  # ignored values: the default look
    response = fetch(forged, "/")
    assert response["X-Cache"] == "HIT" and "lv-size" not in text(response)


def test_low_vision_switch_is_never_cached(client):
    """The link that stores the settings sets its cookie every time it is followed."""
    url = reverse("articles:low_vision_set") + "?size=2"
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 302 and response.cookies["pressroom_lv"].value == "size-2"
        assert "no-store" in response["Cache-Control"]


def test_response_that_sets_a_cookie_is_not_stored(story):
    """A public page that sets a cookie is made anew for the next visitor."""
    made = []

    def view(request):
        made.append(request)
        response = HttpResponse("<p>страница</p>")
        response.set_cookie("visitor", "42")
        return response

    middleware = PageCacheMiddleware(view)
    for _ in range(2):
        request = RequestFactory().get("/")
        request.resolver_match = resolve("/")
        assert middleware(request).cookies["visitor"].value == "42"
    assert len(made) == 2


def test_post_is_never_answered_from_the_cache(client, story):
    """Only GET and HEAD are cached: another method reaches the view."""
    fetch(client, "/")
    assert client.post("/").status_code == 405


# HTTP semantics.


def test_if_none_match_on_a_hit_answers_304(client, story):
    """A client that holds the cached copy gets 304 Not Modified, with its validators."""
    for url in ("/", story.get_absolute_url(), reverse("feeds:news-rss")):
        first = fetch(client, url)
        again = client.get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304 and again["X-Cache"] == "HIT"
        assert again["ETag"] == first["ETag"] and again.content == b""


def test_head_is_answered_from_the_cache(client, story):
    """HEAD gets the cached page's headers without a body."""
    first = fetch(client, "/")
    head = client.head("/")
    assert head.status_code == 200 and head["X-Cache"] == "HIT"
    assert head.content == b"" and head["Content-Length"] == first["Content-Length"]


@override_settings(PRESSROOM_PAGE_CACHE_SECONDS=0)
def test_zero_seconds_disables_the_cache(client, story):
    """With PRESSROOM_PAGE_CACHE_SECONDS=0 every request is made by the view."""
    fetch(client, "/")
    Article.objects.filter(pk=story.pk).update(title="Заголовок без сигнала")
    response = fetch(client, "/")
    assert "Заголовок без сигнала" in text(response) and response["X-Cache"] == "MISS"


def test_redis_backend_serves_hits_and_sees_bumps(client, story, django_assert_num_queries):
    """With a real Redis, a hit runs no query and an edit shows at once."""
    program_or_skip("redis-server")
    from pressroom.loopback import redis_server

    with redis_server() as redis:
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.extra["url"],
        }
        with override_settings(CACHES={"default": backend}):
            assert TITLE in text(fetch(client, "/"))
            with django_assert_num_queries(0):
                assert fetch(Client(), "/")["X-Cache"] == "HIT"
            story.title = "Заголовок после правки"
            story.save()
            response = fetch(client, "/")
            assert response["X-Cache"] == "MISS" and "Заголовок после правки" in text(response)
            assert fetch(Client(), "/")["X-Cache"] == "HIT"
            assert cache.get(content_version.VERSION_KEY) == content_version.current()
