"""Smoke test of the deployment: the real deploy/ files on loopback, checked through nginx.

nginx (deploy/nginx/pressroom.conf with a self-signed certificate), gunicorn
(deploy/gunicorn.conf.py, DJANGO_DEBUG=0), a private Redis and the PostgreSQL test
database, holding rows committed by the fixture below. Everything a reader, an editor
and an attacker would notice at the front door: pages, feed, admin sign-in, media and
static headers, the private originals out of reach, redirects, size limits, and the
micro-cache that must never keep anyone's personal page.
"""

import gzip
import http.client
import json
import socket
import ssl
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection

from tests import deploy_support
from tests.factories import ArticleFactory, PhotoFactory, RubricFactory
from tests.programs import program_or_skip

# django_db makes pytest-django create the test database; each test's own transaction
# is empty (gunicorn reads the rows the module fixture committed).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PASSWORD = "smoke-test-password-Кз7"


@pytest.fixture(scope="module")
def content(django_db_setup, django_db_blocker):
    """Committed rows for gunicorn to serve; the database is emptied afterwards."""
    with django_db_blocker.unblock(), deploy_support.restored_database():
        rubric = RubricFactory(name="Экономика", slug="ekonomika")
        other = RubricFactory(name="Спорт", slug="sport")
        article = ArticleFactory(title="Губернатор открыл форум", rubrics=[rubric, other])
        photo = PhotoFactory(article=article)
        draft = ArticleFactory(title="Черновик под эмбарго", status="draft")
        editor = get_user_model().objects.create_user(
            "smoke-editor", password=PASSWORD, is_staff=True
        )
        editor.user_permissions.add(Permission.objects.get(codename="view_article"))
        yield {
            "article": article,
            "photo": photo,
            "draft": draft,
            "rubric": rubric,
            "other": other,
            "database_url": deploy_support.database_url(connection.settings_dict),
        }


@pytest.fixture(scope="module")
def site(content, tmp_path_factory):
    for program in ("nginx", "redis-server", "openssl"):
        program_or_skip(program)
    with deploy_support.site(
        database_url=content["database_url"],
        media_root=settings.MEDIA_ROOT,
        private_root=settings.PRIVATE_MEDIA_ROOT,
        workdir=tmp_path_factory.mktemp("site"),
    ) as running:
        yield running
        print(running.logs())  # shown by pytest only when a test failed


@pytest.fixture
def client(site):
    return site.client()


def test_home_and_article_are_served_over_https(site, client, content):
    article = content["article"]
    home = client.get("/")
    assert home.status == 200, site.logs()
    assert article.title in home.text
    assert content["draft"].title not in home.text
    page = client.get(article.get_absolute_url())
    assert page.status == 200
    assert article.title in page.text
    # Django saw https and the real host and port through the proxy headers: its own
    # absolute links and HSTS say so.
    assert f'href="{site.origin}{article.get_absolute_url()}"' in page.text
    assert "max-age=" in page.header("Strict-Transport-Security")
    assert client.get(content["draft"].get_absolute_url()).status == 404


def test_feed_answers_conditional_requests(client, content):
    feed = client.get("/feeds/news.rss")
    assert feed.status == 200
    assert feed.header("Content-Type").startswith("application/rss+xml")
    assert content["article"].title in feed.text
    again = client.get("/feeds/news.rss", headers={"If-None-Match": feed.header("ETag")})
    assert again.status == 304
    assert again.body == b""


def test_editor_signs_in_through_the_proxy(site, client):
    # As a browser does: the admin sends to its login form, which posts back with `next`.
    start = client.get("/admin/")
    assert start.status == 302
    login_path = start.header("Location")
    assert login_path == "/admin/login/?next=/admin/"
    login = client.get(login_path)
    assert login.status == 200
    assert login.header("X-Cache-Status") is None  # /admin/ never goes near the cache
    assert "no-store" in login.header("Cache-Control")
    assert "csrftoken" in client.cookies
    answer = client.post_form(login_path, _login_form(login.text), origin=site.origin)
    assert answer.status == 302, answer.text[:2000]
    assert answer.header("Location") == "/admin/"
    session = answer.headers.get_all("Set-Cookie")
    assert any(c.startswith("sessionid=") and "Secure" in c and "HttpOnly" in c for c in session)
    index = client.get("/admin/")
    assert index.status == 200
    assert "smoke-editor" in index.text


