"""Renditions: the regenerate command, and imports that match uploads file for file."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles import images
from articles.models import Photo
from tests.factories import ArticleFactory, PhotoFactory, image_bytes
from tests.test_admin_support import client_for, make_editor
from tests.test_exchange_support import (
    article,
    run_command,
    run_import,
    use_fresh_storage,
    write_folder,
)
from tests.test_photos_support import files_under

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    return use_fresh_storage(settings, tmp_path)


@pytest.fixture
def change_sizes(monkeypatch):
    """Return a function that changes the rendition plan as a developer would."""

    def change():
        monkeypatch.setattr(images, "RENDITION_WIDTHS", (400, 800, 1600))
        monkeypatch.setattr(images, "SHARE_SIZE", (1000, 500))

    return change


@pytest.fixture
def regenerate(django_capture_on_commit_callbacks):
    """Return a function running the command, with its after-commit deletions carried out."""

    def run(*args):
        with django_capture_on_commit_callbacks(execute=True):
            return run_command("regenerate_renditions", *args)

    return run


def described(photo):
    return sorted((r["name"], r["format"], r["width"], r["height"]) for r in photo.renditions)


def public_files(settings):
    return {str(path) for path in files_under(settings.MEDIA_ROOT)}


def test_nothing_to_do_when_renditions_are_current(settings, regenerate):
    """With the plan unchanged the command touches no photo and no file."""
    photo = PhotoFactory(width=1400, height=900)
    files = public_files(settings)
    outcome = regenerate()
    assert outcome.ok
    assert "Копии созданы заново: 0; уже актуальны: 1;" in outcome.out
    photo.refresh_from_db()
    assert public_files(settings) == files


def test_changed_sizes_are_applied_and_old_files_removed(settings, change_sizes, regenerate):
    """After the sizes change, renditions follow the new plan and the old files are gone."""
    photo = PhotoFactory(width=1400, height=900)
    change_sizes()
    old_paths = [r["path"] for r in photo.renditions]
    assert not images.renditions_are_current(photo)
    outcome = regenerate()
    assert outcome.ok, outcome.text
    photo.refresh_from_db()
    assert images.renditions_are_current(photo)
    assert [r["width"] for r in photo._renditions("jpeg")] == [400, 800, 1400]
    assert photo.rendition("share")["width"] == 1000
    assert not any(default_storage.exists(path) for path in old_paths)
    assert public_files(settings) == {
        str(default_storage.path(r["path"])) for r in photo.renditions
    }


def test_second_run_does_nothing(settings, change_sizes, regenerate):
    """Running the command twice gives the same files: the second run changes nothing."""
    PhotoFactory(width=1400, height=900)
    change_sizes()
    assert regenerate().ok
    files = public_files(settings)
    outcome = regenerate()
    assert "Копии созданы заново: 0; уже актуальны: 1;" in outcome.out
    assert public_files(settings) == files


def test_a_change_of_dimensions_alone_is_noticed(monkeypatch):
    """A new sharing size keeps the rendition names but still makes them out of date."""
    photo = PhotoFactory(width=1400, height=900)
    monkeypatch.setattr(images, "SHARE_SIZE", (1000, 500))
    assert not images.renditions_are_current(photo)


def test_force_remakes_current_renditions(regenerate):
    """--force remakes every photo's renditions even when they are current."""
    photo = PhotoFactory(width=700, height=500)
    before = {r["path"] for r in photo.renditions}
    assert "Копии созданы заново: 1;" in regenerate("--force").out
    photo.refresh_from_db()
    assert not before & {r["path"] for r in photo.renditions}
    assert not any(default_storage.exists(path) for path in before)


def test_article_option_limits_the_work(change_sizes, regenerate):
    """--article ID regenerates only that article's photos."""
    chosen, other = PhotoFactory(width=900, height=600), PhotoFactory(width=900, height=600)
    change_sizes()
    assert regenerate("--article", chosen.article_id).ok
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert images.renditions_are_current(chosen)
    assert not images.renditions_are_current(other)


