"""Populate a site for the restore drill (tests/test_backup_restore.py), in its own process.

Run as `python -m tests.backup_drill populate OUTPUT.json` with DATABASE_URL and the media
roots of the site to fill: it migrates, imports the demo content (photos with renditions, an
agreement PDF), edits and deletes articles through the admin so that django-reversion
keeps history and recoverable deletions, adds a draft and a scheduled article, and writes
what the drill needs to know (an admin session cookie, the ids) to OUTPUT.json.
`upload STOP PROGRESS` keeps adding photos while a backup runs; `check` lists the files
that rows name but the storages lack.
"""

import datetime
import json
import os
import sys

import django

DEMO_DIR = "demo"
SCHEDULED_IN = datetime.timedelta(days=30)
MAX_UPLOADS = 50


def _admin_post(client, url, data):
    response = client.post(url, data)
    if response.status_code != 302:
        raise RuntimeError(f"the admin refused {url}: {response.status_code}")


def _edit_through_admin(client, article, **values):
    from django.urls import reverse

    from tests.test_admin_support import form_data

    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url)
    if page.status_code != 200:
        raise RuntimeError(f"the admin did not show {url}: {page.status_code}")
    data = form_data(page)
    data.update(values)
    _admin_post(client, url, data)


def populate():
    """Fill the configured site and return the facts the drill checks."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from articles.models import Article
    from tests.factories import ArticleFactory, PhotoFactory
    from tests.test_admin_support import client_for

    call_command("migrate", verbosity=0, interactive=False)
    call_command("import_content", DEMO_DIR, verbosity=0)
    user = get_user_model().objects.create_superuser("drill-editor", password=None)
    # A session verified by a TOTP device, as the admin requires of publishers; it is
    # restored with the database, so the same cookie signs in on the restored site.
    client = client_for(user)

    published = list(Article.objects.published().order_by("-published_at", "-pk")[:3])
    edited, deleted = published[0], published[2]
    # Two saves: the history lists both, and the comparison has something to show.
    _edit_through_admin(client, edited)
    _edit_through_admin(client, edited, title=edited.title + " (уточнено)")
    _edit_through_admin(client, deleted)
    _admin_post(
        client,
        reverse("admin:articles_article_delete", args=[deleted.pk]),
        {"post": "yes"},
    )

    draft = ArticleFactory(
        title="Черновик учения по восстановлению",
        slug="chernovik-ucheniia",
        status=Article.Status.DRAFT,
        published_at=None,
    )
    scheduled = ArticleFactory(
        title="Запланированная новость учения",
        slug="zaplanirovannaia-novost",
        published_at=timezone.now() + SCHEDULED_IN,
    )
    PhotoFactory(article=scheduled, position=1, caption="Снимок запланированной новости")
    return {
        "session_cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "edited": edited.pk,
        "deleted_title": deleted.title,
        "hidden": [
            {"pk": article.pk, "title": article.title, "path": article.get_absolute_url()}
            for article in (draft, scheduled)
        ],
    }


def upload_until(stop_file, progress_file):
    """Add articles with photos, as editors uploading, until stop_file exists."""
    from pathlib import Path

    from tests.factories import PhotoFactory

    stop, progress = Path(stop_file), Path(progress_file)
    count = 0
    while not stop.exists() and count < MAX_UPLOADS:
        PhotoFactory(width=800, height=500)
        count += 1
        progress.write_text(str(count))


def missing_files():
    """Return the stored files that rows of this site name but its storages lack."""
    from django.core.files.storage import default_storage

    from articles.models import Agreement, Photo

    missing = []
    for photo in Photo.objects.all():
        if not photo.original.storage.exists(photo.original.name):
            missing.append(photo.original.name)
        missing += [r["path"] for r in photo.renditions if not default_storage.exists(r["path"])]
    for agreement in Agreement.objects.exclude(document=""):
        if not default_storage.exists(agreement.document.name):
            missing.append(agreement.document.name)
    return {"photos": Photo.objects.count(), "missing": missing}


def main(command, *args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pressroom.settings")
    django.setup()
    if command == "populate":
        with open(args[0], "w") as handle:
            json.dump(populate(), handle, ensure_ascii=False)
    elif command == "upload":
        upload_until(*args)
    elif command == "check":
        print(json.dumps(missing_files()))
    else:
        raise SystemExit(f"unknown command {command!r}: populate, upload or check")


if __name__ == "__main__":
    main(*sys.argv[1:])
