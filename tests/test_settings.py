"""Production hardening: settings are read at start-up, so each case runs in a fresh process."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "press.example.ru"}

READ_SETTINGS = """
import json
from pressroom import settings
names = [
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_AGE",
]
print(json.dumps({name: getattr(settings, name, None) for name in names}))
"""


def run(args, **env):
    """Run Python in the project with a clean DJANGO_* environment plus the given variables."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") or key == "DJANGO_SETTINGS_MODULE"
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_with(**env):
    """Return the security settings a fresh process computes from the given environment."""
    result = run(["-c", READ_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production(**env):
    """Return a production environment with a long random secret key."""
    return {**PRODUCTION, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **env}


def test_deploy_check_passes_in_production():
    """`check --deploy` finds nothing to warn about with debug off and a real secret."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    """With debug off and no secret key, start-up fails and names the missing variable."""
    result = run(["manage.py", "check"], **PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_https_only():
    """With debug off, http redirects to https, cookies are secure and HSTS lasts a year."""
    values = settings_with(**production())
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000


def test_behind_proxy_trusts_forwarded_proto():
    """DJANGO_BEHIND_PROXY=1 makes Django trust X-Forwarded-Proto: https."""
    values = settings_with(**production(DJANGO_BEHIND_PROXY="1"))
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_without_proxy_forwarded_proto_is_not_trusted():
    """Without DJANGO_BEHIND_PROXY, a client cannot claim https through a header."""
    assert settings_with(**production())["SECURE_PROXY_SSL_HEADER"] is None


def test_ssl_redirect_can_be_switched_off():
    """DJANGO_SSL_REDIRECT=0 leaves the redirect to the web server."""
    assert settings_with(**production(DJANGO_SSL_REDIRECT="0"))["SECURE_SSL_REDIRECT"] is False


def test_development_works_over_plain_http():
    """With debug on there is no https redirect, no secure-only cookie and no HSTS."""
    values = settings_with()
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_admin_session_expires_after_eight_hours_by_default():
    """The admin session cookie lives 8 hours unless DJANGO_SESSION_COOKIE_AGE says otherwise."""
    assert settings_with(**production())["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    values = settings_with(**production(DJANGO_SESSION_COOKIE_AGE="3600"))
    assert values["SESSION_COOKIE_AGE"] == 3600


def test_malformed_number_refuses_to_start_with_clear_message():
    """A non-numeric DJANGO_HSTS_SECONDS stops start-up and names the variable."""
    result = run(["manage.py", "check"], **production(DJANGO_HSTS_SECONDS="a year"))
    assert result.returncode != 0
    assert "DJANGO_HSTS_SECONDS must be a whole number" in result.stderr


def test_production_response_carries_hsts_and_redirects_http(client, settings):
    """A production-configured site redirects http to https and sends HSTS over https."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/robots.txt", headers={"host": "localhost"})
    assert response.status_code == 301
    assert response["Location"] == "https://localhost/robots.txt"
    secure = client.get("/robots.txt", secure=True, headers={"host": "localhost"})
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["Cross-Origin-Opener-Policy"] == "same-origin"
