"""Agreement documents: random stored names and a download that is never shown inline."""

import re

import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Agreement
from tests.factories import AgreementFactory
from tests.test_admin_support import client_for, form_data, make_editor
from tests.test_exchange_support import pdf_bytes, use_fresh_storage

pytestmark = pytest.mark.django_db

PDF = pdf_bytes("Dorozhnaia karta 2026-2028")


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


def download_url(agreement):
    return reverse("articles:agreement_document", args=[agreement.pk])


def with_document(**fields):
    agreement = AgreementFactory(document_size=len(PDF), **fields)
    agreement.document.save("x.pdf", ContentFile(PDF))
    return agreement


def test_admin_stores_the_document_under_a_random_name():
    """A PDF uploaded in the admin is stored under a random name, not the slug or file name."""
    client = client_for(make_editor())
    agreement = AgreementFactory(slug="dorozhnaya-karta")
    url = reverse("admin:articles_agreement_change", args=[agreement.pk])
    data = form_data(client.get(url))
    data["document"] = SimpleUploadedFile("карта-2026.pdf", PDF)
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert re.fullmatch(r"agreements/[0-9a-f]{32}\.pdf", agreement.document.name)


def test_download_is_an_attachment_named_after_the_slug(client):
    """The document downloads as <slug>.pdf with the PDF type and its exact bytes."""
    agreement = with_document(slug="dorozhnaya-karta-2026-2028")
    response = client.get(download_url(agreement))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="dorozhnaya-karta-2026-2028.pdf"'
    )
    assert response["Content-Length"] == str(len(PDF))
    assert b"".join(response.streaming_content) == PDF


def test_download_is_sandboxed_and_not_sniffed(client):
    """The download carries nosniff and a sandboxing Content-Security-Policy."""
    response = client.get(download_url(with_document()))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_no_document_is_404(client):
    """An agreement without a document, or an unknown id, answers 404."""
    assert client.get(download_url(AgreementFactory())).status_code == 404
    assert client.get("/agreements/999999/document/").status_code == 404


def test_missing_file_is_404_not_500(client):
    """A row naming a file the storage lost answers 404."""
    agreement = with_document()
    agreement.document.storage.delete(agreement.document.name)
    assert client.get(download_url(agreement)).status_code == 404


def test_only_get_and_head_are_allowed(client):
    """POST to the download address is refused with 405."""
    agreement = with_document()
    assert client.head(download_url(agreement)).status_code == 200
    assert client.post(download_url(agreement)).status_code == 405


def test_agreement_page_links_the_download_with_its_size(client):
    """The agreement page links to the download and shows the size in Russian units."""
    agreement = with_document()
    Agreement.objects.filter(pk=agreement.pk).update(document_size=1_258_291)
    page = lxml.html.fromstring(client.get(agreement.get_absolute_url()).content.decode())
    (link,) = page.xpath('//a[text()="Скачать текст документа"]')
    assert link.get("href") == download_url(agreement)
    assert "PDF, 1,2\xa0МБ" in link.getparent().text_content()
