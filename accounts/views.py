"""Enrolment of a TOTP device, and the code check of a session that has none yet."""

import base64
import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit, get_lockout_response
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import CodeForm


def next_url(request):
    """Return the safe page to continue to after this step, or the admin index."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def grouped_secret(device):
    """Return the device's key in base32, as authenticator apps take it, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device):
    """Return the otpauth:// address of device as an inline SVG QR code (no script, no style)."""
    import segno  # only the two-step setup page draws a QR code; not loaded by every worker

    code = segno.make(device.config_url, error="m")
    return mark_safe(code.svg_inline(scale=5, dark="#000", light="#fff", svgclass="otp-qr"))


def page(request, template, **context):
    return render(
        request,
        template,
        {**admin.site.each_context(request), "next": next_url(request), **context},
    )


def pending_device(user):
    """Return the user's unconfirmed device, making one: its key is shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@never_cache
@sensitive_post_parameters("otp_token")
@staff_member_required
def enrol(request):
    """Show a new TOTP key as a QR code and as text; a first right code confirms it."""
    user = request.user
    if user_has_device(user):
        if not user.is_verified():
            return redirect(f"{reverse('accounts:verify')}?{request.GET.urlencode()}")
        return page(request, "accounts/enrolled.html", title=_("Two-step sign-in"))
    with transaction.atomic():
        device = pending_device(user)
        form = CodeForm(
            request.POST or None,
            user=user,
            request=request,
            devices=[device],
            signing_in=False,
        )
        if request.method == "POST" and form.is_valid():
            device.confirmed = True
            device.save()
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is on for your account."))
            return redirect(next_url(request))
    return page(
        request,
        "accounts/enrol.html",
        title=_("Set up two-step sign-in"),
        form=form,
        qr=qr_svg(device),
        secret=grouped_secret(device),
        required=request.user.has_perm("articles.publish_article"),
    )


@never_cache
@sensitive_post_parameters("otp_token")
@staff_member_required
def verify(request):
    """Ask a signed-in user with a device for the code before the admin opens."""
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('accounts:enrol')}?{request.GET.urlencode()}")
    if user.is_verified():
        return redirect(next_url(request))
    credentials = {"username": user.get_username()}
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return get_lockout_response(request, credentials=credentials)
    with transaction.atomic():
        form = CodeForm(
            request.POST or None,
            user=user,
            request=request,
            devices=list(devices_for_user(user, for_verify=True)),
            signing_in=True,
        )
        if request.method == "POST" and form.is_valid():
            otp_login(request, form.device)
            return redirect(next_url(request))
    return page(request, "accounts/verify.html", title=_("Enter the one-time code"), form=form)


def lockout(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in with a page saying why and for how long (django-axes)."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else 0,
    }
    return render(request, "accounts/lockout.html", context, status=429)
