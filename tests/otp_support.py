"""Two-step sign-in for tests: real TOTP devices and codes, sessions verified as django-otp does."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import requires_two_factor


def enrol_totp(user):
    """Return a confirmed TOTP device of user (made once), as after enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="телефон", confirmed=True)


def code_for(device, *, at=None):
    """Return the code the user's authenticator app shows now (or at a Unix time).

    A code is accepted once per 30-second step: when this step's code was used already,
    return the next step's, which the device also accepts (one step of drift).
    """
    device.refresh_from_db()
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    if device.last_t >= generator.t():
        generator.time += device.step * (device.last_t - generator.t() + 1)
    return f"{generator.token():0{device.digits}d}"


def verify_session(client, device):
    """Mark client's signed-in session as verified by device, like django_otp.login()."""
    session = client.session
    assert str(session[SESSION_KEY]) == str(device.user_id), "log the device's user in first"
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def force_login_verified(client, user):
    """Log user in on client, verified by a TOTP device when user needs two-step sign-in."""
    client.force_login(user)
    if requires_two_factor(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        verify_session(client, enrol_totp(user))
    return client
