"""Sharing metadata: Open Graph, Twitter cards, canonical links and schema.org JSON-LD."""

import datetime
import json

import lxml.html
import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from articles.metadata import article_json_ld
from articles.models import Article, ArticleUpdate
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    OrganizationFactory,
    PhotoFactory,
    RubricFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 20, 12, 0, tzinfo=datetime.UTC)
CREDIT = "telegram-канал губернатора Оренбургской области"
HOSTILE_TEXTS = [
    "Губернатор: \"дорожная карта\" и 'план'",
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "{{7*7}} {% debug %}",
    "Форум в Уральске 🤝🇷🇺🇰🇿",
    "שלום \u202eעולם مرحبا",
]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def local(*args):
    """Return an aware date-time in the site's time zone."""
    return timezone.make_aware(datetime.datetime(*args))


def absolute(path):
    return f"http://testserver{path}"


def parse(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def get_page(client, url):
    return parse(client.get(url))


def meta(page, key):
    """Return the content of every <meta> whose property or name is key."""
    return page.xpath("//head/meta[@property=$key or @name=$key]/@content", key=key)


def one_meta(page, key):
    values = meta(page, key)
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def canonical(page):
    (href,) = page.xpath("//head/link[@rel='canonical']/@href")
    return href


def json_ld(page):
    (script,) = page.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)


@pytest.fixture
def article():
    """A published article with a rubric, tags and two photos, the first credited."""
    article = ArticleFactory(
        title="Оренбуржье и Западно-Казахстанская область утвердили план на 2026–2028 годы",
        lead="Документ подписан на XXI Форуме межрегионального сотрудничества в Уральске.",
        published_at=local(2025, 11, 13, 9, 10),
        rubrics=[RubricFactory(name="За рубежом", slug="za-rubezhom")],
        tags=["Евгений Солнцев", "Казахстан"],
    )
    PhotoFactory(
        article=article,
        position=0,
        caption="Подписание дорожной карты",
        credit=CREDIT,
        alt="Главы регионов за столом подписания",
    )
    PhotoFactory(article=article, position=1, caption="Пленарное заседание форума", credit="")
    return article


def test_article_has_open_graph_title_description_type_and_address(client, article):
    """og:title, og:description, og:type article, og:url, site name and locale are set."""
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "og:title") == article.title
    assert one_meta(page, "og:description") == article.lead
    assert one_meta(page, "og:type") == "article"
    assert one_meta(page, "og:url") == absolute(article.get_absolute_url())
    assert one_meta(page, "og:site_name") == settings.PRESSROOM_SITE_NAME
    assert one_meta(page, "og:locale") == "ru_RU"


def test_article_has_a_canonical_link_to_its_absolute_address(client, article):
    """The canonical link is the absolute address, also when reached with extra parameters."""
    page = get_page(client, article.get_absolute_url() + "?utm_source=telegram")
    assert canonical(page) == absolute(article.get_absolute_url())


def test_article_shares_the_1200_by_630_crop_of_its_lead_photo(client, article):
    """og:image is the lead photo's share crop, absolute, with its size, type and alt."""
    page = get_page(client, article.get_absolute_url())
    lead = article.photos.order_by("position").first()
    share = lead.rendition("share")
    assert one_meta(page, "og:image") == absolute(lead.url_of(share))
    assert one_meta(page, "og:image:width") == "1200"
    assert one_meta(page, "og:image:height") == "630"
    assert one_meta(page, "og:image:type") == "image/jpeg"
    assert one_meta(page, "og:image:alt") == "Главы регионов за столом подписания"


def test_article_with_a_photo_has_a_large_image_twitter_card(client, article):
    """twitter:card is summary_large_image, with the title, description, image and alt."""
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "twitter:card") == "summary_large_image"
    assert one_meta(page, "twitter:title") == article.title
    assert one_meta(page, "twitter:description") == article.lead
    assert one_meta(page, "twitter:image") == one_meta(page, "og:image")
    assert one_meta(page, "twitter:image:alt") == "Главы регионов за столом подписания"


