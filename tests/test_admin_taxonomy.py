"""Rubric, organisation and tag forms of the editors' workspace."""

import lxml.html
import pytest
from django.urls import reverse

from articles.models import Organization, Rubric, Tag
from tests.factories import ArticleFactory, OrganizationFactory, RubricFactory
from tests.test_admin_support import client_for, form_data, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return client_for(make_editor())


def add(client, model, **values):
    url = reverse(f"admin:articles_{model}_add")
    data = form_data(client.get(url))
    data.update(values)
    return client.post(url, data)


def field_errors(response, field):
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


# Rubrics


def test_rubric_slug_is_made_from_the_name_on_the_server(client):
    """A rubric saved with an empty slug gets the transliterated name."""
    assert add(client, "rubric", name="Экономика", slug="", position="3").status_code == 302
    assert Rubric.objects.get().slug == "ekonomika"


@pytest.mark.parametrize("values", [{"slug": "ekonomika"}, {"slug": ""}], ids=["typed", "made"])
def test_duplicate_rubric_slug_is_a_form_error(client, values):
    """A slug another rubric has, typed or made from the name, is refused in Russian."""
    RubricFactory(name="Экономика", slug="ekonomika")
    response = add(client, "rubric", name="ЭКОНОМИКА", position="1", **values)
    assert response.status_code == 200
    assert field_errors(response, "slug") == ["Такой адрес уже занят другой рубрикой."]


def test_rubric_name_without_letters_asks_for_a_slug(client):
    """A name that transliterates to nothing asks the editor for a Latin slug."""
    response = add(client, "rubric", name="«—»", slug="", position="1")
    assert field_errors(response, "slug") == [
        "Из названия не удаётся составить адрес латиницей: введите адрес сами латинскими "
        "буквами, например ekonomika."
    ]


def test_rubric_positions_are_edited_in_the_list(client):
    """The rubric list edits positions in place."""
    politics = RubricFactory(name="Политика", position=1)
    economy = RubricFactory(name="Экономика", position=2)
    url = reverse("admin:articles_rubric_changelist")
    data = form_data(client.get(url), form_id="changelist-form")
    for index in (0, 1):
        pk = int(data[f"form-{index}-id"])
        data[f"form-{index}-position"] = "5" if pk == politics.pk else "4"
    data["_save"] = "Сохранить"
    assert client.post(url, data).status_code == 302
    assert list(Rubric.objects.values_list("name", flat=True)) == [economy.name, politics.name]


def test_rubric_list_heads_the_position_column_as_menu_place(client):
    """The position column of the rubric list is headed «Место в меню», not «Должность»."""
    RubricFactory()
    page = lxml.html.fromstring(client.get(reverse("admin:articles_rubric_changelist")).text)
    (header,) = page.xpath('//th[contains(@class, "column-position")]/div[@class="text"]')
    assert header.text_content() == "Место в меню"


# Organisations


def test_organization_country_is_stored_in_capitals(client):
    """A lowercase country code is accepted and stored as capitals."""
    response = add(
        client, "organization", name="Акимат Западно-Казахстанской области", country="kz"
    )
    assert response.status_code == 302
    assert Organization.objects.get().country == "KZ"


@pytest.mark.parametrize("country", ["K1", "КЗ"])
def test_organization_country_must_be_two_latin_letters(client, country):
    """A country code of digits or Cyrillic letters is refused with a hint."""
    response = add(client, "organization", name="Акимат", country=country)
    assert field_errors(response, "country") == [
        "Введите двухбуквенный код страны латиницей, например RU или KZ."
    ]


def test_organizations_are_listed_by_country(client):
    """The organisation list filters by country."""
    OrganizationFactory(name="Правительство Оренбургской области", country="RU")
    kazakh = OrganizationFactory(name="Акимат Западно-Казахстанской области", country="KZ")
    response = client.get(reverse("admin:articles_organization_changelist"), {"country": "KZ"})
    assert list(response.context["cl"].result_list) == [kazakh]


# Tags


def test_cyrillic_tag_gets_a_readable_latin_slug(client):
    """A tag added by name alone gets a transliterated slug."""
    assert add(client, "tag", name="Евгений Солнцев", slug="").status_code == 302
    assert Tag.objects.get().slug == "evgenii-solntsev"


def test_tag_whose_slug_is_taken_gets_a_numbered_one(client):
    """«Эль» after «Ель» (both «el») gets «el-1» instead of an IntegrityError."""
    add(client, "tag", name="Ель", slug="")
    assert add(client, "tag", name="Эль", slug="").status_code == 302
    assert list(Tag.objects.order_by("pk").values_list("slug", flat=True)) == ["el", "el-1"]


@pytest.mark.parametrize("name", ["губернатор", " ГУБЕРНАТОР ", "Губернатор"])
def test_tag_differing_only_in_case_or_space_is_a_form_error(client, name):
    """A second spelling of an existing tag is refused, naming the existing one."""
    Tag.objects.create(name="Губернатор")
    response = add(client, "tag", name=name, slug="")
    assert field_errors(response, "name") == [
        "Тег «Губернатор» уже существует: написание с другим регистром или через «ё» не "
        "создаёт новый тег."
    ]


def test_renaming_a_tag_to_its_own_other_case_is_allowed(client):
    """Correcting the case of a tag's own name is not a duplicate."""
    tag = Tag.objects.create(name="губернатор")
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    data = form_data(client.get(url))
    data["name"] = "Губернатор"
    assert client.post(url, data).status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Губернатор", "gubernator")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("т" * 101, "Убедитесь, что это значение содержит не более 100 символов (сейчас 101)."),
        (
            "Cочи",
            "В слове «Cочи» смешаны латиница и кириллица: наберите его заново в одной раскладке.",
        ),
        (
            "Пресс, релиз",
            "Название тега не может содержать запятую: запятыми теги отделяются друг от друга.",
        ),
        ("тег\x00", "Данные содержат запрещённый символ: ноль-байт"),
    ],
    ids=["101-chars", "mixed-script", "comma", "nul"],
)
def test_bad_tag_name_is_a_russian_form_error(client, name, message):
    """Overlong, mixed-script, comma-carrying and NUL names are refused, never a 500."""
    response = add(client, "tag", name=name, slug="")
    assert response.status_code == 200
    assert field_errors(response, "name") == [message]
    assert not Tag.objects.exists()


def test_tag_list_counts_articles_and_finds_any_case(client):
    """The tag list shows article counts and its search ignores case, also in Cyrillic."""
    ArticleFactory.create_batch(2, tags=["Губернатор"])
    ArticleFactory(tags=["Казахстан"])
    response = client.get(reverse("admin:articles_tag_changelist"), {"q": "ГУБЕРНАТОР"})
    (tag,) = response.context["cl"].result_list
    assert (tag.name, tag.article_count) == ("Губернатор", 2)
