"""Run the deployment's own files on loopback for the smoke and load tests.

deploy/nginx/pressroom.conf is rendered for 127.0.0.1 (ports, roots, certificate and
upstream replaced, nothing else touched) inside a main configuration shaped like
Debian's /etc/nginx/nginx.conf; gunicorn runs with deploy/gunicorn.conf.py and
DJANGO_DEBUG=0 against the PostgreSQL database given, with a private Redis as the
shared cache. Plain functions and context managers, no pytest: bench/load uses them too.
"""

import contextlib
import http.client
import os
import re
import secrets
import ssl
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from pressroom import loopback

ROOT = Path(__file__).resolve().parent.parent
SITE_CONF = ROOT / "deploy" / "nginx" / "pressroom.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
# The name the site answers to on loopback: resolves to 127.0.0.1 and can be sent as
# TLS SNI (an IP address cannot), so the real name-based server blocks are used.
SERVER_NAME = "localhost"

# The example values of deploy/nginx/pressroom.conf that an operator replaces.
EXAMPLE_NAME = "press.example.ru"
EXAMPLE_VALUES = {
    "certificate": "/etc/ssl/pressroom/fullchain.pem",
    "key": "/etc/ssl/pressroom/privkey.pem",
    "static_root": "/srv/pressroom/static/",
    "media_root": "/srv/pressroom/media/",
    "upstream": "127.0.0.1:8000",
    "cache_dir": "/var/cache/nginx/pressroom",
    "acme_root": "/var/www/letsencrypt",
}


def render_site(*, http_port, https_port, **values):
    """Return deploy/nginx/pressroom.conf with the example values replaced by `values`.

    Every example value must be present exactly where the operator would change it: a
    value that disappeared from the file is an error, not a silently untested setting.
    """
    text = SITE_CONF.read_text()
    missing = [v for v in (EXAMPLE_NAME, *EXAMPLE_VALUES.values()) if v not in text]
    if missing or set(values) != set(EXAMPLE_VALUES):
        raise ValueError(f"deploy/nginx/pressroom.conf no longer has {missing or values}")
    for name, example in EXAMPLE_VALUES.items():
        text = text.replace(example, str(values[name]))
    text = text.replace(EXAMPLE_NAME, SERVER_NAME)
    # IPv6 listeners are dropped (loopback may lack ::1); the others move to 127.0.0.1.
    text = re.sub(r"^\s*listen \[::\]:\d+[^;]*;.*$", "", text, flags=re.MULTILINE)
    text, http_count = re.subn(r"\blisten 80\b", f"listen 127.0.0.1:{http_port}", text)
    text, https_count = re.subn(r"\blisten 443\b", f"listen 127.0.0.1:{https_port}", text)
    if not (http_count and https_count):
        raise ValueError("deploy/nginx/pressroom.conf no longer listens on ports 80 and 443")
    return text


def main_conf(site_text, *, workers=1):
    """Return a whole nginx.conf like Debian's, with the site where sites-enabled/ goes.

    Debian's http block already turns gzip on and sets ssl_protocols: keeping them here
    proves the site file does not clash with them. Paths are relative to nginx's prefix.
    """
    # As root, workers would run as nobody, who cannot read the test's private folders;
    # as anyone else nginx keeps the current user (and warns about a user directive).
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes {workers};
pid logs/nginx.pid;
error_log logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log logs/access.log;
    gzip on;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
{site_text}
}}
"""


def prepare_prefix(folder):
    """Create the folders main_conf() names in nginx's prefix; return the prefix."""
    folder = Path(folder)
    for name in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return folder


def self_signed_certificate(folder):
    """Make a certificate for SERVER_NAME with the openssl command; return (cert, key)."""
    folder = Path(folder)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            loopback.find_program("openssl"),
            *("req", "-x509", "-nodes", "-days", "2", "-newkey", "ec"),
            *("-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", f"/CN={SERVER_NAME}"),
            *("-addext", f"subjectAltName=DNS:{SERVER_NAME}"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def database_url(settings_dict):
    """Return a DATABASE_URL for a Django database settings dict (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def production_env(*, database_url, redis_url, static_root, media_root, private_root):
    """Return the whole environment of a production process (DJANGO_DEBUG=0, behind nginx)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "pressroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": SERVER_NAME,
        "DJANGO_BEHIND_PROXY": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(private_root),
    }


