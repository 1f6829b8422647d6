"""Photos in the article form: upload by content, required alt text, swap-safe order."""

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Photo
from tests.factories import ArticleFactory, PhotoFactory, image_bytes
from tests.test_admin_support import client_for, errors_of, form_data, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return client_for(make_editor())


@pytest.fixture
def article():
    return ArticleFactory()


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def upload(name="снимок.jpg", content=None):
    return SimpleUploadedFile(name, image_bytes(800, 500) if content is None else content)


def with_new_photo(client, article, **fields):
    """Return the change-form POST of article with one new photo in the extra inline form."""
    data = form_data(client.get(change_url(article)))
    index = int(data["photos-TOTAL_FORMS"]) - 1
    values = {"alt": "Губернатор и аким подписывают дорожную карту", "upload": upload()}
    values.update(fields)
    data.update({f"photos-{index}-{name}": value for name, value in values.items()})
    return data


def photo_errors(response):
    return [str(error) for error in errors_of(response)]


def test_upload_makes_a_photo_with_renditions_placed_last(client, article):
    """A valid upload creates the photo, its renditions and puts it after existing ones."""
    PhotoFactory(article=article, position=4)
    response = client.post(change_url(article), with_new_photo(client, article))
    assert response.status_code == 302
    photo = article.photos.order_by("position").last()
    assert photo.position == 5
    assert photo.original_name == "снимок.jpg"
    assert (photo.width, photo.height) == (800, 500)
    assert all(default_storage.exists(r["path"]) for r in photo.renditions)


def test_change_page_shows_a_sized_thumbnail(client, article):
    """Each saved photo shows its thumbnail rendition with width and height set."""
    photo = PhotoFactory(article=article, width=1600, height=1000)
    page = lxml.html.fromstring(client.get(change_url(article)).content.decode())
    (image,) = page.xpath('//td[contains(@class, "field-thumbnail")]//img')
    assert image.get("src") == photo.url_of(photo.thumbnail)
    assert (image.get("width"), image.get("height")) == ("160", "100")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>", "Это не изображение в формате"),
        ("photo.jpg", image_bytes(800, 500)[:3000], "повреждено или загружено не полностью"),
        ("empty.jpg", b"", "Отправленный файл пуст."),
        ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "Это не"),
    ],
    ids=["html-as-jpg", "truncated", "empty", "svg"],
)
def test_rejected_file_is_a_russian_form_error(client, article, name, content, message):
    """A file that is not a readable JPEG, PNG or WebP is refused by content, never a 500."""
    data = with_new_photo(client, article, upload=upload(name, content))
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert any(message in error for error in photo_errors(response))
    assert not Photo.objects.exists()


def test_png_named_jpg_is_accepted_as_what_it_is(client, article):
    """The file's content decides its type, not its name."""
    data = with_new_photo(client, article, upload=upload("photo.jpg", image_bytes(fmt="PNG")))
    assert client.post(change_url(article), data).status_code == 302
    assert article.photos.get().original.name.endswith(".png")


def test_alt_text_is_required(client, article):
    """A photo without alternative text is refused."""
    response = client.post(change_url(article), with_new_photo(client, article, alt="   "))
    assert "Обязательное поле." in photo_errors(response)
    assert not Photo.objects.exists()


def test_new_photo_row_without_a_file_asks_for_one(client, article):
    """Filling in a new photo's text without choosing a file is a form error."""
    data = with_new_photo(client, article, upload="")
    response = client.post(change_url(article), data)
    assert "Выберите файл фотографии для загрузки." in photo_errors(response)


def positions_post(client, article, positions):
    """Return the change-form POST that gives the article's photos (by id) new numbers."""
    data = form_data(client.get(change_url(article)))
    for index in range(int(data["photos-INITIAL_FORMS"])):
        photo_id = int(data[f"photos-{index}-id"])
        data[f"photos-{index}-position"] = str(positions[photo_id])
    return data


def test_swapping_two_positions_saves(client, article):
    """Swapping the numbers of two photos does not trip the unique constraint."""
    first = PhotoFactory(article=article, position=1)
    second = PhotoFactory(article=article, position=2)
    data = positions_post(client, article, {first.pk: 2, second.pk: 1})
    assert client.post(change_url(article), data).status_code == 302
    assert list(article.photos.order_by("position")) == [second, first]


def test_rotating_three_positions_saves(client, article):
    """A rotation 1→2→3→1 saves in one go."""
    photos = [PhotoFactory(article=article, position=n) for n in (1, 2, 3)]
    moves = {photos[0].pk: 2, photos[1].pk: 3, photos[2].pk: 1}
    assert (
        client.post(change_url(article), positions_post(client, article, moves)).status_code == 302
    )
    assert list(article.photos.order_by("position")) == [photos[2], photos[0], photos[1]]


def test_two_photos_with_one_position_are_a_form_error(client, article):
    """Giving two photos the same number is refused in Russian and changes nothing."""
    first = PhotoFactory(article=article, position=1)
    second = PhotoFactory(article=article, position=2)
    data = positions_post(client, article, {first.pk: 1, second.pk: 1})
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "У двух фотографий одной статьи не может быть одинакового номера." in photo_errors(
        response
    )
    second.refresh_from_db()
    assert second.position == 2


def test_deleted_photo_gives_its_number_to_another(
    client, article, django_capture_on_commit_callbacks
):
    """A photo can take the number of one deleted in the same save; its files stay for history."""
    first = PhotoFactory(article=article, position=1)
    second = PhotoFactory(article=article, position=2)
    data = positions_post(client, article, {first.pk: 1, second.pk: 1})
    data["photos-0-DELETE" if data["photos-0-id"] == str(first.pk) else "photos-1-DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(article), data).status_code == 302
    assert list(article.photos.values_list("pk", "position")) == [(second.pk, 1)]
    assert all(default_storage.exists(r["path"]) for r in first.renditions)


def test_new_file_replaces_the_photo_and_its_old_renditions(
    client, article, django_capture_on_commit_callbacks
):
    """Uploading a file on an existing photo re-renders it; old files stay for history."""
    photo = PhotoFactory(article=article, position=1, width=1600, height=1000)
    old = list(photo.renditions)
    data = form_data(client.get(change_url(article)))
    data["photos-0-upload"] = upload("new.jpg", image_bytes(640, 480))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(article), data).status_code == 302
    photo.refresh_from_db()
    assert (photo.width, photo.height, photo.original_name) == (640, 480, "new.jpg")
    assert {r["path"] for r in photo.renditions}.isdisjoint(r["path"] for r in old)
    assert all(default_storage.exists(r["path"]) for r in old)