def test_a_login_without_the_csrf_token_is_refused(site, client):
    form = _login_form(client.get("/admin/login/?next=/admin/").text)
    del form["csrfmiddlewaretoken"]
    answer = client.post_form("/admin/login/?next=/admin/", form, origin=site.origin)
    assert answer.status == 403
    assert "sessionid" not in client.cookies


def test_media_files_are_served_by_nginx_with_safe_headers(client, content):
    rendition = content["photo"].renditions[0]
    answer = client.get(f"{settings.MEDIA_URL}{rendition['path']}")
    assert answer.status == 200
    assert len(answer.body) == rendition["size"]
    assert answer.header("Content-Type") == f"image/{rendition['format']}"
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert answer.header("Cache-Control") == "public, max-age=604800"
    assert "sandbox" in answer.header("Content-Security-Policy")
    assert answer.header("X-Cache-Status") is None  # from disk, not from gunicorn


def test_private_originals_are_unreachable(client, content):
    photo = content["photo"]
    original_bytes = photo.original.read()
    name = photo.original.name  # originals/<random>.jpg
    for path in (
        f"/media/{name}",
        f"/private/{name}",
        f"/{name}",
        f"/media/../private/{name}",
        f"/media/%2e%2e/private/{name}",
        f"/static/../private/{name}",
    ):
        answer = client.get(path)
        assert answer.status == 404, path
        assert original_bytes not in answer.body