def collectstatic(env):
    """Run manage.py collectstatic as production does (hashed and compressed copies)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@contextlib.contextmanager
def restored_database():
    """Let a block commit rows for another process to read, then undo it all.

    Other test modules rely on rows the migrations create (the editorial groups, for
    one), which a flush alone would delete: they are serialised first and loaded again
    after the flush, as Django's TransactionTestCase does with serialized_rollback.
    """
    from django.core.management import call_command
    from django.db import connection

    saved = connection.creation.serialize_db_to_string()
    try:
        yield
    finally:
        # Without post_migrate, which would recreate content types and permissions
        # under new keys that the saved rows then collide with.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(saved)


@dataclass
class Site:
    """The running stack: nginx in front of gunicorn, with the paths it serves."""

    http_port: int
    https_port: int
    certificate: Path
    static_root: Path
    media_root: Path
    cache_dir: Path
    env: dict
    gunicorn: loopback.Running
    nginx: loopback.Running

    @property
    def origin(self):
        return f"https://{SERVER_NAME}:{self.https_port}"

    def client(self):
        return Client(SERVER_NAME, self.https_port, certificate=self.certificate)

    def logs(self):
        error_log = self.nginx.workdir / "logs" / "error.log"
        nginx_errors = error_log.read_text(errors="replace") if error_log.exists() else ""
        return f"--- gunicorn\n{self.gunicorn.log()[-4000:]}\n--- nginx\n{nginx_errors[-4000:]}"


@contextlib.contextmanager
def site(*, database_url, media_root, private_root, workdir=None, workers=2, nginx_workers=1):
    """Run Redis, gunicorn and nginx with the deploy/ files; yield a Site.

    The database must exist and be migrated; rows the caller wants served must be
    committed (gunicorn is another process).
    """
    workdir = Path(workdir or tempfile.mkdtemp(prefix="pressroom-site-"))
    static_root, cache_dir = workdir / "static", workdir / "nginx-cache"
    acme_root = workdir / "acme"
    for folder in (static_root, cache_dir, acme_root):
        folder.mkdir(parents=True, exist_ok=True)
    certificate, key = self_signed_certificate(workdir)
    with loopback.redis_server(workdir=workdir / "redis") as redis:
        env = production_env(
            database_url=database_url,
            redis_url=redis.extra["url"],
            static_root=static_root,
            media_root=media_root,
            private_root=private_root,
        )
        collectstatic(env)
        with loopback.gunicorn(
            env=env, config=GUNICORN_CONF, workers=workers, workdir=workdir / "gunicorn"
        ) as app:
            http_port, https_port = loopback.free_port(), loopback.free_port()
            site_text = render_site(
                http_port=http_port,
                https_port=https_port,
                certificate=certificate,
                key=key,
                static_root=f"{static_root}/",
                media_root=f"{Path(media_root)}/",
                upstream=f"127.0.0.1:{app.port}",
                cache_dir=cache_dir,
                acme_root=acme_root,
            )
            nginx_dir = prepare_prefix(workdir / "nginx")
            conf = main_conf(site_text, workers=nginx_workers)
            with loopback.nginx(conf, port=https_port, workdir=nginx_dir) as web:
                loopback.wait_for_port(http_port, timeout=10)
                yield Site(
                    http_port=http_port,
                    https_port=https_port,
                    certificate=certificate,
                    static_root=static_root,
                    media_root=Path(media_root),
                    cache_dir=cache_dir,
                    env=env,
                    gunicorn=app,
                    nginx=web,
                )


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name):
        return self.headers.get(name)

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Client:
    """A minimal HTTPS client that keeps cookies, follows no redirects and checks TLS.

    The certificate is the only trusted authority, and the host name is verified: the
    same checks a browser makes, against the test's self-signed certificate.
    """

    def __init__(self, host, port, *, certificate=None, tls=True):
        self.host, self.port, self.tls = host, port, tls
        self.context = ssl.create_default_context(cafile=str(certificate)) if tls else None
        self.cookies = {}

    def request(self, method, path, *, body=None, headers=None, cookies=True):
        if self.tls:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port)
        all_headers = {"User-Agent": "pressroom-smoke", "Accept-Encoding": "identity"}
        if cookies and self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, data, *, origin, **kwargs):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": f"{origin}{path}",
            **kwargs.pop("headers", {}),
        }
        return self.request("POST", path, body=urlencode(data), headers=headers, **kwargs)