def test_unknown_article_is_an_error(regenerate):
    """An article id that does not exist stops the command with a clear message."""
    outcome = regenerate("--article", 999999)
    assert not outcome.ok
    assert "Статьи с номером 999999 нет." in outcome.error


def test_all_photos_are_processed_in_small_chunks(
    change_sizes, django_assert_max_num_queries, regenerate
):
    """With --chunk-size 2, five photos are all processed, reading two at a time."""
    photos = [PhotoFactory(width=500, height=400) for _ in range(5)]
    change_sizes()
    # 3 chunk reads + an empty one, and per photo an UPDATE of the photo and the article.
    with django_assert_max_num_queries(4 + 2 * 5 + 2 * 5):
        assert regenerate("--chunk-size", "2").ok
    for photo in photos:
        photo.refresh_from_db()
        assert images.renditions_are_current(photo)


def test_old_files_are_deleted_only_after_the_row_is_saved(monkeypatch, change_sizes, regenerate):
    """When old files are deleted, the stored photo already points at the new ones."""
    photo = PhotoFactory(width=900, height=600)
    change_sizes()
    old = {r["path"] for r in photo.renditions}
    seen = []
    delete = images.delete_renditions

    def watching(renditions, **kwargs):
        stored = {r["path"] for r in Photo.objects.get(pk=photo.pk).renditions}
        seen.append((stored, {r["path"] for r in renditions}))
        delete(renditions, **kwargs)

    monkeypatch.setattr(images, "delete_renditions", watching)
    assert regenerate().ok
    assert len(seen) == 1
    stored, deleted = seen[0]
    assert deleted == old
    assert not stored & deleted


def test_article_page_etag_changes_when_renditions_change(client, change_sizes, regenerate):
    """Regenerating gives the article a new ETag: no cached page points at deleted files."""
    photo = PhotoFactory(width=900, height=600)
    change_sizes()
    url = photo.article.get_absolute_url()
    before = client.get(url)["ETag"]
    assert regenerate().ok
    assert client.get(url)["ETag"] != before


def test_a_missing_original_is_reported_and_others_go_on(change_sizes, regenerate):
    """A photo whose original is gone is named in the report; the other photos are done."""
    broken, fine = PhotoFactory(width=900, height=600), PhotoFactory(width=900, height=600)
    change_sizes()
    broken.original.storage.delete(broken.original.name)
    outcome = regenerate()
    assert not outcome.ok
    assert f"Фотография {broken.pk}:" in outcome.err
    fine.refresh_from_db()
    assert images.renditions_are_current(fine)


def test_import_makes_the_same_renditions_as_an_upload(tmp_path):
    """An imported photo and the same file uploaded in the admin get identical renditions."""
    data = image_bytes(1500, 1000, fmt="PNG", color=(10, 120, 60))
    folder = write_folder(
        tmp_path / "in",
        [article(photos=[{"file": "media/forum.png", "alt": "Форум в Уральске"}])],
        files={"media/forum.png": data},
    )
    assert run_import(folder).ok
    imported = Photo.objects.get()
    target = ArticleFactory()
    client_for(make_editor()).post(
        reverse("admin:articles_article_bulk_photos", args=[target.pk]),
        {"files": [SimpleUploadedFile("forum.png", data)], "alt": "Форум в Уральске"},
    )
    uploaded = target.photos.get()

    def details(photo):
        return [
            (r["name"], r["format"], r["width"], r["height"], r["size"], r["path"].split("/")[-1])
            for r in photo.renditions
        ]

    assert details(imported) == details(uploaded)
    assert (imported.width, imported.height) == (uploaded.width, uploaded.height) == (1500, 1000)
    for a, b in zip(imported.renditions, uploaded.renditions, strict=True):
        with default_storage.open(a["path"]) as first, default_storage.open(b["path"]) as second:
            assert first.read() == second.read()
