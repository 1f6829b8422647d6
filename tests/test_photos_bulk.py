"""Bulk photo upload from the article's admin page: many files, shared texts, placed last."""

import lxml.html
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Photo
from tests.factories import ArticleFactory, PhotoFactory, image_bytes
from tests.otp_support import force_login_verified
from tests.test_admin_support import client_for, form_data, make_editor
from tests.test_exchange_support import use_fresh_storage
from tests.test_photos_support import files_under

pytestmark = pytest.mark.django_db

TEXTS = {
    "alt": "Участники XXI Форума межрегионального сотрудничества России и Казахстана",
    "caption": "Форум в Уральске",
    "credit": "telegram-канал губернатора Оренбургской области",
    "credit_url": "t.me/solntsev_official",
}


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


@pytest.fixture
def client():
    return client_for(make_editor())


@pytest.fixture
def article():
    return ArticleFactory()


def bulk_url(article):
    return reverse("admin:articles_article_bulk_photos", args=[article.pk])


def jpeg(name, width=640, height=480):
    return SimpleUploadedFile(name, image_bytes(width, height))


def post(client, article, files, **texts):
    return client.post(bulk_url(article), {"files": files, **{**TEXTS, **texts}})


def test_change_page_links_to_the_bulk_upload(client, article):
    """The article's change page has an "Upload photos" button leading to the upload page."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = lxml.html.fromstring(client.get(url).content.decode())
    (link,) = page.xpath('//ul[@class="object-tools"]//a[text()="Загрузить фотографии"]')
    assert link.get("href") == bulk_url(article)


def test_upload_page_offers_a_multiple_file_input(client, article):
    """The page has one file input that accepts many files, and the shared text fields."""
    page = lxml.html.fromstring(client.get(bulk_url(article)).content.decode())
    (file_input,) = page.xpath('//form[@id="bulk_photos_form"]//input[@type="file"]')
    assert file_input.get("multiple") is not None
    assert page.xpath('//form[@enctype="multipart/form-data"]')
    for name in ("alt", "caption", "credit", "credit_url"):
        assert page.xpath(f'//*[@name="{name}"]'), name


def test_files_become_photos_after_existing_ones_in_upload_order(client, article):
    """Uploaded files are appended after the article's photos, in the order they were sent."""
    PhotoFactory(article=article, position=3)
    files = [jpeg("a.jpg", 700), jpeg("b.jpg", 500), jpeg("c.jpg", 600)]
    response = post(client, article, files)
    assert response.status_code == 302
    assert response["Location"].endswith("#photos-group")
    new = list(article.photos.filter(position__gt=3).order_by("position"))
    assert [(p.position, p.original_name, p.width) for p in new] == [
        (4, "a.jpg", 700),
        (5, "b.jpg", 500),
        (6, "c.jpg", 600),
    ]


def test_shared_texts_are_given_to_every_photo(client, article):
    """Caption, credit, credit link and alt text are set on each uploaded photo."""
    post(client, article, [jpeg("a.jpg"), jpeg("b.jpg")])
    photos = article.photos.all()
    assert len(photos) == 2
    for photo in photos:
        assert (photo.alt, photo.caption, photo.credit) == (
            TEXTS["alt"],
            TEXTS["caption"],
            TEXTS["credit"],
        )
        assert photo.credit_url == "https://t.me/solntsev_official"
        assert photo.renditions


