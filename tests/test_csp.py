"""Content Security Policy: one exact policy everywhere, nonces only on the admin's forms."""

import json
import re
from pathlib import Path

import lxml.html
import pytest
from django.contrib.admin import site as admin_site
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.admin.csp import editor_style_source
from articles.models import Tag
from pressroom.content_security import directives, media_origin, policy_settings
from tests.factories import AgreementFactory, ArticleFactory, PhotoFactory, RubricFactory
from tests.test_admin_support import client_for
from tests.test_settings import run
from tests.workflow_support import EDITOR_ROLE, make_user

ROOT = Path(__file__).resolve().parent.parent
HEADER = "Content-Security-Policy"
REPORT_ONLY_HEADER = "Content-Security-Policy-Report-Only"
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
NONCE = re.compile(r"^'nonce-([A-Za-z0-9+/=]+)'$")


def parse(header):
    """Return a policy header as {directive: [sources]}; django-csp's order is not fixed."""
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in policy, f"{name} appears twice in {header!r}"
        policy[name] = sources
    return policy


def policy_of(response, header=HEADER):
    assert header in response, f"no {header} on {response.wsgi_request.path}"
    return parse(response[header])


@pytest.fixture
def site(db):
    """Return the public URLs of a site with an article, its gallery, tag and agreement."""
    agreement = AgreementFactory(title="Дорожная карта сотрудничества на 2026–2028 годы")
    rubric = RubricFactory(name="Международное сотрудничество")
    article = ArticleFactory(
        title="Губернатор встретился с делегацией Казахстана",
        rubrics=[rubric],
        tags=["Казахстан"],
    )
    PhotoFactory(article=article, position=1, alt="Участники встречи")
    article.agreements.add(agreement)
    local = timezone.localtime(article.published_at)
    tag = Tag.objects.get()
    return {
        "pages": [
            reverse("articles:home"),
            article.get_absolute_url(),
            reverse("articles:rubric", args=[rubric.slug]),
            reverse("articles:tag", args=[tag.slug]),
            reverse("articles:archive_year", args=[local.year]),
            reverse("articles:archive_month", args=[local.year, local.month]),
            reverse("articles:agreements"),
            agreement.get_absolute_url(),
            reverse("articles:search") + "?q=Казахстана",
            reverse("articles:low_vision"),
        ],
        "feeds": [
            reverse("feeds:news-rss"),
            reverse("feeds:news-atom"),
            reverse("feeds:rubric-rss", args=[rubric.slug]),
            reverse("feeds:tag-atom", args=[tag.slug]),
            reverse("feeds:yandex"),
            reverse("feeds:dzen"),
            reverse("feeds:sitemap"),
            reverse("feeds:robots"),
        ],
        "article": article,
    }


@pytest.fixture
def author(db):
    """Return a client signed in as an editor (writes articles, cannot publish)."""
    return client_for(make_user("author", EDITOR_ROLE))


@pytest.fixture
def superuser_client(db):
    """Return a client of a superuser, signed in with the second factor."""
    user = get_user_model().objects.create_superuser("root", "root@example.ru", "x" * 20)
    return client_for(user)