def test_article_without_photos_has_a_summary_card_and_no_image(client):
    """Without a photo there is no og:image and the Twitter card is a plain summary."""
    page = get_page(client, ArticleFactory().get_absolute_url())
    assert one_meta(page, "twitter:card") == "summary"
    assert meta(page, "og:image") == []
    assert meta(page, "twitter:image") == []
    assert "image" not in json_ld(page)


def test_article_without_lead_describes_itself_by_its_title(client):
    """An article without a lead has its title as og:description."""
    article = ArticleFactory(lead="")
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "og:description") == article.title


def test_article_times_are_iso_in_the_site_time_zone(client, article):
    """article:published_time is ISO 8601 local time; modified equals it without notes."""
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "article:published_time") == "2025-11-13T09:10:00+05:00"
    assert one_meta(page, "article:modified_time") == "2025-11-13T09:10:00+05:00"


def test_modified_time_is_the_latest_public_update_note(client, article):
    """article:modified_time and dateModified follow the latest public update note."""
    for day in (15, 14):
        ArticleUpdate.objects.create(
            article=article, at=local(2025, 11, day, 12, 30), note="уточнены сроки"
        )
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "article:modified_time") == "2025-11-15T12:30:00+05:00"
    assert json_ld(page)["dateModified"] == "2025-11-15T12:30:00+05:00"


def test_minor_edit_does_not_change_the_modified_time(client, article):
    """A save without a public note (a typo fix) leaves dateModified at publication."""
    Article.objects.filter(pk=article.pk).update(updated_at=local(2025, 11, 18, 10, 0))
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "article:modified_time") == "2025-11-13T09:10:00+05:00"
    assert json_ld(page)["dateModified"] == "2025-11-13T09:10:00+05:00"


def test_article_section_and_tags_are_open_graph_article_properties(client, article):
    """article:section is the first rubric and article:tag lists every tag."""
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "article:section") == "За рубежом"
    assert sorted(meta(page, "article:tag")) == ["Евгений Солнцев", "Казахстан"]


def test_article_json_ld_is_a_news_article(client, article):
    """JSON-LD is a NewsArticle with headline, dates, page address and description."""
    data = json_ld(get_page(client, article.get_absolute_url()))
    address = absolute(article.get_absolute_url())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["description"] == article.lead
    assert data["datePublished"] == "2025-11-13T09:10:00+05:00"
    assert data["dateModified"] == "2025-11-13T09:10:00+05:00"
    assert data["url"] == address
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": address}


def test_article_json_ld_names_the_press_service_as_author_and_publisher(client, article):
    """Author and publisher are the Organization of settings.PRESSROOM_PUBLISHER."""
    data = json_ld(get_page(client, article.get_absolute_url()))
    press_service = {
        "@type": "Organization",
        "name": settings.PRESSROOM_PUBLISHER,
        "url": absolute(reverse("articles:home")),
    }
    assert data["publisher"] == press_service
    assert data["author"] == press_service