def test_hashed_static_files_are_immutable_and_precompressed(site, client):
    manifest = json.loads((site.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    home = client.get("/")
    assert f"/static/{hashed}" in home.text  # the page links the hashed name
    answer = client.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.header("Content-Type") == "text/css"
    assert answer.header("Content-Encoding") == "gzip"
    assert answer.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert answer.header("X-Content-Type-Options") == "nosniff"
    # The precompressed copy collectstatic wrote is sent byte for byte.
    assert answer.body == (site.static_root / f"{hashed}.gz").read_bytes()
    plain = client.get("/static/css/site.css")
    assert plain.status == 200
    assert "immutable" not in plain.header("Cache-Control")


def test_html_is_compressed_on_the_fly(client, content):
    answer = client.get(content["article"].get_absolute_url(), headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.header("Content-Encoding") == "gzip"


def test_pages_are_compressed_once_and_plain_clients_still_get_plain_pages(client, content):
    """Django's page cache sends its gzip copy, which nginx passes on as it is and keeps
    apart from the plain page in its micro-cache (the answers vary on Accept-Encoding)."""
    path = "/"
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.status == 200 and packed.header("Content-Encoding") == "gzip"
    html = gzip.decompress(packed.body)
    assert html.lstrip().lower().startswith(b"<!doctype html>")  # compressed once, not twice
    for _ in range(2):  # the second from nginx's micro-cache
        plain = client.get(path)
        assert plain.header("Content-Encoding") is None and plain.body == html
        again = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert again.header("Content-Encoding") == "gzip"
        assert gzip.decompress(again.body) == html


def test_plain_http_redirects_to_https(site):
    plain = deploy_support.Client(deploy_support.SERVER_NAME, site.http_port, tls=False)
    answer = plain.get("/news/?page=2")
    assert answer.status == 301
    assert answer.header("Location") == f"https://{deploy_support.SERVER_NAME}/news/?page=2"


def test_unknown_host_names_get_no_answer(site):
    plain = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=5)
    plain.request("GET", "/", headers={"Host": "evil.example"})
    with pytest.raises(http.client.RemoteDisconnected):
        plain.getresponse()
    context = ssl.create_default_context(cafile=str(site.certificate))
    context.check_hostname = False
    with (
        socket.create_connection(("127.0.0.1", site.https_port), timeout=5) as raw,
        pytest.raises(ssl.SSLError),
    ):
        context.wrap_socket(raw, server_hostname="evil.example")


def test_request_bodies_over_the_limits_get_413_from_nginx(site, client):
    # The public site takes no uploads: a megabyte is the limit.
    answer = client.request("POST", "/search/", body=b"q" * (1024 * 1024 + 1))
    assert answer.status == 413
    assert "nginx/" not in answer.text  # server_tokens off: no version on the error page
    # The admin takes photo batches: 2 MB reaches Django (refused there for want of a
    # CSRF token), while a body announced over 256 MB is refused before it is sent.
    upload = "/admin/articles/article/1/photos/"
    answer = client.request("POST", upload, body=b"x" * (2 * 1024 * 1024))
    assert answer.status == 403
    assert _status_for_announced_body(site, upload, 257 * 1024 * 1024) == 413
    assert '"POST /search/' not in site.gunicorn.log()


def test_anonymous_pages_are_micro_cached(client, content):
    path = content["rubric"].get_absolute_url()
    first = client.get(path)
    assert first.status == 200
    assert "public" in first.header("Cache-Control")
    assert first.header("X-Cache-Status") in {"MISS", "EXPIRED"}
    second = client.get(path)
    assert second.header("X-Cache-Status") == "HIT"
    assert second.body == first.body
    # The low-vision look is another page at the same address.
    looks = client.get(path, headers={"Cookie": "pressroom_lv=size-3.scheme-wb"})
    assert looks.header("X-Cache-Status") in {"MISS", "EXPIRED"}
    assert "lv-size-3" in looks.text
    assert "lv-size-3" not in client.get(path).text


def test_micro_cache_expires_within_seconds(client, content):
    path = content["other"].get_absolute_url()
    client.get(path)
    assert client.get(path).header("X-Cache-Status") == "HIT"
    time.sleep(6)  # the micro-cache keeps a page 5 s
    after = client.get(path).header("X-Cache-Status")
    assert after in {"EXPIRED", "REVALIDATED", "STALE", "UPDATING"}


def test_signed_in_pages_are_never_cached(site, client, content):
    _sign_in(site, client)
    path = content["article"].get_absolute_url() + "?signed-in"
    for _ in range(2):
        answer = client.get(path)
        assert answer.status == 200
        assert answer.header("X-Cache-Status") == "BYPASS"
        assert "no-store" in answer.header("Cache-Control")
    # Nothing of the signed-in visits was stored for the next anonymous reader.
    anonymous = site.client().get(path)
    assert anonymous.header("X-Cache-Status") == "MISS"
    # The CSRF cookie alone (a sign-in in progress) also bypasses the cache.
    client.cookies = {"csrftoken": client.cookies["csrftoken"]}
    assert client.get(path).header("X-Cache-Status") == "BYPASS"


def _sign_in(site, client):
    login_path = "/admin/login/?next=/admin/"
    form = _login_form(client.get(login_path).text)
    assert client.post_form(login_path, form, origin=site.origin).status == 302
    assert "sessionid" in client.cookies


def _login_form(html):
    """Return the admin login form's fields, filled in for the test's editor."""
    fields = {"username": "smoke-editor", "password": PASSWORD}
    for name in ("csrfmiddlewaretoken", "next"):
        marker = f'name="{name}" value="'
        start = html.index(marker) + len(marker)
        fields[name] = html[start : html.index('"', start)]
    return fields


def _status_for_announced_body(site, path, length):
    """Send only the headers of a POST announcing `length` bytes; return the status."""
    context = ssl.create_default_context(cafile=str(site.certificate))
    conn = http.client.HTTPSConnection(
        deploy_support.SERVER_NAME, site.https_port, context=context, timeout=10
    )
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()
