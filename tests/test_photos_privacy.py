"""Privacy of stored photos: clean public files, random names, originals out of public reach."""

import io
import re
from pathlib import Path

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Photo
from tests.factories import ArticleFactory, image_bytes
from tests.test_admin_support import client_for, form_data, make_editor
from tests.test_exchange_support import article, run_import, use_fresh_storage, write_folder
from tests.test_photos_support import files_under, metadata_problems, private_jpeg

pytestmark = pytest.mark.django_db

RANDOM_RENDITION = re.compile(r"photos/[0-9a-f]{32}/(\d+|share|feed)\.(jpg|webp)")
RANDOM_ORIGINAL = re.compile(r"originals/[0-9a-f]{32}\.(jpg|png|webp)")
# Uploaded name, and what is kept of it: Django's upload parser drops everything up to the
# last slash and every non-printable character (such as the RTL override U+202E).
HOSTILE_NAMES = [
    ("<script>alert(1)</script>.jpg", "script>.jpg"),
    ("../../x.jpg", "x.jpg"),
    ("\u202egpj.exe", "gpj.exe"),
    ("CON.jpg", "CON.jpg"),
    ("-rf .jpg", "-rf .jpg"),
]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


@pytest.fixture
def client():
    return client_for(make_editor())


def admin_upload(client, article, name, content):
    """Post the article's change form with one new photo; return the response."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client.get(url))
    index = int(data["photos-TOTAL_FORMS"]) - 1
    data[f"photos-{index}-alt"] = "Губернатор на форуме в Уральске"
    data[f"photos-{index}-upload"] = SimpleUploadedFile(name, content)
    return client.post(url, data)


def assert_public_files_clean(settings):
    public = files_under(settings.MEDIA_ROOT)
    assert public
    for path in public:
        assert metadata_problems(path.read_bytes()) == [], path


def test_every_public_file_after_an_admin_upload_is_clean(client, settings):
    """After an admin upload no file under MEDIA_ROOT has EXIF, GPS, XMP, IPTC, COM or a trailer."""
    response = admin_upload(client, ArticleFactory(), "phone.jpg", private_jpeg())
    assert response.status_code == 302
    assert_public_files_clean(settings)


def test_every_public_file_after_an_import_is_clean(tmp_path, settings):
    """After an import of the exchange format no public file carries private data either."""
    folder = write_folder(
        tmp_path / "in",
        [article(photos=[{"file": "media/phone.jpg", "alt": "Губернатор на форуме"}])],
        files={"media/phone.jpg": private_jpeg()},
    )
    assert run_import(folder).ok
    assert Photo.objects.count() == 1
    assert_public_files_clean(settings)


def test_rotated_phone_photo_is_stored_upright(client):
    """A sideways photo with EXIF orientation 6 becomes a 600 × 800 portrait, red on top."""
    admin_upload(client, ArticleFactory(), "phone.jpg", private_jpeg(800, 600, orientation=6))
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (600, 800)
    largest = photo.best_width(600)
    with default_storage.open(largest["path"]) as handle:
        image = Image.open(io.BytesIO(handle.read())).convert("RGB")
    assert image.size == (600, 800)
    red, _green, blue = image.getpixel((300, 100))
    assert red > 200 and blue < 60


def test_stored_names_are_random(client, settings):
    """Public and private file names are random hex, unrelated to the uploaded name."""
    admin_upload(client, ArticleFactory(), "губернатор-солнцев-уральск.jpg", private_jpeg())
    public = [str(p.relative_to(settings.MEDIA_ROOT)) for p in files_under(settings.MEDIA_ROOT)]
    private = [
        str(p.relative_to(settings.PRIVATE_MEDIA_ROOT))
        for p in files_under(settings.PRIVATE_MEDIA_ROOT)
    ]
    assert public and all(RANDOM_RENDITION.fullmatch(name) for name in public), public
    assert len(private) == 1 and RANDOM_ORIGINAL.fullmatch(private[0]), private


def test_two_uploads_of_one_file_get_different_names(client):
    """The same file uploaded twice is stored twice under unrelated names: nothing to guess."""
    article = ArticleFactory()
    admin_upload(client, article, "photo.jpg", image_bytes(700, 500))
    admin_upload(client, article, "photo.jpg", image_bytes(700, 500))
    first, second = Photo.objects.order_by("pk")
    assert first.original.name != second.original.name
    assert not {r["path"] for r in first.renditions} & {r["path"] for r in second.renditions}


def test_original_is_kept_outside_media_root(client, settings):
    """The original (with its metadata) lies outside MEDIA_ROOT and has no public URL."""
    admin_upload(client, ArticleFactory(), "phone.jpg", private_jpeg())
    photo = Photo.objects.get()
    original = Path(settings.PRIVATE_MEDIA_ROOT, photo.original.name).resolve()
    assert original.is_file()
    assert not original.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        photo.original.url  # noqa: B018
    assert original.read_bytes() == private_jpeg()


@pytest.mark.parametrize(
    ("name", "kept"), HOSTILE_NAMES, ids=["script", "traversal", "rtl", "con", "dash"]
)
def test_hostile_upload_name_is_only_metadata(client, settings, name, kept):
    """A hostile file name is kept as the photo's metadata and appears in no stored path."""
    response = admin_upload(client, ArticleFactory(), name, image_bytes(500, 400))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.original_name == kept
    paths = [photo.original.name, *(r["path"] for r in photo.renditions)]
    assert all(re.fullmatch(r"[a-z]+/[0-9a-f]{32}(/\w+)?\.\w+", path) for path in paths), paths
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        assert all(
            path.resolve().is_relative_to(Path(root).resolve()) for path in files_under(root)
        )


def test_hostile_upload_name_is_escaped_where_the_admin_shows_it(client):
    """The uploaded name, shown as the photo's title on the delete page, is escaped."""
    article = ArticleFactory()
    admin_upload(client, article, "&lt;script&gt;alert(1)&lt;b&gt;.jpg", image_bytes(500, 400))
    photo = Photo.objects.get()
    assert photo.original_name == "<script>alert(1)<b>.jpg"  # the parser unescapes names
    Photo.objects.update(caption="", alt="")  # the name is then the photo's title
    url = reverse("admin:articles_article_delete", args=[article.pk])
    content = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;b&gt;.jpg" in content
    assert "<script>alert(1)" not in content
    assert lxml.html.fromstring(content).xpath('//script[contains(., "alert(1)")]') == []