def test_article_json_ld_images_carry_size_caption_and_credit(client, article):
    """Images: the share crop first, then each photo, with credit as creditText."""
    data = json_ld(get_page(client, article.get_absolute_url()))
    lead, second = article.photos.order_by("position")
    share = lead.rendition("share")
    first = data["image"][0]
    assert first["url"] == absolute(lead.url_of(share))
    assert (first["width"], first["height"]) == (1200, 630)
    assert first["caption"] == "Подписание дорожной карты"
    assert first["creditText"] == CREDIT
    assert [image["url"] for image in data["image"][1:]] == [
        absolute(lead.url_of(lead.best_width(1200))),
        absolute(second.url_of(second.best_width(1200))),
    ]
    assert "creditText" not in data["image"][2]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_title_appears_literally_in_meta_and_json_ld(client, text):
    """Quotes, markup, template syntax, emoji and RTL text in a title stay literal."""
    article = ArticleFactory(title=text, lead=text)
    page = get_page(client, article.get_absolute_url())
    assert one_meta(page, "og:title") == text
    assert one_meta(page, "og:description") == text
    assert one_meta(page, "twitter:title") == text
    assert one_meta(page, "description") == text
    assert json_ld(page)["headline"] == text
    assert page.findtext(".//title") == f"{text} — {settings.PRESSROOM_SITE_NAME}"


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_caption_credit_and_alt_appear_literally(client, text):
    """A photo's caption, credit and alt text stay literal in og:image:alt and JSON-LD."""
    photo = PhotoFactory(caption=text, credit=text, alt=text)
    page = get_page(client, photo.article.get_absolute_url())
    assert one_meta(page, "og:image:alt") == text
    assert one_meta(page, "twitter:image:alt") == text
    image = json_ld(page)["image"][0]
    assert (image["caption"], image["creditText"]) == (text, text)


def test_script_end_tag_in_a_title_cannot_break_out_of_json_ld(client):
    """A title with </script> leaves one JSON-LD script that parses back to the title."""
    title = 'Итоги "форума" </script><script>alert(1)</script><!-- & -->'
    article = ArticleFactory(title=title)
    response = client.get(article.get_absolute_url())
    page = parse(response)
    scripts = page.xpath("//script")
    assert [script.get("type") for script in scripts] == ["application/ld+json"]
    assert json_ld(page)["headline"] == title
    assert "<script>alert(1)" not in response.content.decode()


