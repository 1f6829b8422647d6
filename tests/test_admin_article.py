"""The article form and list of the editors' workspace."""

import datetime
import zoneinfo

import lxml.html
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag
from tests.factories import AgreementFactory, ArticleFactory, RubricFactory
from tests.test_admin_support import client_for, form_data, make_editor

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")
YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
FROZEN = datetime.datetime(2025, 11, 13, 4, 10, tzinfo=datetime.UTC)  # 09:10 in Orenburg


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def client(editor):
    return client_for(editor)


def article_data(client, **values):
    """Return a valid add-form POST for a draft, with `values` laid over it."""
    data = form_data(client.get(ADD_URL))
    data.update(
        {
            "title": "Губернатор встретился с делегацией Западно-Казахстанской области",
            "lead": "Обсудили дорожную карту сотрудничества на 2026–2028 годы.",
            "body": "<p>Стороны договорились о совместных проектах.</p>",
            "status": Article.Status.DRAFT,
        }
    )
    data.update(values)
    return data


def published_at(moment):
    """Return the two halves of the admin's split date-time input for an aware time."""
    local = moment.astimezone(YEKATERINBURG)
    return {
        "published_at_0": local.strftime("%d.%m.%Y"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def test_add_creates_article_with_author_and_transliterated_slug(client, editor):
    """Saving a new article sets its author and makes a Latin slug from the title."""
    response = client.post(ADD_URL, article_data(client))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.author == editor
    assert article.slug == "gubernator-vstretilsia-s-delegatsiei-zapadno-kazakhstanskoi-oblasti"


def test_add_form_sent_twice_creates_one_article(client):
    """A double click on «Сохранить» (the same add form posted twice) saves one article."""
    data = article_data(client)
    assert client.post(ADD_URL, data).status_code == 302
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Эта статья уже сохранена" in response.content.decode()
    assert Article.objects.count() == 1


def test_two_add_forms_create_two_articles(client):
    """Each opening of the add form may create its own article, even with the same title."""
    assert client.post(ADD_URL, article_data(client)).status_code == 302
    assert client.post(ADD_URL, article_data(client)).status_code == 302
    assert Article.objects.count() == 2


def test_forged_creation_token_is_ignored(client):
    """A token the form never issued does not become the article's key."""
    assert client.post(ADD_URL, article_data(client, creation_token=" x ")).status_code == 302
    assert Article.objects.get().key != " x "


def test_author_is_kept_when_another_editor_saves(client, editor):
    """Editing an article does not make the second editor its author."""
    client.post(ADD_URL, article_data(client))
    article = Article.objects.get()
    other = client_for(make_editor("second"))
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(other.get(url))
    data["title"] = "Новый заголовок"
    assert other.post(url, data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.author) == ("Новый заголовок", editor)


def test_given_slug_is_lowercased_and_kept(client):
    """A slug typed by the editor is used as it is, in lowercase."""
    client.post(ADD_URL, article_data(client, slug="Forum-v-Uralske"))
    assert Article.objects.get().slug == "forum-v-uralske"


@pytest.mark.parametrize("slug", ["форум", "forum v uralske", "forum--uralsk", "-forum", "forum_"])
def test_invalid_slug_is_a_form_error(client, slug):
    """A slug with Cyrillic letters, spaces or stray hyphens is refused with a hint."""
    response = client.post(ADD_URL, article_data(client, slug=slug))
    assert response.status_code == 200
    assert not Article.objects.exists()
    assert response.context["adminform"].form.errors["slug"] == [
        "Используйте латинские буквы, цифры и одиночные дефисы между словами, "
        "например forum-v-uralske."
    ]


def test_title_without_letters_asks_for_a_latin_slug(client):
    """When nothing of the title can be transliterated, the editor is asked for a slug."""
    response = client.post(ADD_URL, article_data(client, title="«—»!?"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "Из заголовка не удаётся составить адрес латиницей: введите адрес сами латинскими "
        "буквами, например forum-v-uralske."
    ]


def test_emptied_slug_is_made_again_from_the_current_title(client):
    """Clearing the slug of an existing article rebuilds it from its title."""
    article = ArticleFactory(title="Форум в Уральске", slug="old")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    data["slug"] = ""
    client.post(url, data)
    article.refresh_from_db()
    assert article.slug == "forum-v-uralske"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Обязательное поле."),
        ("   \t  ", "Обязательное поле."),
        ("\x07\x1b", "Обязательное поле."),
        (
            "Т" * 10_000,
            "Убедитесь, что это значение содержит не более 300 символов (сейчас 10000).",
        ),
        ("Губернатор\x00", "Данные содержат запрещённый символ: ноль-байт"),
    ],
)
def test_bad_title_is_a_russian_form_error(client, title, message):
    """Empty, blank, control-only, overlong and NUL-carrying titles are refused, no 500."""
    response = client.post(ADD_URL, article_data(client, title=title))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [message]
    assert not Article.objects.exists()


def test_title_and_lead_lose_control_characters(client):
    """Control characters pasted into the title and lead are removed before saving."""
    client.post(ADD_URL, article_data(client, title=" Форум\x0b в Уральске ", lead="Итоги\x1f."))
    article = Article.objects.get()
    assert (article.title, article.lead) == ("Форум в Уральске", "Итоги.")


def test_body_is_sanitised_on_a_crafted_post(client):
    """A raw POST with scripts and javascript: links stores only the safe markup."""
    body = (
        '<p onclick="x()">Текст<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">ссылка</a><img src=x onerror=alert(1)>'
    )
    client.post(ADD_URL, article_data(client, body=body))
    stored = Article.objects.get().body
    assert stored == '<p>Текст</p><a rel="noopener noreferrer">ссылка</a>'


@pytest.mark.parametrize("body", ["<script>alert(1)</script>", "<p>&nbsp;</p><hr>", "<p> </p>"])
def test_body_without_text_is_refused(client, body):
    """A body with no readable text once sanitised is a form error, not an empty article."""
    response = client.post(ADD_URL, article_data(client, body=body))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "После удаления небезопасной разметки текст оказался пустым: введите текст статьи."
    ]


