"""Login throttling with django-axes: per user name and address, proxy-aware, resettable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.otp_support import code_for, enrol_totp
from tests.test_admin_support import PASSWORD, client_for
from tests.workflow_support import APPROVER_ROLE, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

LOGIN = "/admin/login/?next=/admin/"
LIMIT = 3


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash test passwords cheaply: these tests sign in many times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def clerk():
    """A staff member without publishing rights (no second factor needed)."""
    return get_user_model().objects.create_user("clerk", password=PASSWORD, is_staff=True)


def log_in(client, username="clerk", password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client, times, username="clerk", **extra):
    """Post a wrong password times; the failure that reaches the limit is already refused."""
    for number in range(1, times + 1):
        response = log_in(client, username, "wrong password", **extra)
        assert response.status_code == (429 if number >= LIMIT else 200)
    return response


def test_right_password_works_below_the_limit(clerk):
    """Fewer failures than the limit leave the account usable."""
    client = Client()
    fail(client, LIMIT - 1)
    assert log_in(client).status_code == 302


def test_the_limit_of_failures_locks_the_user_out_from_that_address(clerk):
    """After N failures even the right password gets the Russian lockout page (429)."""
    client = Client()
    fail(client, LIMIT - 1)
    locked = log_in(client, password="wrong password")
    assert locked.status_code == 429
    response = log_in(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Вход временно заблокирован" in page
    assert "30 минут" in page
    assert "Traceback" not in page and "Account locked" not in page
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_and_address(clerk):
    """The same user from another address, and another user from the same one, may sign in."""
    get_user_model().objects.create_user("other", password=PASSWORD, is_staff=True)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, LIMIT)
    assert log_in(attacker).status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.4")).status_code == 302
    assert log_in(Client(REMOTE_ADDR="203.0.113.9"), "other").status_code == 302


def test_cool_off_ends_the_lockout(clerk, settings, time_machine):
    """After the cool-off time the right password works again."""
    time_machine.move_to("2026-11-20 10:00:00+00:00", tick=False)
    client = Client()
    fail(client, LIMIT)
    assert log_in(client).status_code == 429
    time_machine.move_to("2026-11-20 10:31:00+00:00", tick=False)
    assert log_in(client).status_code == 302


def test_administrator_sees_and_resets_the_lockout(clerk, admin_user):
    """The lockout is listed in axes' admin; deleting it lets the user sign in again."""
    client = Client(REMOTE_ADDR="203.0.113.9")
    fail(client, LIMIT)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("clerk", "203.0.113.9")
    admin = client_for(admin_user)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "203.0.113.9" in listing.content.decode()
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(delete_url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert log_in(client).status_code == 302


def test_forwarded_for_is_ignored_without_a_proxy(clerk):
    """Without DJANGO_BEHIND_PROXY a client cannot dodge the lockout by inventing addresses."""
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(LIMIT):
        log_in(client, password="wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert log_in(client, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


@override_settings(
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    AXES_IPWARE_PROXY_ORDER="left-most",
    AXES_IPWARE_PROXY_COUNT=0,
    IPWARE_STRICT=False,
)
def test_behind_the_proxy_the_client_address_comes_from_the_proxy(clerk):
    """Behind the proxy, the address the proxy appended counts, not what the client wrote."""
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(LIMIT):
        log_in(proxy, password="wrong", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert log_in(proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Another reader behind the same proxy is not locked out.
    assert log_in(proxy, HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 302


def proxy_settings(**env):
    """Return the address settings a fresh process computes from the environment."""
    names = ["AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT", "AXES_FAILURE_LIMIT"]
    code = (
        "import json; from pressroom import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    return json.loads(run_python(code, **env))


def run_python(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_settings_follow_the_proxy_switch():
    """DJANGO_BEHIND_PROXY=1 turns on X-Forwarded-For; without it only the socket counts."""
    behind = proxy_settings(DJANGO_BEHIND_PROXY="1", DJANGO_LOGIN_FAILURE_LIMIT="7")
    assert behind["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    assert behind["AXES_IPWARE_PROXY_COUNT"] == 0
    assert behind["AXES_FAILURE_LIMIT"] == 7
    two_proxies = proxy_settings(DJANGO_BEHIND_PROXY="1", DJANGO_PROXY_COUNT="2")
    assert two_proxies["AXES_IPWARE_PROXY_COUNT"] == 1
    direct = proxy_settings()
    assert direct["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    assert direct["AXES_IPWARE_PROXY_COUNT"] is None
    assert direct["AXES_FAILURE_LIMIT"] == 5


def test_wrong_codes_count_towards_the_lockout(settings):
    """Guessing codes after a stolen password ends in the same lockout as guessing passwords."""
    user = make_user("chief", APPROVER_ROLE)
    device = enrol_totp(user)
    client = Client()
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    for _ in range(LIMIT):
        client.post(LOGIN, {"username": "chief", "password": PASSWORD, "otp_token": wrong})
    response = client.post(
        LOGIN, {"username": "chief", "password": PASSWORD, "otp_token": code_for(device)}
    )
    assert response.status_code == 429
    assert TOTPDevice.objects.get().confirmed
