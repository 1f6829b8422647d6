"""Two-step sign-in in Chromium: a managing editor enrols an app and signs in with its code."""

import base64

import pytest
from django_otp.oath import TOTP

from tests.browser.support import editorial_users
from tests.test_admin_support import PASSWORD
from tests.workflow_support import APPROVER_ROLE, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret, *, step_offset=0):
    """Return what an authenticator app shows for the base32 key a person copied."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    generator = TOTP(key)
    generator.time = generator.time + 30 * step_offset
    return f"{generator.token():06d}"


def sign_in(page, username, code=""):
    page.goto("/admin/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    if code:
        page.get_by_label("Одноразовый код").fill(code)
    page.get_by_role("button", name="Войти").click()


def test_managing_editor_enrols_an_app_then_signs_in_with_its_code(new_page):
    """Without a device the workspace asks to enrol; the app's code then opens it and signs in."""
    editorial_users()  # creates the roles
    make_user("chief", APPROVER_ROLE)
    page = new_page()
    sign_in(page, "chief")
    page.wait_for_url("**/admin/two-step/enrol/**")
    assert page.locator("svg.otp-qr").is_visible()
    assert page.get_by_role("img", name="QR-код для приложения-аутентификатора").is_visible()
    secret = page.locator("#otp-secret").inner_text()

    wrong = f"{(int(app_code(secret)) + 1) % 1_000_000:06d}"
    page.get_by_label("Одноразовый код").fill(wrong)
    page.get_by_role("button", name="Подтвердить").click()
    field = page.get_by_label("Одноразовый код")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Код неверен" in page.locator("#id_otp_token_error").inner_text()

    page.wait_for_timeout(1100)  # a wrong code makes the device wait a second
    page.get_by_label("Одноразовый код").fill(app_code(secret))
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("link", name="Вход в два шага").is_visible()

    again = new_page()
    sign_in(again, "chief")
    assert "Для вас включён вход в два шага" in again.locator("#id_otp_token_error").inner_text()
    sign_in(again, "chief", app_code(secret, step_offset=1))
    again.wait_for_url("**/admin/")