def test_published_without_time_is_a_form_error(client):
    """Status «published» without a publication time is refused with an explanation."""
    response = client.post(ADD_URL, article_data(client, status=Article.Status.PUBLISHED))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["published_at"] == [
        "Для публикации нужно указать время. Укажите текущее время, чтобы опубликовать "
        "статью сразу, или время в будущем, чтобы запланировать публикацию."
    ]


@time_machine.travel(FROZEN, tick=False)
def test_published_with_future_time_is_saved_as_scheduled(client):
    """A future time with status «published» saves a scheduled, still invisible article."""
    moment = FROZEN + datetime.timedelta(days=1)
    client.post(
        ADD_URL, article_data(client, status=Article.Status.PUBLISHED, **published_at(moment))
    )
    article = Article.objects.get()
    assert article.published_at == moment
    assert article.is_scheduled()
    assert not Article.objects.published().exists()


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(1999, 12, 31, 23, 59, tzinfo=YEKATERINBURG),
        datetime.datetime(1, 1, 1, 0, 0, tzinfo=YEKATERINBURG),
        FROZEN + datetime.timedelta(days=6 * 366),
        datetime.datetime(9999, 12, 31, 23, 59, tzinfo=YEKATERINBURG),
    ],
    ids=["1999", "year-1", "six-years-ahead", "year-9999"],
)
def test_publication_time_outside_the_window_is_a_form_error(client, moment):
    """A publication time before 2000 or more than five years ahead is refused."""
    data = article_data(client, status=Article.Status.PUBLISHED)
    data.update(
        published_at_0=f"{moment.day:02}.{moment.month:02}.{moment.year:04}",
        published_at_1=f"{moment.hour:02}:{moment.minute:02}",
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["published_at"] == [
        "Укажите время публикации не раньше 1 января 2000 года и не позже чем через пять лет "
        "от сегодняшнего дня."
    ]


def test_unchanged_archive_time_before_2000_does_not_block_saving(client):
    """An imported article dated 1998 can still be edited without touching its time."""
    moment = datetime.datetime(1998, 5, 1, 12, 0, tzinfo=YEKATERINBURG)
    article = ArticleFactory(published_at=moment)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    data["lead"] = "Уточнённый вводный абзац."
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert (article.lead, article.published_at) == ("Уточнённый вводный абзац.", moment)


def test_impossible_date_is_a_form_error(client):
    """30 February is refused by the date field, not turned into a 500."""
    data = article_data(client, status=Article.Status.PUBLISHED)
    data.update(published_at_0="30.02.2025", published_at_1="10:00")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors


@override_settings(TIME_ZONE="Europe/Moscow")
def test_time_skipped_by_a_clock_change_is_a_form_error(client):
    """A local time that never existed (Moscow, 28 March 2010, 02:30) is refused."""
    data = article_data(client, status=Article.Status.PUBLISHED)
    data.update(published_at_0="28.03.2010", published_at_1="02:30")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors


def test_help_texts_explain_the_publishing_rule(client):
    """The add page tells editors that status plus a future time means scheduled."""
    page = lxml.html.fromstring(client.get(ADD_URL).content.decode())
    status_help, time_help = (
        page.xpath(f'//div[contains(@class, "field-{field}")]//div[@class="help"]')[0]
        .text_content()
        .strip()
        for field in ("status", "published_at")
    )
    assert "Опубликованная статья со временем публикации в будущем считается запланированной" in (
        status_help
    )
    assert "Если указать время в будущем, статья будет запланирована" in time_help


def test_tags_are_split_on_commas_only_and_folded(client):
    """«Пресс релиз» stays one tag and case or spacing variants collapse into one."""
    tags = "Пресс релиз, Губернатор, губернатор,  губернатор , ,"
    client.post(ADD_URL, article_data(client, tags=tags))
    article = Article.objects.get()
    assert sorted(article.tags.names()) == ["Губернатор", "Пресс релиз"]
    assert Tag.objects.count() == 2


@pytest.mark.parametrize(
    ("tags", "fragment"),
    [
        ("Губернатор, " + "т" * 101, "Тег может содержать не более 100 символов, а в этом их 101"),
        ("Cочи", "В слове «Cочи» смешаны латиница и кириллица"),
        (", ".join(f"тег {n}" for n in range(51)), "не более 50 тегов, а указано 51"),
        ("Губернатор\x00", "ноль-байт"),
    ],
    ids=["101-chars", "mixed-script", "too-many", "nul"],
)
def test_bad_tags_are_a_form_error_and_write_nothing(client, tags, fragment):
    """Overlong, mixed-script, too many or NUL-carrying tags are refused before any write."""
    response = client.post(ADD_URL, article_data(client, tags=tags))
    assert response.status_code == 200
    assert any(
        fragment in str(error) for error in response.context["adminform"].form.errors["tags"]
    )
    assert not Tag.objects.exists()
    assert not Article.objects.exists()


def test_rubrics_and_agreements_are_saved(client):
    """Rubrics (checkboxes) and agreements (autocomplete ids) are stored with the article."""
    rubric = RubricFactory(name="Политика")
    agreement = AgreementFactory()
    client.post(ADD_URL, article_data(client, rubrics=[rubric.pk], agreements=[agreement.pk]))
    article = Article.objects.get()
    assert list(article.rubrics.all()) == [rubric]
    assert list(article.agreements.all()) == [agreement]


def test_agreements_are_found_by_autocomplete(client):
    """The agreement autocomplete answers the editor's search term."""
    AgreementFactory(title="Дорожная карта на 2026–2028 годы")
    AgreementFactory(title="Меморандум о туризме")
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "карта",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "agreements",
        },
    )
    assert [item["text"] for item in response.json()["results"]] == [
        "Дорожная карта на 2026–2028 годы"
    ]


