"""Tags in Russian: Latin slugs, one tag per spelling, comma-only input, merging."""

import unicodedata

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.models import Article, Tag, TaggedArticle
from articles.models.tag import fold_tag_name, parse_tag_string
from tests.factories import ArticleFactory
from tests.test_admin_support import client_for, form_data, make_editor

CHANGELIST = reverse("admin:articles_tag_changelist")


@pytest.mark.django_db
def test_cyrillic_name_gets_a_readable_latin_slug():
    """A Cyrillic tag's slug is its ICAO transliteration."""
    tag = Tag.objects.create(name="Западно-Казахстанская область")
    assert tag.slug == "zapadno-kazakhstanskaia-oblast"


@pytest.mark.django_db
def test_names_that_transliterate_alike_get_distinct_slugs():
    """«Ель» and «Эль» are two tags with two different, non-empty slugs."""
    article = ArticleFactory()
    article.tags.add("Ель", "Эль", "Пресс-релиз", "Пресс релиз")
    slugs = sorted(Tag.objects.values_list("slug", flat=True))
    assert slugs == ["el", "el-1", "press-reliz", "press-reliz-1"]


@pytest.mark.django_db
def test_name_without_latin_equivalent_still_gets_a_slug():
    """A name with nothing to transliterate gets a fallback slug, never an empty one."""
    assert Tag.objects.create(name="«—»").slug == "tag"


@pytest.mark.django_db
def test_case_and_spaces_make_one_tag_through_the_manager():
    """«Губернатор», «губернатор» and « губернатор » are one tag shared by three articles."""
    articles = ArticleFactory.create_batch(3)
    for article, spelling in zip(
        articles, ["Губернатор", "губернатор", "  губернатор "], strict=True
    ):
        article.tags.add(spelling)
    (tag,) = Tag.objects.all()
    assert tag.name == "Губернатор"
    assert tag.tagged_articles.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ёлка", "елка"),
        ("Йошкар-Ола", unicodedata.normalize("NFD", "Йошкар-Ола")),
        ("Пресс   релиз", "пресс релиз"),
        ("ГУБЕРНАТОР", "Губернатор"),
    ],
    ids=["yo", "nfd", "inner-spaces", "upper"],
)
def test_spelling_variants_fold_into_one_tag(first, second):
    """ё/е, NFC/NFD, inner spacing and case variants all land on the same tag."""
    ArticleFactory().tags.add(first)
    ArticleFactory().tags.add(second)
    assert Tag.objects.count() == 1
    assert unicodedata.is_normalized("NFC", Tag.objects.get().name)


def test_fold_ignores_case_yo_and_spacing():
    """The folded form is lowercase, with ё as е and single spaces."""
    assert fold_tag_name("  Ёлки   Палки ") == "елки палки"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Пресс релиз", ["Пресс релиз"]),
        ("Губернатор, Казахстан", ["Губернатор", "Казахстан"]),
        (",, ,Губернатор,,", ["Губернатор"]),
        ("", []),
        (" , , ", []),
        ('"Пресс релиз", Уральск', ["Пресс релиз", "Уральск"]),
        ('"abc', ["abc"]),
        ("Губернатор, губернатор", ["Губернатор"]),
    ],
    ids=["space", "comma", "empty-pieces", "empty", "blank", "quotes", "unbalanced", "case"],
)
def test_editor_input_is_split_on_commas_only(text, names):
    """Only commas separate tags; empty pieces, quotes and repeats are dropped."""
    assert parse_tag_string(text) == names


@pytest.fixture
def editor_client(db):
    return client_for(make_editor())


@pytest.mark.django_db
def test_admin_form_reuses_an_existing_tag_in_any_case(editor_client):
    """An article form that types «ГУБЕРНАТОР » links the existing «Губернатор» tag."""
    existing = ArticleFactory(tags=["Губернатор"])
    url = reverse("admin:articles_article_add")
    data = form_data(editor_client.get(url))
    data.update(
        title="Совещание", body="<p>Текст</p>", status="draft", tags="ГУБЕРНАТОР , Пресс релиз"
    )
    assert editor_client.post(url, data).status_code == 302
    new = Article.objects.exclude(pk=existing.pk).get()
    assert sorted(new.tags.names()) == ["Губернатор", "Пресс релиз"]
    assert Tag.objects.count() == 2


def merge(client, tags):
    return client.post(
        CHANGELIST,
        {"action": "merge_selected", "_selected_action": [tag.pk for tag in tags]},
        follow=True,
    )


def tag_sets():
    return {
        article.title: sorted(article.tags.names())
        for article in Article.objects.prefetch_related("tags")
    }


@pytest.mark.django_db
def test_merge_keeps_the_most_used_tag_and_every_articles_tags(editor_client):
    """Merging moves every link to the most used tag, without duplicates or losses."""
    ArticleFactory(title="1", tags=["Губернатор", "Казахстан"])
    ArticleFactory(title="2", tags=["Губернатор", "Глава области"])
    ArticleFactory(title="3", tags=["Глава области", "Солнцев"])
    ArticleFactory(title="4", tags=["Глава области", "Солнцев", "Уральск"])
    ArticleFactory(title="5", tags=["Губернатор"])
    names = ["Губернатор", "Глава области", "Солнцев"]
    response = merge(editor_client, Tag.objects.filter(name__in=names))
    assert tag_sets() == {
        "1": ["Губернатор", "Казахстан"],
        "2": ["Губернатор"],
        "3": ["Губернатор"],
        "4": ["Губернатор", "Уральск"],
        "5": ["Губернатор"],
    }
    assert sorted(Tag.objects.values_list("name", flat=True)) == [
        "Губернатор",
        "Казахстан",
        "Уральск",
    ]
    assert TaggedArticle.objects.count() == 7
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        "В тег «Губернатор» объединены: «Глава области», «Солнцев». "
        "Теперь этим тегом отмечено 5 статей."
    )


@pytest.mark.django_db
def test_merge_keeps_the_first_tag_on_a_tie(editor_client):
    """With equal use, the oldest tag survives the merge."""
    ArticleFactory(title="1", tags=["Глава региона"])
    ArticleFactory(title="2", tags=["Губернатор"])
    merge(editor_client, Tag.objects.all())
    assert list(Tag.objects.values_list("name", flat=True)) == ["Глава региона"]
    assert tag_sets() == {"1": ["Глава региона"], "2": ["Глава региона"]}


@pytest.mark.django_db
def test_merge_of_one_tag_only_warns(editor_client):
    """Selecting a single tag changes nothing and says that two are needed."""
    ArticleFactory(tags=["Губернатор"])
    response = merge(editor_client, Tag.objects.all())
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Для объединения выберите не меньше двух тегов."
    ]
    assert Tag.objects.count() == 1


@pytest.mark.django_db
def test_merge_needs_delete_permission():
    """An editor who may not delete tags is not offered the merge action."""
    user = make_editor("no-delete")
    user.user_permissions.remove(*user.user_permissions.filter(codename="delete_tag"))
    response = client_for(user).get(CHANGELIST)
    action_form = response.context["action_form"]
    offered = dict(action_form.fields["action"].choices) if action_form else {}
    assert "merge_selected" not in offered
    ArticleFactory(tags=["Губернатор", "Глава региона"])
    assert merge(client_for(user), Tag.objects.all()).status_code == 200
    assert Tag.objects.count() == 2