def test_refused_files_are_listed_by_name_and_valid_ones_saved(client, article):
    """Each refused file is listed with its Russian reason; the acceptable files are saved."""
    files = [
        jpeg("good-1.jpg"),
        SimpleUploadedFile("page.jpg", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("broken.jpg", image_bytes(800, 600)[:2500]),
        SimpleUploadedFile("empty.jpg", b""),
        jpeg("good-2.jpg"),
    ]
    response = post(client, article, files)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    items = [item.text_content() for item in page.xpath('//ul[@id="refused-files"]/li')]
    assert len(items) == 3
    assert items[0].startswith("page.jpg: Это не изображение")
    assert items[1].startswith("broken.jpg: ") and "повреждено" in items[1]
    assert items[2].startswith("empty.jpg: ") and "пуст" in items[2]
    names = list(article.photos.order_by("position").values_list("original_name", flat=True))
    assert names == ["good-1.jpg", "good-2.jpg"]
    assert "Загружены 2 фотографии." in response.content.decode()


def test_refused_file_names_are_escaped_and_direction_marks_removed(client, article):
    """A file name with markup or an RTL override is shown escaped and without the override."""
    files = [SimpleUploadedFile("&lt;img src=x onerror=alert(1)&gt;\u202egpj.exe", b"MZ")]
    content = post(client, article, files).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;gpj.exe" in content
    assert "<img src=x" not in content
    assert "\u202e" not in content


def test_alt_text_is_required(client, article, settings):
    """Without alternative text nothing is uploaded and the field shows the error."""
    response = post(client, article, [jpeg("a.jpg")], alt="  ")
    assert response.status_code == 200
    assert "Обязательное поле." in response.content.decode()
    assert not Photo.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_no_files_is_a_form_error(client, article):
    """Sending the form without files asks for them."""
    response = post(client, article, [])
    assert response.status_code == 200
    assert "Обязательное поле." in response.content.decode()


def test_more_files_than_allowed_is_a_clear_error(settings, article):
    """101 files in one request get a Russian page naming the limit (400), not a 500."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client = client_for(make_editor())
    response = post(client, article, [jpeg(f"{n}.jpg", 40, 30) for n in range(4)])
    assert response.status_code == 400
    assert "не больше 3 фотографий" in response.content.decode()
    assert not Photo.objects.exists()


def test_too_many_files_message_survives_the_csrf_check(settings, article):
    """With CSRF checks on, too many files still get the clear page, not a bare 400 or 403."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client = Client(enforce_csrf_checks=True)
    force_login_verified(client, make_editor())
    data = form_data(client.get(bulk_url(article)), form_id="bulk_photos_form")
    data.update(TEXTS, files=[jpeg(f"{n}.jpg", 40, 30) for n in range(4)])
    response = client.post(bulk_url(article), data)
    assert response.status_code == 400
    assert "не больше 3 фотографий" in response.content.decode()


def test_csrf_token_is_still_required(article):
    """A valid number of files without a CSRF token is refused and nothing is saved."""
    client = Client(enforce_csrf_checks=True)
    force_login_verified(client, make_editor())
    response = post(client, article, [jpeg("a.jpg")])
    assert response.status_code == 403
    assert not Photo.objects.exists()


def test_csrf_protected_upload_with_a_token_works(article):
    """With CSRF checks on, the form's own token lets the upload through."""
    client = Client(enforce_csrf_checks=True)
    force_login_verified(client, make_editor())
    data = form_data(client.get(bulk_url(article)), form_id="bulk_photos_form")
    data.update(TEXTS, files=[jpeg("a.jpg")])
    assert client.post(bulk_url(article), data).status_code == 302
    assert article.photos.count() == 1


def test_change_permission_is_required(article):
    """An editor who may view but not change articles gets 403 and uploads nothing."""
    viewer = make_editor("viewer")
    viewer.user_permissions.set(Permission.objects.filter(codename="view_article"))
    client = client_for(viewer)
    assert client.get(bulk_url(article)).status_code == 403
    assert post(client, article, [jpeg("a.jpg")]).status_code == 403
    assert not Photo.objects.exists()


def test_anonymous_visitor_is_sent_to_the_login_page(article):
    """The upload page is part of the admin: anonymous visitors are asked to log in."""
    response = Client().get(bulk_url(article))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_unknown_article_redirects_to_the_admin_index(client):
    """An address with a missing article id leads back with a message, not a 500."""
    response = client.get(reverse("admin:articles_article_bulk_photos", args=[999999]))
    assert response.status_code == 302


def test_upload_changes_the_article_etag(client, article):
    """After an upload the public article page gets a new ETag: no stale cached copy."""
    before = Client().get(article.get_absolute_url())["ETag"]
    post(client, article, [jpeg("a.jpg")])
    after = Client().get(article.get_absolute_url())
    assert after["ETag"] != before
    assert "Форум в Уральске" in after.content.decode()


def test_upload_is_recorded_in_the_history(client, article):
    """The article's history lists the upload as a version that includes the new photo."""
    post(client, article, [jpeg("a.jpg")])
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "Загружены фотографии" in history.content.decode()
    assert Version.objects.get_for_object(article.photos.get()).count() == 1