def test_script_end_tag_in_an_agreement_cannot_break_out_of_json_ld(client):
    """An agreement title and summary with </script> parse back from its JSON-LD."""
    text = "</script><script>alert(1)</script>"
    agreement = AgreementFactory(title=text, summary=text)
    response = client.get(agreement.get_absolute_url())
    page = parse(response)
    assert len(page.xpath("//script")) == 1
    data = json_ld(page)
    assert (data["name"], data["description"]) == (text, text)
    assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.parametrize(
    ("status", "published_at"),
    [
        (Article.Status.DRAFT, None),
        (Article.Status.SUBMITTED, None),
        (Article.Status.WITHDRAWN, NOW - datetime.timedelta(days=1)),
        (Article.Status.PUBLISHED, NOW + datetime.timedelta(minutes=1)),
    ],
)
def test_unpublished_article_exposes_no_metadata(client, status, published_at):
    """Drafts, submitted, withdrawn and scheduled articles answer 404 without their title."""
    article = ArticleFactory(
        title="Секретный черновик о форуме", status=status, published_at=published_at
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert "Секретный черновик" not in response.content.decode()


def test_draft_metadata_for_an_editor_preview_has_no_publication_dates(rf):
    """A draft with an update note (an editor's preview) gets JSON-LD without dates."""
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    data = article_json_ld(
        rf.get("/"),
        draft,
        photos=[],
        canonical_url="http://testserver/",
        modified_at=local(2025, 11, 14, 9, 0),
    )
    assert "datePublished" not in data
    assert data["dateModified"] == "2025-11-14T09:00:00+05:00"
    assert data["headline"] == draft.title


def test_article_page_runs_as_many_queries_as_before_metadata(
    client, article, django_assert_num_queries, settings
):
    """Metadata reads what the view fetched: the uncached page stays at 5 queries (the
    validators' row of the article and the latest news, the article, its photos, the
    articles around it)."""
    settings.PRESSROOM_PAGE_CACHE_SECONDS = 0
    ArticleUpdate.objects.create(article=article, at=local(2025, 11, 14, 9, 0), note="уточнено")
    article.agreements.add(AgreementFactory())
    # The site-wide memos (rubric navigation, next publication), as any visit makes them.
    assert client.get("/").status_code == 200
    with django_assert_num_queries(5):
        assert client.get(article.get_absolute_url()).status_code == 200


@pytest.fixture
def long_lists():
    """Twenty-one articles of one rubric and tag in November 2025: two pages of each list."""
    rubric = RubricFactory(name="Политика", slug="politika")
    for day in range(21):
        ArticleFactory(
            published_at=local(2025, 11, 1, 9, 0) + datetime.timedelta(hours=day),
            rubrics=[rubric],
            tags=["Казахстан"],
        )
    return rubric


LIST_URLS = [
    reverse("articles:home"),
    reverse("articles:rubric", kwargs={"slug": "politika"}),
    reverse("articles:tag", kwargs={"slug": "kazakhstan"}),
    reverse("articles:archive_year", kwargs={"year": 2025}),
    reverse("articles:archive_month", kwargs={"year": 2025, "month": 11}),
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_page_two_has_a_canonical_link_with_its_page(client, long_lists, url):
    """Page 2 of a list is canonical with ?page=2, and og:url says the same."""
    page = get_page(client, f"{url}?page=2&utm_source=vk")
    assert canonical(page) == absolute(f"{url}?page=2")
    assert one_meta(page, "og:url") == absolute(f"{url}?page=2")


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_first_page_is_canonical_without_a_page_number(client, long_lists, url):
    """?page=1 and the bare address share one canonical address without a page number."""
    for query in ("", "?page=1"):
        assert canonical(get_page(client, url + query)) == absolute(url)


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (reverse("articles:home"), settings.PRESSROOM_SITE_NAME),
        (reverse("articles:rubric", kwargs={"slug": "politika"}), "Политика"),
        (reverse("articles:tag", kwargs={"slug": "kazakhstan"}), "Казахстан"),
        (reverse("articles:archive_year", kwargs={"year": 2025}), "Новости за 2025 год"),
        (reverse("articles:agreements"), "Реестр соглашений"),
    ],
)
def test_list_page_has_website_open_graph_tags(client, long_lists, url, title):
    """Lists are og:type website with their title and the page description."""
    page = get_page(client, url)
    assert one_meta(page, "og:type") == "website"
    assert one_meta(page, "og:title") == title
    assert one_meta(page, "og:description") == one_meta(page, "description")
    assert one_meta(page, "og:description")
    assert one_meta(page, "twitter:card") == "summary"
    assert meta(page, "og:image") == []
    assert page.xpath("//script[@type='application/ld+json']") == []


def test_registry_page_two_has_a_canonical_link_with_its_page(client, monkeypatch):
    """The agreements registry's page 2 is canonical with ?page=2."""
    monkeypatch.setattr("articles.views.agreements.AGREEMENTS_PER_PAGE", 2)
    for _ in range(3):
        AgreementFactory()
    registry = reverse("articles:agreements")
    assert canonical(get_page(client, registry)) == absolute(registry)
    page = get_page(client, f"{registry}?page=2")
    assert canonical(page) == absolute(f"{registry}?page=2")
    assert one_meta(page, "og:url") == absolute(f"{registry}?page=2")


def test_registry_canonical_keeps_valid_filters_only(client):
    """A filtered registry is canonical with its valid filters; junk parameters are dropped."""
    party = OrganizationFactory(country="KZ")
    AgreementFactory(kind="roadmap", parties=[party])
    registry = reverse("articles:agreements")
    page = get_page(
        client, f"{registry}?utm_source=x&kind=roadmap&year=abc&country=KZ&party={party.pk}"
    )
    assert canonical(page) == absolute(f"{registry}?party={party.pk}&country=KZ&kind=roadmap")