def test_update_note_without_time_gets_the_current_time(client):
    """A public update note added without a time is stamped with the moment of saving."""
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    data.update(
        {"updates-TOTAL_FORMS": "1", "updates-0-note": "Уточнены сроки", "updates-0-at_0": ""}
    )
    before = timezone.now()
    assert client.post(url, data).status_code == 302
    (update,) = article.updates.all()
    assert update.note == "Уточнены сроки"
    assert update.at >= before.replace(microsecond=0)


@time_machine.travel(FROZEN, tick=False)
def test_list_status_column_names_each_state_in_russian(client):
    """The list says Черновик, На согласовании, Запланировано with local time, and so on."""
    hour = datetime.timedelta(hours=1)
    ArticleFactory(title="а-черновик", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="б-согласование", status=Article.Status.SUBMITTED, published_at=None)
    ArticleFactory(title="в-план", status=Article.Status.PUBLISHED, published_at=FROZEN + hour)
    ArticleFactory(title="г-вышла", status=Article.Status.PUBLISHED, published_at=FROZEN - hour)
    ArticleFactory(title="д-снята", status=Article.Status.WITHDRAWN, published_at=FROZEN - hour)
    response = client.get(LIST_URL, {"o": "1"})
    page = lxml.html.fromstring(response.content.decode())
    labels = [
        cell.text_content() for cell in page.xpath('//td[contains(@class, "field-status_label")]')
    ]
    assert labels == [
        "Черновик",
        "На согласовании",
        "Запланировано на 13 ноября 2025, 10:10",
        "Опубликовано",
        "Снято с публикации",
    ]


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("scheduled", ["план"]),
        ("published", ["вышла"]),
        ("draft", ["черновик"]),
        ("submitted", ["согласование"]),
        ("withdrawn", ["снята"]),
    ],
)
def test_status_filter_tells_scheduled_from_published(client, state, expected):
    """The status filter has a computed «scheduled» option next to the stored statuses."""
    hour = datetime.timedelta(hours=1)
    ArticleFactory(title="черновик", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="согласование", status=Article.Status.SUBMITTED, published_at=None)
    ArticleFactory(title="план", status=Article.Status.PUBLISHED, published_at=FROZEN + hour)
    ArticleFactory(title="вышла", status=Article.Status.PUBLISHED, published_at=FROZEN - hour)
    ArticleFactory(title="снята", status=Article.Status.WITHDRAWN, published_at=FROZEN - hour)
    response = client.get(LIST_URL, {"state": state})
    assert [article.title for article in response.context["cl"].result_list] == expected


