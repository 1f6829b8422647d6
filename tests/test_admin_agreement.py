"""The agreement form: parties, ordered signatories, document chain and the PDF file."""

import datetime
import re

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Agreement, Signatory
from tests.factories import AgreementFactory, OrganizationFactory, SignatoryFactory
from tests.test_admin_support import client_for, errors_of, form_data, make_editor

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_agreement_add")
LIST_URL = reverse("admin:articles_agreement_changelist")
PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
TITLE = "Дорожная карта сотрудничества Оренбургской и Западно-Казахстанской областей"


@pytest.fixture
def client():
    return client_for(make_editor())


@pytest.fixture
def parties():
    return [
        OrganizationFactory(name="Правительство Оренбургской области", country="RU"),
        OrganizationFactory(name="Акимат Западно-Казахстанской области", country="KZ"),
    ]


def change_url(agreement):
    return reverse("admin:articles_agreement_change", args=[agreement.pk])


def agreement_data(client, parties, **values):
    """Return a valid add-form POST with two signatories, `values` laid over it."""
    data = form_data(client.get(ADD_URL))
    data.update(
        {
            "title": TITLE,
            "kind": Agreement.Kind.ROADMAP,
            "signed_on": "12.11.2025",
            "place": "Уральск",
            "event": "XXI Форум межрегионального сотрудничества России и Казахстана",
            "valid_from": "01.01.2026",
            "valid_until": "31.12.2028",
            "parties": [party.pk for party in parties],
            "signatories-0-name": "Евгений Солнцев",
            "signatories-0-position": "губернатор Оренбургской области",
            "signatories-0-party": str(parties[0].pk),
            "signatories-1-name": "Нариман Турегалиев",
            "signatories-1-position": "аким Западно-Казахстанской области",
            "signatories-1-party": str(parties[1].pk),
        }
    )
    data.update(values)
    return data


def messages_of(response):
    return [str(error) for error in errors_of(response)]


def test_add_saves_parties_signatories_in_order_and_a_slug(client, parties):
    """A new agreement gets its parties, numbered signatories and a Latin slug."""
    response = client.post(ADD_URL, agreement_data(client, parties))
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.slug.startswith("dorozhnaia-karta-sotrudnichestva-orenburgskoi")
    assert set(agreement.parties.all()) == set(parties)
    assert list(agreement.signatories.values_list("order", "name")) == [
        (1, "Евгений Солнцев"),
        (2, "Нариман Турегалиев"),
    ]


def test_end_before_start_is_a_russian_form_error(client, parties):
    """valid_until before valid_from is reported by the model check, not an IntegrityError."""
    data = agreement_data(client, parties, valid_from="01.01.2026", valid_until="31.12.2025")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Дата окончания действия не может быть раньше даты начала действия." in messages_of(
        response
    )
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("  ", "Обязательное поле."),
        (
            "С" * 10_000,
            "Убедитесь, что это значение содержит не более 1000 символов (сейчас 10000).",
        ),
        ("Соглашение\x00", "Данные содержат запрещённый символ: ноль-байт"),
    ],
)
def test_bad_title_is_a_form_error(client, parties, title, message):
    """Blank, overlong and NUL-carrying titles are refused with Russian messages."""
    response = client.post(ADD_URL, agreement_data(client, parties, title=title))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [message]


def test_two_signatories_with_one_order_are_a_form_error(client, parties):
    """Two signatories given the same number are refused in Russian; nothing is saved."""
    data = agreement_data(
        client, parties, **{"signatories-0-order": "1", "signatories-1-order": "1"}
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "У двух подписантов не может быть одинакового порядкового номера." in messages_of(
        response
    )
    assert not Signatory.objects.exists()


def test_swapping_signatories_saves(client):
    """Swapping the order numbers of two signatories does not trip the unique constraint."""
    agreement = AgreementFactory()
    first = SignatoryFactory(agreement=agreement, order=1)
    second = SignatoryFactory(agreement=agreement, order=2)
    data = form_data(client.get(change_url(agreement)))
    for index in (0, 1):
        pk = int(data[f"signatories-{index}-id"])
        data[f"signatories-{index}-order"] = "2" if pk == first.pk else "1"
    assert client.post(change_url(agreement), data).status_code == 302
    assert list(agreement.signatories.order_by("order")) == [second, first]


def test_pdf_upload_stores_the_size_under_a_random_name(client, parties):
    """A real PDF is stored under a random name (not the slug) with its size in bytes."""
    document = SimpleUploadedFile("‮fdp.exe", PDF, content_type="application/pdf")
    client.post(ADD_URL, agreement_data(client, parties, slug="roadmap", document=document))
    agreement = Agreement.objects.get()
    assert re.fullmatch(r"agreements/[0-9a-f]{32}\.pdf", agreement.document.name)
    assert agreement.document_size == len(PDF)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>not a pdf</html>", "Это не документ PDF."),
        (PDF.replace(b"<</Type", b"<</Encrypt 2 0 R /Type"), "Зашифрованные документы PDF"),
        (PDF.replace(b"<</Type", b"<</OpenAction <</JS (app.alert(1))>> /Type"), "со скриптами"),
    ],
    ids=["html", "encrypted", "javascript"],
)
def test_rejected_document_is_a_form_error(client, parties, content, message):
    """A file that is not a plain PDF is refused with a Russian message."""
    document = SimpleUploadedFile("doc.pdf", content)
    response = client.post(ADD_URL, agreement_data(client, parties, document=document))
    assert response.status_code == 200
    assert any(message in error for error in messages_of(response))
    assert not Agreement.objects.exists()