@pytest.fixture
def agreement():
    """A roadmap of two parties, with a summary and its document."""
    agreement = AgreementFactory(
        title="Дорожная карта сотрудничества на 2026–2028 годы",
        kind="roadmap",
        number="ДК-12",
        summary="План мероприятий по торгово-экономическому и гуманитарному сотрудничеству.",
        signed_on=datetime.date(2025, 11, 12),
        place="Уральск",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
        parties=[
            OrganizationFactory(
                name="Правительство Оренбургской области", short_name="", country="RU"
            ),
            OrganizationFactory(
                name="Акимат Западно-Казахстанской области", short_name="Акимат ЗКО", country="KZ"
            ),
        ],
    )
    agreement.document.save("roadmap.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return agreement


def test_agreement_page_has_open_graph_tags_and_canonical(client, agreement):
    """An agreement is og:type website with its title, summary and canonical address."""
    page = get_page(client, agreement.get_absolute_url())
    address = absolute(agreement.get_absolute_url())
    assert canonical(page) == address
    assert one_meta(page, "og:url") == address
    assert one_meta(page, "og:type") == "website"
    assert one_meta(page, "og:title") == agreement.title
    assert one_meta(page, "og:description") == agreement.summary
    assert one_meta(page, "og:locale") == "ru_RU"
    assert one_meta(page, "twitter:card") == "summary"


def test_agreement_json_ld_is_a_creative_work_with_signing_date(client, agreement):
    """JSON-LD is a CreativeWork with name, kind, number, date and place of signing."""
    data = json_ld(get_page(client, agreement.get_absolute_url()))
    assert data["@type"] == "CreativeWork"
    assert data["name"] == agreement.title
    assert data["genre"] == "дорожная карта"
    assert data["identifier"] == "ДК-12"
    assert data["description"] == agreement.summary
    assert data["dateCreated"] == "2025-11-12"
    assert data["locationCreated"] == {"@type": "Place", "name": "Уральск"}
    assert data["temporalCoverage"] == "2026-01-01/2028-12-31"
    assert data["url"] == absolute(agreement.get_absolute_url())
    assert data["publisher"]["name"] == settings.PRESSROOM_PUBLISHER


def test_agreement_json_ld_is_about_its_parties_as_organizations(client, agreement):
    """Every party is an Organization with its name, short name and country."""
    data = json_ld(get_page(client, agreement.get_absolute_url()))
    assert sorted(data["about"], key=lambda party: party["name"]) == [
        {
            "@type": "Organization",
            "name": "Акимат Западно-Казахстанской области",
            "alternateName": "Акимат ЗКО",
            "address": {"@type": "PostalAddress", "addressCountry": "KZ"},
        },
        {
            "@type": "Organization",
            "name": "Правительство Оренбургской области",
            "address": {"@type": "PostalAddress", "addressCountry": "RU"},
        },
    ]


def test_agreement_json_ld_links_the_document(client, agreement):
    """The document is linked by the absolute address of its download, as a PDF."""
    data = json_ld(get_page(client, agreement.get_absolute_url()))
    assert data["encoding"] == {
        "@type": "MediaObject",
        "contentUrl": absolute(reverse("articles:agreement_document", args=[agreement.pk])),
        "encodingFormat": "application/pdf",
    }


def test_agreement_without_document_or_end_date_leaves_them_out(client):
    """No document means no link; an open-ended validity is an interval ending in two dots."""
    agreement = AgreementFactory(valid_from=datetime.date(2026, 1, 1))
    data = json_ld(get_page(client, agreement.get_absolute_url()))
    assert "encoding" not in data
    assert data["temporalCoverage"] == "2026-01-01/.."


def test_agreement_page_runs_as_many_queries_as_before_metadata(
    client, agreement, django_assert_num_queries
):
    """Metadata reads the prefetched parties: the agreement page stays at 6 queries."""
    # The site-wide memos (rubric navigation, next publication), as any visit makes them.
    assert client.get("/").status_code == 200
    with django_assert_num_queries(6):
        assert client.get(agreement.get_absolute_url()).status_code == 200
