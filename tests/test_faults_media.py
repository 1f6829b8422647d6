"""Media storage that refuses writes: uploads fail with a form error, never a 500 or a lone row.

The storage roots are pointed below a regular file, so creating any folder there fails
with NotADirectoryError as a read-only or missing mount would, even for root (chmod
does not stop root, and the tests run as root in CI).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Photo
from tests.factories import AgreementFactory, ArticleFactory, image_bytes
from tests.test_admin_support import client_for, errors_of, form_data, make_editor
from tests.test_exchange_support import pdf_bytes
from tests.test_photos_support import files_under

pytestmark = pytest.mark.django_db

REFUSAL = "хранилище файлов не принимает новые файлы"
ALT = "Губернатор и аким подписывают дорожную карту"


@pytest.fixture
def roots(settings, tmp_path):
    """Writable public and private roots of this test, and a path no folder can be made under."""
    settings.MEDIA_ROOT = str(tmp_path / "public")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where a folder would have to be")
    return {"public": tmp_path / "public", "private": tmp_path / "private", "dead": blocker}


@pytest.fixture
def client():
    return client_for(make_editor())


@pytest.fixture
def article():
    return ArticleFactory()


def jpeg(name="снимок.jpg"):
    return SimpleUploadedFile(name, image_bytes(800, 500))


def post_new_photo(client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    index = int(data["photos-TOTAL_FORMS"]) - 1
    data.update({f"photos-{index}-alt": ALT, f"photos-{index}-upload": jpeg()})
    return client.post(url, data)


@pytest.mark.parametrize("dead_root", ["MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"])
def test_photo_in_the_article_form_is_a_form_error(client, article, roots, settings, dead_root):
    """Either storage unwritable: the article form shows a Russian error; no photo, no file."""
    setattr(settings, dead_root, str(roots["dead"] / "media"))
    response = post_new_photo(client, article)
    assert response.status_code == 200
    assert any(REFUSAL in str(error) for error in errors_of(response))
    assert not Photo.objects.exists()
    assert files_under(roots["public"]) == files_under(roots["private"]) == []


def test_bulk_upload_refuses_each_file_and_leaves_no_original(client, article, roots, settings):
    """Renditions unwritable: every file is listed as refused and its private original removed."""
    settings.MEDIA_ROOT = str(roots["dead"] / "media")
    url = reverse("admin:articles_article_bulk_photos", args=[article.pk])
    response = client.post(url, {"files": [jpeg("1.jpg"), jpeg("2.jpg")], "alt": ALT})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(REFUSAL) == 2
    assert not Photo.objects.exists()
    assert files_under(roots["private"]) == []


def test_bulk_upload_works_again_once_storage_is_back(client, article, roots, settings):
    """The refusal is not sticky: with the storage writable the same upload succeeds."""
    settings.MEDIA_ROOT = str(roots["dead"] / "media")
    url = reverse("admin:articles_article_bulk_photos", args=[article.pk])
    client.post(url, {"files": [jpeg()], "alt": ALT})
    settings.MEDIA_ROOT = str(roots["public"])
    assert client.post(url, {"files": [jpeg()], "alt": ALT}).status_code == 302
    photo = Photo.objects.get()
    assert len(files_under(roots["public"])) == len(photo.renditions)
    assert len(files_under(roots["private"])) == 1


def test_agreement_document_is_a_form_error(client, roots, settings):
    """A PDF that cannot be stored is a form error; the agreement keeps no document."""
    settings.MEDIA_ROOT = str(roots["dead"] / "media")
    agreement = AgreementFactory()
    url = reverse("admin:articles_agreement_change", args=[agreement.pk])
    data = form_data(client.get(url))
    data["document"] = SimpleUploadedFile("карта.pdf", pdf_bytes("Dorozhnaia karta"))
    response = client.post(url, data)
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    agreement.refresh_from_db()
    assert not agreement.document
    assert agreement.document_size is None
