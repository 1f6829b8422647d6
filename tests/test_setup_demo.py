"""`manage.py setup_demo` and the README's run-command set-up on an empty database."""

import datetime
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles import images
from articles.management.commands import setup_demo
from articles.models import Agreement, Article, Photo, Rubric, Tag
from tests.factories import ArticleFactory
from tests.otp_support import code_for

# The password line of setup_demo's output: indented label, then the password alone.
PASSWORD_LINE = re.compile(r"^ {4}\S+: ([A-Za-z0-9]{20,})$", re.MULTILINE)
ROADMAP_2026 = "roadmap-orenburg-wko-2026-2028"
ROADMAP_2023 = "roadmap-orenburg-wko-2023-2025"
BASE_AGREEMENT = "agreement-orenburg-wko-2019"


def run_setup_demo():
    out = io.StringIO()
    call_command("setup_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def printed_passwords(output):
    return PASSWORD_LINE.findall(output)


def snapshot():
    """Return what a second run must leave untouched."""
    editor = get_user_model().objects.get(username="editor")
    return {
        "articles": sorted(Article.objects.values_list("key", "updated_at")),
        "photos": sorted(Photo.objects.values_list("pk", "original")),
        "agreements": sorted(Agreement.objects.values_list("key", "updated_at")),
        "rubrics": Rubric.objects.count(),
        "tags": Tag.objects.count(),
        "users": get_user_model().objects.count(),
        "editor_password": editor.password,
    }


class SetupDemoOnEmptyDatabaseTests(TestCase):
    """One import of the demo per database run; each test checks one consequence."""

    @classmethod
    def setUpTestData(cls):
        cls.output = run_setup_demo()

    def test_imports_at_least_30_published_articles(self):
        """The public sees at least 30 demo articles."""
        self.assertGreaterEqual(Article.objects.published().count(), 30)

    def test_published_articles_span_several_months_and_rubrics(self):
        """Published demo articles cover at least four months and six rubrics."""
        published = Article.objects.published()
        months = {(a.published_at.year, a.published_at.month) for a in published}
        self.assertGreaterEqual(len(months), 4)
        rubrics = Rubric.objects.filter(articles__in=published).distinct().count()
        self.assertGreaterEqual(rubrics, 6)

    def test_every_kind_of_article_is_shown(self):
        """News, press releases, visits, statements and interviews are all published."""
        kinds = set(Article.objects.published().values_list("kind", flat=True))
        self.assertEqual(kinds, set(Article.Kind.values))

    def test_the_workflow_has_drafts_one_submitted_and_one_scheduled(self):
        """Two drafts, one article awaiting approval and one scheduled for 2027."""
        statuses = list(Article.objects.values_list("status", flat=True))
        self.assertEqual(statuses.count(Article.Status.DRAFT), 2)
        self.assertEqual(statuses.count(Article.Status.SUBMITTED), 1)
        before_2027 = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
        scheduled = Article.objects.scheduled(now=before_2027)
        self.assertEqual([a.published_at.year for a in scheduled], [2027])

    def test_agreements_form_the_chain(self):
        """The 2026–2028 roadmap continues the 2023–2025 one; both implement the agreement."""
        agreements = {a.key: a for a in Agreement.objects.all()}
        self.assertEqual(set(agreements), {BASE_AGREEMENT, ROADMAP_2023, ROADMAP_2026})
        base = agreements[BASE_AGREEMENT]
        self.assertEqual(agreements[ROADMAP_2026].continues, agreements[ROADMAP_2023])
        self.assertEqual(agreements[ROADMAP_2026].implements, base)
        self.assertEqual(agreements[ROADMAP_2023].implements, base)
        self.assertIsNone(base.implements)
        self.assertIsNone(base.valid_until)

    def test_roadmap_has_its_signatories_and_document(self):
        """The new roadmap lists Солнцев and Турегалиев with positions and has its PDF."""
        roadmap = Agreement.objects.get(key=ROADMAP_2026)
        signatories = [(s.name, s.position, s.party.country) for s in roadmap.signatories.all()]
        self.assertEqual(
            signatories,
            [
                ("Евгений Солнцев", "губернатор Оренбургской области", "RU"),
                ("Нариман Турегалиев", "аким Западно-Казахстанской области", "KZ"),
            ],
        )
        self.assertEqual(
            (roadmap.signed_on, roadmap.place), (datetime.date(2025, 11, 12), "Уральск")
        )
        self.assertEqual(roadmap.document_size, default_storage.size(roadmap.document.name))
        with roadmap.document.open("rb") as document:
            images.validate_pdf(document)

    def test_articles_report_on_the_agreements(self):
        """Published articles link to each of the three agreements."""
        for key in (BASE_AGREEMENT, ROADMAP_2023, ROADMAP_2026):
            agreement = Agreement.objects.get(key=key)
            self.assertTrue(Article.objects.published().filter(agreements=agreement).exists(), key)

    def test_every_article_has_photos_with_alt_text_and_credit(self):
        """Each article has 1–4 photos, each with a caption, credit and alt text."""
        for article in Article.objects.prefetch_related("photos"):
            photos = list(article.photos.all())
            self.assertTrue(1 <= len(photos) <= 4, article.key)
            for photo in photos:
                self.assertTrue(photo.alt and photo.caption and photo.credit, article.key)

    def test_photos_have_current_renditions_on_storage(self):
        """Every photo has the full set of renditions and their files exist."""
        photos = list(Photo.objects.all())
        self.assertGreater(len(photos), 37)
        for photo in photos:
            self.assertTrue(images.renditions_are_current(photo), photo.pk)
            for rendition in photo.renditions:
                self.assertTrue(default_storage.exists(rendition["path"]), rendition["path"])

    def test_some_photos_are_portraits(self):
        """The demo includes portrait photos, which are upright with their true size."""
        portraits = Photo.objects.filter(height__gt=F("width")).count()
        self.assertGreater(portraits, 0)

    def test_articles_have_person_position_region_and_country_tags(self):
        """Tags include a person, a position, a region and a country."""
        names = set(Tag.objects.values_list("name", flat=True))
        for name in ("Евгений Солнцев", "губернатор", "Оренбургская область", "Казахстан"):
            self.assertIn(name, names)

    def test_public_update_notes_are_imported(self):
        """At least one article carries a public update note."""
        self.assertTrue(Article.objects.published().filter(updates__isnull=False).exists())

    def test_editor_password_is_printed_once_and_authenticates(self):
        """The printed password signs the staff account "editor" in."""
        passwords = printed_passwords(self.output)
        self.assertEqual(len(passwords), 1, self.output)
        self.assertIn("http://127.0.0.1:8000/admin/", self.output)
        # django-axes checks each sign-in against its client, so authenticate with a request.
        request = RequestFactory().post("/admin/login/")
        user = authenticate(request, username="editor", password=passwords[0])
        self.assertIsNotNone(user)
        self.assertTrue(user.is_staff and user.is_active)

    def test_editor_can_open_the_admin_with_the_printed_password(self):
        """The printed password signs in; enrolling the app the output names opens the admin."""
        self.assertIn("вход в два шага", self.output)
        password = printed_passwords(self.output)[0]
        response = self.client.post(
            "/admin/login/?next=/admin/", {"username": "editor", "password": password}
        )
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        # The editor is a superuser, so the admin first asks to set up two-step sign-in.
        enrol = self.client.get("/admin/")
        self.assertTrue(enrol.url.startswith(reverse("accounts:enrol")), enrol.url)
        self.assertContains(self.client.get(enrol.url), 'class="otp-qr"')
        device = TOTPDevice.objects.get(user__username="editor", confirmed=False)
        self.client.post(enrol.url, {"otp_token": code_for(device)})
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_second_run_changes_nothing_and_prints_no_password(self):
        """Running setup_demo again imports nothing, keeps the password and prints none."""
        before = snapshot()
        output = run_setup_demo()
        self.assertEqual(snapshot(), before)
        self.assertEqual(printed_passwords(output), [])
        self.assertIn("changepassword editor", output)

    def test_a_new_editor_gets_a_new_random_password(self):
        """Passwords are generated: recreating the editor prints a different one."""
        get_user_model().objects.filter(username="editor").delete()
        again = printed_passwords(run_setup_demo())
        self.assertEqual(len(again), 1)
        self.assertNotEqual(again, printed_passwords(self.output))


def test_existing_articles_are_left_alone(db):
    """On a database that already has articles, setup_demo imports nothing."""
    ArticleFactory()
    run_setup_demo()
    assert Article.objects.count() == 1
    assert get_user_model().objects.filter(username="editor", is_staff=True).exists()


def test_a_failed_demo_import_leaves_the_database_empty(db, tmp_path, monkeypatch):
    """If one demo line fails, nothing is imported and no account is made; a rerun retries."""
    (tmp_path / "content.jsonl").write_text(
        '{"format": "pressroom", "version": 1}\n'
        '{"type": "article", "key": "good", "title": "Новость", "body": "<p>Текст.</p>",'
        ' "status": "published", "published_at": "2025-11-13T09:10:00+05:00"}\n'
        '{"type": "article", "key": "bad", "title": "Новость", "body": "<p>Текст.</p>",'
        ' "status": "published"}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(setup_demo, "DEMO_DIR", tmp_path)
    with pytest.raises(CommandError):
        run_setup_demo()
    assert not Article.objects.exists()
    assert not get_user_model().objects.exists()


# ---------------------------------------------------------------------------------------
# The README's run-command set-up, in a copy of the project (about 30–50 s: it imports
# the whole demo with its photos in a subprocess).

SKIPPED_WHEN_COPYING = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
    "*.pyc",
    "*.sqlite3*",
)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(project, env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def _wait_for(url, server, deadline):
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"runserver exited: {server.stdout.read()}")
        try:
            return _fetch(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in time")


@pytest.fixture
def fresh_copy(tmp_path):
    """Return a copy of the working tree and the environment of a fresh checkout."""
    project = tmp_path / "pressroom"
    shutil.copytree(settings.BASE_DIR, project, ignore=SKIPPED_WHEN_COPYING)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_URL", "DJANGO_", "PRESSROOM_", "REDIS_URL"))
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "DJANGO_SETTINGS_MODULE": "pressroom.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return project, env


def test_readme_run_steps_give_a_working_site_on_an_empty_directory(fresh_copy):
    """migrate + setup_demo in a fresh copy print a password and the site answers."""
    project, env = fresh_copy
    compiled = subprocess.run(
        [sys.executable, "scripts/compile_messages.py"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stderr
    migrated = _manage(project, env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    first = _manage(project, env, "setup_demo")
    assert first.returncode == 0, first.stderr + first.stdout
    assert len(printed_passwords(first.stdout)) == 1, first.stdout
    second = _manage(project, env, "setup_demo")
    assert second.returncode == 0, second.stderr
    assert printed_passwords(second.stdout) == []

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status, home = _wait_for(f"http://127.0.0.1:{port}/", server, time.monotonic() + 30)
        assert status == 200
        assert "Первый снег" in home
        status, login = _fetch(f"http://127.0.0.1:{port}/admin/login/")
        assert status == 200
        assert 'name="password"' in login
    finally:
        server.terminate()
        server.wait(timeout=10)
