"""The agreements registry, its filters and open-data downloads, and the agreement page."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Agreement, Article
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    OrganizationFactory,
    SignatoryFactory,
)

pytestmark = pytest.mark.django_db

REGISTRY = "/agreements/"
# A day on which the three documents of the `chain` fixture have three different statuses.
TODAY = datetime.datetime(2025, 12, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def parties():
    orenburg = OrganizationFactory(
        name="Правительство Оренбургской области", short_name="Оренбургская область", country="RU"
    )
    akimat = OrganizationFactory(
        name="Акимат Западно-Казахстанской области", short_name="Акимат ЗКО", country="KZ"
    )
    return orenburg, akimat


@pytest.fixture
def chain(parties):
    """A base agreement (in force), a roadmap for 2023–2025 and one for 2026–2028."""
    base = AgreementFactory(
        title="Соглашение о сотрудничестве",
        slug="soglashenie",
        signed_on=datetime.date(2019, 3, 5),
        place="Оренбург",
        parties=list(parties),
    )
    first = AgreementFactory(
        title="Дорожная карта на 2023–2025 годы",
        slug="karta-2023",
        kind=Agreement.Kind.ROADMAP,
        signed_on=datetime.date(2023, 11, 7),
        place="Костанай",
        valid_from=datetime.date(2023, 1, 1),
        valid_until=datetime.date(2025, 11, 30),
        implements=base,
        parties=list(parties),
    )
    second = AgreementFactory(
        title="Дорожная карта на 2026–2028 годы",
        slug="karta-2026",
        kind=Agreement.Kind.ROADMAP,
        signed_on=datetime.date(2025, 11, 12),
        place="Уральск",
        event="XXI Форум межрегионального сотрудничества России и Казахстана",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2028, 12, 31),
        implements=base,
        continues=first,
        parties=list(parties),
    )
    return base, first, second


def listed(response):
    return [agreement.title for agreement in response.context["page_obj"].object_list]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@time_machine.travel(TODAY)
def test_registry_shows_kind_parties_signing_period_and_status(client, chain):
    """Each document shows its kind, parties, date and place, period and derived status."""
    content = client.get(REGISTRY).content.decode()
    assert "Дорожная карта на 2026–2028 годы" in content
    assert "Акимат Западно-Казахстанской области; Правительство Оренбургской области" in content
    assert "12 ноября 2025, Уральск" in content
    assert "с 1 января 2026 по 31 декабря 2028" in content
    assert "с даты подписания, бессрочно" in content
    assert "Найдено 3 документа" in content


@time_machine.travel(TODAY)
def test_registry_derives_in_force_expired_and_pending(client, chain):
    """The status follows the dates: in force, expired or not yet in force."""
    statuses = {
        agreement.title: agreement.current_status
        for agreement in client.get(REGISTRY).context["page_obj"].object_list
    }
    assert statuses == {
        "Соглашение о сотрудничестве": Agreement.Status.IN_FORCE,
        "Дорожная карта на 2023–2025 годы": Agreement.Status.EXPIRED,
        "Дорожная карта на 2026–2028 годы": Agreement.Status.PENDING,
    }


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"kind": "roadmap"},
            ["Дорожная карта на 2026–2028 годы", "Дорожная карта на 2023–2025 годы"],
        ),
        ({"year": "2019"}, ["Соглашение о сотрудничестве"]),
        ({"status": "expired"}, ["Дорожная карта на 2023–2025 годы"]),
        ({"status": "pending"}, ["Дорожная карта на 2026–2028 годы"]),
        ({"status": "in_force"}, ["Соглашение о сотрудничестве"]),
        ({"country": "KZ", "kind": "agreement"}, ["Соглашение о сотрудничестве"]),
    ],
)
def test_registry_filters(client, chain, query, expected):
    """Filters by kind, year, status and country narrow the list."""
    assert listed(client.get(REGISTRY, query)) == expected


def test_registry_filters_by_party(client, chain, parties):
    """Filtering by a party keeps only the documents it signed."""
    other = AgreementFactory(title="Соглашение с другим регионом")
    party = other.parties.get()
    assert listed(client.get(REGISTRY, {"party": party.pk})) == ["Соглашение с другим регионом"]
    assert len(listed(client.get(REGISTRY, {"party": parties[1].pk}))) == 3


def test_country_filter_lists_each_document_once(client, parties):
    """A document with two parties from one country is listed once."""
    second_russian = OrganizationFactory(country="RU")
    AgreementFactory(title="Межрегиональное соглашение", parties=[parties[0], second_russian])
    assert listed(client.get(REGISTRY, {"country": "RU"})) == ["Межрегиональное соглашение"]


@pytest.mark.parametrize(
    "query",
    [
        {"party": "abc"},
        {"party": "99999999999999999999"},
        {"party": "1\x00"},
        {"country": "ZZ"},
        {"kind": "treaty"},
        {"year": "0000"},
        {"year": "9" * 5000},
        {"status": "'; DROP TABLE articles_agreement; --"},
    ],
)
def test_invalid_filters_are_ignored(client, chain, query):
    """A filter value outside the choices is ignored with a note, never an error page."""
    response = client.get(REGISTRY, query)
    assert response.status_code == 200
    assert len(listed(response)) == 3
    assert "отбор по нему не применён" in response.content.decode()


def test_csv_download_holds_the_filtered_list(client, chain):
    """The CSV download lists the same filtered documents, in UTF-8 with a header row."""
    response = client.get("/agreements/export.csv", {"kind": "roadmap"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="agreements.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == [
        "Дорожная карта на 2026–2028 годы",
        "Дорожная карта на 2023–2025 годы",
    ]
    assert rows[0]["signed_on"] == "2025-11-12"
    assert rows[0]["parties"] == (
        "Акимат Западно-Казахстанской области; Правительство Оренбургской области"
    )
    assert rows[0]["url"] == f"http://testserver{chain[2].get_absolute_url()}"


@time_machine.travel(TODAY)
def test_json_download_holds_the_filtered_list(client, chain):
    """The JSON download lists the filtered documents with their status and parties."""
    response = client.get("/agreements/export.json", {"status": "pending"})
    data = json.loads(response.content)
    assert data["count"] == 1
    (item,) = data["agreements"]
    assert item["title"] == "Дорожная карта на 2026–2028 годы"
    assert item["status"] == "pending"
    assert item["valid_until"] == "2028-12-31"
    assert item["countries"] == ["KZ", "RU"]


def test_csv_cells_cannot_run_as_formulas(client):
    """A title starting with "=" is written so that spreadsheets show it as text."""
    AgreementFactory(title='=HYPERLINK("http://example.com")')
    response = client.get("/agreements/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["title"].startswith("'=")


@time_machine.travel(TODAY)
def test_agreement_page_shows_parties_signatories_place_period_and_status(client, chain, parties):
    """The page shows parties, signatories with positions, place, event, period and status."""
    roadmap = chain[2]
    SignatoryFactory(
        agreement=roadmap, order=1, name="Евгений Солнцев",
        position="губернатор Оренбургской области", party=parties[0],
    )  # fmt: skip
    SignatoryFactory(
        agreement=roadmap, order=2, name="Нариман Турегалиев",
        position="аким Западно-Казахстанской области", party=parties[1],
    )  # fmt: skip
    content = client.get(roadmap.get_absolute_url()).content.decode()
    assert "<h1>Дорожная карта на 2026–2028 годы</h1>" in content
    assert 'Акимат Западно-Казахстанской области <span class="meta">(Казахстан)</span>' in content
    assert "<strong>Евгений Солнцев</strong>, губернатор Оренбургской области" in content
    assert content.index("Евгений Солнцев") < content.index("Нариман Турегалиев")
    assert "12 ноября 2025, Уральск" in content
    assert "XXI Форум межрегионального сотрудничества России и Казахстана" in content
    assert "с 1 января 2026 по 31 декабря 2028" in content
    assert 'class="status status--pending"' in content


def test_agreement_page_shows_the_chain_in_both_directions(client, chain):
    """Each document links what it continues and implements, and what continues it."""
    base, first, second = chain
    second_page = client.get(second.get_absolute_url()).content.decode()
    assert f'<a href="{first.get_absolute_url()}">{first.title}</a>' in second_page
    assert f'<a href="{base.get_absolute_url()}">{base.title}</a>' in second_page
    first_page = client.get(first.get_absolute_url()).content.decode()
    assert "Продолжен документом" in first_page
    assert f'<a href="{second.get_absolute_url()}">{second.title}</a>' in first_page
    base_page = client.get(base.get_absolute_url()).content.decode()
    assert "Реализуется документами" in base_page
    assert first.title in base_page
    assert second.title in base_page


def test_agreement_page_offers_the_document_with_its_size(client):
    """The document is linked with its size in Russian units."""
    agreement = AgreementFactory(document_size=1_258_291)
    agreement.document.save("roadmap.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    content = client.get(agreement.get_absolute_url()).content.decode()
    download = reverse("articles:agreement_document", args=[agreement.pk])
    assert f'<a href="{download}" download>Скачать текст документа</a>' in content
    assert "1,2\xa0МБ" in content


def test_json_download_links_the_document_download(client):
    """Open data points at the download address, not at the stored file's name."""
    agreement = AgreementFactory(document_size=15)
    agreement.document.save("roadmap.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    rows = json.loads(client.get("/agreements/export.json").content)
    download = reverse("articles:agreement_document", args=[agreement.pk])
    assert [row["document_url"] for row in rows["agreements"]] == [f"http://testserver{download}"]


def test_agreement_page_lists_only_published_articles(client, chain):
    """The news about a document are its published articles; drafts stay hidden."""
    roadmap = chain[2]
    published = ArticleFactory(title="Подписана дорожная карта")
    draft = ArticleFactory(title="Черновик о карте", status=Article.Status.DRAFT)
    roadmap.articles.add(published, draft)
    content = client.get(roadmap.get_absolute_url()).content.decode()
    assert f'<a href="{published.get_absolute_url()}">Подписана дорожная карта</a>' in content
    assert "Черновик о карте" not in content


def test_agreement_wrong_slug_redirects_permanently(client, chain):
    """An outdated slug answers 301 to the canonical address."""
    response = client.get(f"/agreements/{chain[0].pk}-staryi/")
    assert response.status_code == 301
    assert response["Location"] == chain[0].get_absolute_url()


def test_registry_runs_the_same_queries_for_3_and_30_documents(client):
    """The registry costs the same queries for 3 and for 30 documents with many parties."""

    def add(count):
        for _ in range(count):
            AgreementFactory(parties=[OrganizationFactory(), OrganizationFactory(country="KZ")])

    add(3)
    with_three = count_queries(client, REGISTRY)
    add(27)
    assert count_queries(client, REGISTRY) == with_three
    assert with_three <= 8


def test_agreement_page_runs_the_same_queries_for_3_and_30_items(client):
    """Parties, signatories, linked documents and articles do not add queries."""
    agreement = AgreementFactory()

    def add(count, start):
        for number in range(start, start + count):
            party = OrganizationFactory()
            agreement.parties.add(party)
            SignatoryFactory(agreement=agreement, order=number, party=party)
            AgreementFactory(continues=agreement)
            AgreementFactory(implements=agreement)
            agreement.articles.add(ArticleFactory())

    add(3, 0)
    with_three = count_queries(client, agreement.get_absolute_url())
    add(27, 3)
    assert count_queries(client, agreement.get_absolute_url()) == with_three
    assert with_three <= 8