def test_public_pages_send_the_exact_policy(client, site):
    """Every public page type, the 404 page included, sends exactly the site's policy."""
    for url in [*site["pages"], "/no-such-page/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert policy_of(response) == EXPECTED, url


def test_feeds_and_sitemaps_send_the_exact_policy(client, site):
    """Feeds, sitemaps and robots.txt carry the same policy as the pages."""
    for url in site["feeds"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy_of(response) == EXPECTED, url


def test_cached_public_page_keeps_a_nonce_free_policy(client, site):
    """A public page served twice (the second time from the page cache) never gets a nonce."""
    url = site["article"].get_absolute_url()
    first, second = client.get(url), Client().get(url)
    assert policy_of(first) == policy_of(second) == EXPECTED
    assert b"nonce=" not in first.content and b"nonce=" not in second.content


def test_public_pages_have_no_inline_script_or_style(client, site):
    """The rendered public pages run no inline script and use no inline style.

    JSON-LD blocks are data, not scripts: browsers never run them, so CSP allows them.
    """
    for url in site["pages"]:
        page = lxml.html.fromstring(client.get(url).content.decode())
        for script in page.xpath("//script"):
            assert script.get("src") or script.get("type") == "application/ld+json", url
        assert not page.xpath("//style | //*[@style]"), url
        handlers = page.xpath("//@*[starts-with(name(), 'on')]")
        assert not handlers, (url, handlers)
        assert not page.xpath("//@href[starts-with(normalize-space(.), 'javascript:')]"), url


def test_article_page_json_ld_is_a_data_block(client, site):
    """The article's schema.org JSON-LD is present and is a data block, not a script."""
    page = lxml.html.fromstring(client.get(site["article"].get_absolute_url()).content.decode())
    (block,) = page.xpath('//script[@type="application/ld+json"]')
    assert json.loads(block.text)["@type"] == "NewsArticle"


def test_templates_and_static_files_have_no_inline_code():
    """No template or static file adds inline styles, event handlers or javascript: URLs."""
    forbidden = re.compile(
        r"""\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=\s*["']|=\s*["']?\s*javascript:"""
        r"|<script(?![^>]*\bsrc=)",
        re.IGNORECASE,
    )
    offenders = []
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".html", ".txt", ".xml", ".js", ".css", ".svg"}:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if forbidden.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_admin_change_form_scripts_run_only_with_the_request_nonce(author):
    """The editor's import map carries a fresh nonce, and only that nonce is allowed."""
    nonces = []
    for _ in range(2):
        response = author.get(reverse("admin:articles_article_add"))
        assert response.status_code == 200
        policy = policy_of(response)
        (nonce_source,) = [s for s in policy["script-src"] if s.startswith("'nonce-")]
        nonce = NONCE.match(nonce_source).group(1)
        assert policy["script-src"] == ["'self'", nonce_source]
        assert policy["style-src"] == ["'self'", editor_style_source()]
        assert {k: v for k, v in policy.items() if not k.endswith("-src")} == {
            k: v for k, v in EXPECTED.items() if not k.endswith("-src")
        }
        page = lxml.html.fromstring(response.content.decode())
        (importmap,) = page.xpath('//script[@type="importmap"]')
        assert importmap.get("nonce") == nonce
        # Every other script is a file from the site: no inline code runs.
        for script in page.xpath('//script[not(@type="importmap")]'):
            assert script.get("src"), lxml.html.tostring(script)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_editor_style_hash_is_read_from_the_editor_bundle():
    """The hash allowing Tiptap's stylesheet is found in the installed prose editor."""
    source = editor_style_source()
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", source)


def test_report_only_mode_keeps_the_editor_exceptions(author):
    """In report-only mode the article form's nonce and style hash go to the reported policy."""
    _, report_only = policy_settings(media_url="/media/", report_only=True)
    with override_settings(
        CONTENT_SECURITY_POLICY=None, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only
    ):
        response = author.get(reverse("admin:articles_article_add"))
    assert HEADER not in response
    policy = policy_of(response, REPORT_ONLY_HEADER)
    assert policy["style-src"] == ["'self'", editor_style_source()]
    assert NONCE.match(policy["script-src"][1])


def test_admin_login_sends_the_exact_policy(client, db):
    """The admin's sign-in page needs no nonce: it runs no inline script."""
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert policy_of(response) == EXPECTED


def test_no_page_allows_unsafe_inline_or_eval_scripts(client, site, superuser_client):
    """Neither public pages nor any admin page lets inline or eval'd scripts run."""
    article = site["article"]
    urls = [
        *site["pages"],
        *site["feeds"],
        reverse("admin:index"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_article_share", args=[article.pk]),
        reverse("articles:preview", args=[article.pk]),
    ]
    for model, model_admin in admin_site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(superuser_client.get("/").wsgi_request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
    checked = 0
    for url in urls:
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        policy = policy_of(response)
        for directive in ("script-src", "default-src", "script-src-elem", "script-src-attr"):
            sources = policy.get(directive, [])
            assert "'unsafe-inline'" not in sources, url
            assert "'unsafe-eval'" not in sources, url
            assert "*" not in sources and "data:" not in sources, url
        checked += 1
    assert checked > 15


def test_absolute_media_url_adds_its_origin_to_img_src():
    """Photos on S3-compatible storage may load; only their origin is added."""
    media = "https://storage.yandexcloud.net/press-media/"
    assert media_origin(media) == "https://storage.yandexcloud.net"
    assert media_origin("/media/") is None
    assert directives(media_url=media)["img-src"][-1] == "https://storage.yandexcloud.net"
    assert media_origin("//cdn.example.ru/media/") == "https://cdn.example.ru"


def test_report_only_switch_reports_instead_of_enforcing(client, site):
    """With report-only on, browsers get the policy to report, not to enforce."""
    enforced, report_only = policy_settings(
        media_url="/media/", report_only=True, report_uri="https://csp.example.ru/report"
    )
    assert enforced is None
    with override_settings(
        CONTENT_SECURITY_POLICY=enforced, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only
    ):
        response = client.get(site["pages"][0])
    assert HEADER not in response
    assert policy_of(response, REPORT_ONLY_HEADER) == {
        **EXPECTED,
        "report-uri": ["https://csp.example.ru/report"],
    }


READ_POLICY = """
import json
from pressroom import settings
policies = [settings.CONTENT_SECURITY_POLICY, settings.CONTENT_SECURITY_POLICY_REPORT_ONLY]
print(json.dumps(policies, default=str))
"""


def settings_policy(**env):
    result = run(["-c", READ_POLICY], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_environment_turns_on_report_only_and_report_uri():
    """DJANGO_CSP_REPORT_ONLY=1 and DJANGO_CSP_REPORT_URI reach the settings."""
    enforced, report_only = settings_policy()
    assert report_only is None
    assert "report-uri" not in enforced["DIRECTIVES"]
    enforced, report_only = settings_policy(
        DJANGO_CSP_REPORT_ONLY="1", DJANGO_CSP_REPORT_URI="https://csp.example.ru/report"
    )
    assert enforced is None
    assert report_only["DIRECTIVES"]["report-uri"] == ["https://csp.example.ru/report"]
    assert report_only["DIRECTIVES"]["frame-ancestors"] == ["'none'"]


def test_s3_media_url_in_environment_reaches_img_src():
    """DJANGO_MEDIA_URL on another host adds that host to img-src."""
    enforced, _ = settings_policy(DJANGO_MEDIA_URL="https://s3.example.ru/press/")
    assert enforced["DIRECTIVES"]["img-src"] == ["'self'", "data:", "https://s3.example.ru"]