def test_clearing_the_document_forgets_its_size(client, parties):
    """Removing the file with the «clear» box also clears the stored size."""
    client.post(ADD_URL, agreement_data(client, parties, document=SimpleUploadedFile("d.pdf", PDF)))
    agreement = Agreement.objects.get()
    data = form_data(client.get(change_url(agreement)))
    data["document-clear"] = "on"
    assert client.post(change_url(agreement), data).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.document.name, agreement.document_size) == ("", None)


def chain_cell(response, field):
    page = lxml.html.fromstring(response.content.decode())
    (cell,) = page.xpath(f'//div[contains(@class, "field-{field}")]//div[@class="readonly"]')
    return [(link.text_content(), link.get("href")) for link in cell.xpath(".//a")]


def test_change_page_links_the_whole_chain(client):
    """An agreement's page links what it continues and implements, and what follows it."""
    base = AgreementFactory(title="Соглашение 2020 года")
    earlier = AgreementFactory(title="Дорожная карта 2023–2025", implements=base)
    current = AgreementFactory(title="Дорожная карта 2026–2028", continues=earlier, implements=base)
    response = client.get(change_url(earlier))
    assert chain_cell(response, "continued_by_links") == [(current.title, change_url(current))]
    assert chain_cell(response, "implements_link") == [(base.title, change_url(base))]
    response = client.get(change_url(base))
    assert sorted(chain_cell(response, "implemented_by_links")) == sorted(
        [(earlier.title, change_url(earlier)), (current.title, change_url(current))]
    )
    assert chain_cell(client.get(change_url(current)), "continues_link") == [
        (earlier.title, change_url(earlier))
    ]


@pytest.mark.parametrize("field", ["continues", "implements"])
def test_link_to_itself_or_round_the_chain_is_a_form_error(client, field):
    """An agreement cannot continue (or implement) itself, nor one that leads back to it."""
    first = AgreementFactory()
    second = AgreementFactory(**{field: first})
    for target in (first, second):
        data = form_data(client.get(change_url(first)))
        data[field] = str(target.pk)
        response = client.post(change_url(first), data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[field] == [
            "Документ не может продолжать сам себя или быть принят во исполнение самого себя, "
            "в том числе через другие документы."
        ]


def test_parties_are_found_by_autocomplete(client, parties):
    """The parties field searches organisations by name."""
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Акимат",
            "app_label": "articles",
            "model_name": "agreement",
            "field_name": "parties",
        },
    )
    assert [item["text"] for item in response.json()["results"]] == [str(parties[1])]


@pytest.mark.parametrize(
    ("validity", "expected"),
    [("in_force", ["действует"]), ("expired", ["истекло"]), ("pending", ["будущее"])],
)
def test_validity_filter_follows_the_dates(client, validity, expected):
    """The validity filter selects agreements in force, expired or pending today."""
    today = datetime.date.today()
    year = datetime.timedelta(days=365)
    AgreementFactory(title="действует", signed_on=today - year)
    AgreementFactory(title="истекло", signed_on=today - 2 * year, valid_until=today - year)
    AgreementFactory(title="будущее", signed_on=today, valid_from=today + year)
    response = client.get(LIST_URL, {"validity": validity})
    assert [agreement.title for agreement in response.context["cl"].result_list] == expected


def test_list_runs_the_same_number_of_queries_for_3_and_30(client, django_assert_num_queries):
    """The agreement list costs a fixed number of queries."""
    AgreementFactory.create_batch(3)
    with CaptureQueriesContext(connection) as three:
        client.get(LIST_URL)
    AgreementFactory.create_batch(27)
    with django_assert_num_queries(len(three)):
        response = client.get(LIST_URL)
    assert len(response.context["cl"].result_list) == 30