def test_list_filters_by_tag_rubric_and_kind(client):
    """Tag, rubric and kind filters narrow the list to the matching articles."""
    rubric = RubricFactory()
    wanted = ArticleFactory(
        title="нужная", tags=["Казахстан"], rubrics=[rubric], kind=Article.Kind.VISIT
    )
    ArticleFactory(title="другая", tags=["Экономика"])
    slug = Tag.objects.get(name="Казахстан").slug
    for params in ({"tag": slug}, {"rubrics__id__exact": rubric.pk}, {"kind__exact": "visit"}):
        response = client.get(LIST_URL, params)
        assert list(response.context["cl"].result_list) == [wanted], params


def test_list_search_finds_title_and_lead(client):
    """The search box looks in titles and leads."""
    ArticleFactory(title="Форум в Уральске", lead="Итоги")
    ArticleFactory(title="Совещание", lead="Подготовка к Форуму")
    ArticleFactory(title="Совещание по бюджету", lead="Итоги года")
    response = client.get(LIST_URL, {"q": "Форум"})
    assert len(response.context["cl"].result_list) == 2


def test_list_runs_the_same_number_of_queries_for_3_and_30_articles(
    client, django_assert_num_queries
):
    """The article list costs a fixed number of queries however many rows it shows."""
    rubric = RubricFactory()
    for _ in range(3):
        ArticleFactory(tags=["Губернатор"], rubrics=[rubric])
    with CaptureQueriesContext(connection) as three:
        assert client.get(LIST_URL).status_code == 200
    for _ in range(27):
        ArticleFactory(tags=["Губернатор"], rubrics=[rubric])
    with django_assert_num_queries(len(three)):
        response = client.get(LIST_URL)
    assert len(response.context["cl"].result_list) == 30
