"""Two-step sign-in (django-otp, TOTP): enrolment, the code at login, publishers held to it."""

import base64
import re

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article
from tests.factories import ArticleFactory
from tests.otp_support import code_for, enrol_totp
from tests.test_admin_support import PASSWORD, client_for, make_editor
from tests.workflow_support import APPROVER_ROLE, EDITOR_ROLE, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
ENROL = reverse("accounts:enrol")
ARTICLES = reverse("admin:articles_article_changelist")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash test passwords cheaply: these tests sign in many times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, username, code="", next_url="/admin/"):
    data = {"username": username, "password": PASSWORD, "otp_token": code}
    return client.post(f"{LOGIN}?next={next_url}", data)


def signed_in_with_password(user):
    client = Client()
    assert log_in(client, user.username).status_code == 302
    return client


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_publisher_without_a_device_is_sent_to_enrolment():
    """A managing editor signed in by password alone reaches no admin page but enrolment."""
    client = signed_in_with_password(make_user("chief", APPROVER_ROLE))
    response = client.get(ARTICLES)
    assert response.status_code == 302
    assert response.url == f"{ENROL}?next={ARTICLES.replace('/', '%2F')}"
    assert client.get("/admin/").url.startswith(ENROL)


def test_superuser_without_a_device_is_sent_to_enrolment():
    """Superusers hold the publishing permission, so they need a device too."""
    boss = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    client = signed_in_with_password(boss)
    assert client.get("/admin/").url.startswith(ENROL)


def test_editor_without_publishing_rights_may_use_the_admin_without_a_device():
    """An editor who cannot publish may use the workspace with the password alone."""
    client = signed_in_with_password(make_user("writer", EDITOR_ROLE))
    assert client.get(ARTICLES).status_code == 200


def enrolment_page(client):
    response = client.get(ENROL)
    assert response.status_code == 200
    return response


def secret_on(response):
    """Return the key shown as text on the enrolment page, as the user would type it."""
    page = lxml.html.fromstring(response.content.decode())
    (secret,) = page.xpath('//code[@id="otp-secret"]/text()')
    return secret.replace(" ", "")


def test_enrolment_page_shows_a_qr_code_and_the_key_of_a_new_device():
    """The page shows an SVG QR code and the key in base32 matching the pending device."""
    user = make_user("chief", APPROVER_ROLE)
    client = signed_in_with_password(user)
    response = enrolment_page(client)
    page = response.content.decode()
    assert "<svg" in page and 'class="otp-qr"' in page
    assert "<script" not in page.split("</header>")[-1]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert base64.b32decode(secret_on(response)) == device.bin_key
    assert 'autocomplete="one-time-code"' in page
    assert '<label for="id_otp_token">Одноразовый код:</label>' in page


def test_a_wrong_first_code_is_refused_with_an_error_on_the_field():
    """A wrong code leaves the device unconfirmed and shows the error tied to the field."""
    user = make_user("chief", APPROVER_ROLE)
    client = signed_in_with_password(user)
    enrolment_page(client)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL, {"otp_token": wrong(code_for(device))})
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    (field,) = page.xpath('//input[@name="otp_token"]')
    assert field.get("aria-invalid") == "true"
    assert "id_otp_token_error" in field.get("aria-describedby")
    (error,) = page.xpath('//*[@id="id_otp_token_error"]')
    assert "Код неверен" in error.text_content()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(ARTICLES).status_code == 302


def test_the_right_first_code_confirms_the_device_and_opens_the_admin():
    """The current code confirms the device, verifies the session and continues to `next`."""
    user = make_user("chief", APPROVER_ROLE)
    client = signed_in_with_password(user)
    enrolment_page(client)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(f"{ENROL}?next={ARTICLES}", {"otp_token": code_for(device)})
    assert response.status_code == 302
    assert response.url == ARTICLES
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(ARTICLES).status_code == 200


def test_enrolment_keeps_the_same_key_until_confirmed():
    """Reloading the page shows the same key, so a scanned code stays valid."""
    client = signed_in_with_password(make_user("chief", APPROVER_ROLE))
    assert secret_on(enrolment_page(client)) == secret_on(enrolment_page(client))
    assert TOTPDevice.objects.count() == 1


def test_login_with_a_device_requires_the_code():
    """With a device, the password alone is refused with an error on the code field."""
    user = make_user("chief", APPROVER_ROLE)
    enrol_totp(user)
    client = Client()
    response = log_in(client, user.username)
    assert response.status_code == 200
    assert "Для вас включён вход в два шага" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_code_is_refused():
    """A wrong code with the right password does not sign in."""
    user = make_user("chief", APPROVER_ROLE)
    device = enrol_totp(user)
    client = Client()
    response = log_in(client, user.username, wrong(code_for(device)))
    assert response.status_code == 200
    assert "Код неверен" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_code_opens_the_admin():
    """Password and current code sign in with a verified session."""
    user = make_user("chief", APPROVER_ROLE)
    device = enrol_totp(user)
    client = Client()
    response = log_in(client, user.username, code_for(device), next_url=ARTICLES)
    assert response.status_code == 302 and response.url == ARTICLES
    assert client.get(ARTICLES).status_code == 200


def test_a_code_cannot_be_used_twice():
    """The same code replayed in the same time step is refused."""
    user = make_user("chief", APPROVER_ROLE)
    device = enrol_totp(user)
    code = code_for(device)
    assert log_in(Client(), user.username, code).status_code == 302
    assert log_in(Client(), user.username, code).status_code == 200


def test_editor_with_a_device_needs_the_code_too():
    """An editor who chose to enrol is asked for the code like a publisher."""
    user = make_user("writer", EDITOR_ROLE)
    enrol_totp(user)
    assert log_in(Client(), user.username).status_code == 200


def test_unverified_session_of_a_user_with_a_device_is_asked_for_the_code(time_machine):
    """A session signed in without the code (device added later) must verify first."""
    time_machine.move_to("2026-11-20 10:00:00+00:00", tick=False)
    user = make_user("chief", APPROVER_ROLE)
    client = Client()
    client.force_login(user)
    device = enrol_totp(user)
    response = client.get(ARTICLES)
    assert response.url.startswith(reverse("accounts:verify"))
    refused = client.post(reverse("accounts:verify"), {"otp_token": wrong(code_for(device))})
    assert refused.status_code == 200
    assert "Код неверен" in refused.content.decode()
    time_machine.shift(2)  # after a wrong code the device waits a second before the next one
    accepted = client.post(
        f"{reverse('accounts:verify')}?next={ARTICLES}", {"otp_token": code_for(device)}
    )
    assert accepted.url == ARTICLES
    assert client.get(ARTICLES).status_code == 200


def test_login_page_has_a_labelled_code_field():
    """The login form shows the code field with its Russian label and help text."""
    page = Client().get(LOGIN).content.decode()
    assert '<label for="id_otp_token">Одноразовый код:</label>' in page
    assert 'aria-describedby="id_otp_token_helptext"' in page
    assert "<script>" not in page and "style=" not in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)


def test_enrolment_is_linked_from_the_admin_header():
    """Every admin page links to the enrolment page in the user links."""
    response = client_for(make_editor()).get("/admin/")
    assert f'href="{ENROL}"' in response.content.decode()


def test_enrolled_user_sees_that_two_step_sign_in_is_on():
    """A verified user opening the enrolment page is told it is set up; no new key is made."""
    user = make_editor()
    client = client_for(user)
    response = client.get(ENROL)
    assert "при каждом входе нужен код" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_anonymous_visitor_cannot_enrol():
    """The enrolment page is only for signed-in staff."""
    assert Client().get(ENROL).url.startswith(LOGIN)
    assert Client().post(ENROL, {"otp_token": "123456"}).url.startswith(LOGIN)
    assert not TOTPDevice.objects.exists()


def test_draft_preview_is_part_of_the_workspace():
    """An unverified publisher cannot preview an embargoed draft; a plain editor still can."""
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    preview = reverse("articles:preview", args=[draft.pk])
    publisher = signed_in_with_password(make_user("chief", APPROVER_ROLE))
    assert publisher.get(preview).url.startswith(ENROL)
    writer = signed_in_with_password(make_user("writer", EDITOR_ROLE))
    assert writer.get(preview).status_code == 200
