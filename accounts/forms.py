"""The admin login form with its code field, and the form that checks a code."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device

CODE_HELP = _("Six digits from the authenticator app on your phone.")


class CodeField(forms.CharField):
    """A one-time code: digits only, spaces the user typed are dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("One-time code"))
        kwargs.setdefault("help_text", CODE_HELP)
        attrs = {"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        super().__init__(max_length=12, widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value):
        return "".join(super().to_python(value).split())


def wrong_code(form, user, request, *, failed_sign_in=True):
    """Put the wrong-code error on the code field and report a failed sign-in.

    The failure signal makes django-axes count the attempt (a right password with wrong
    codes is locked out like a wrong password) and the audit trail record it.
    """
    form.add_error(
        "otp_token",
        _("The code is wrong or has expired. Enter the current code from the app."),
    )
    if failed_sign_in:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )


class LoginForm(AdminAuthenticationForm):
    """The admin login: user name, password and, for users with a device, the code."""

    otp_token = CodeField(
        required=False,
        help_text=_(
            "Six digits from the authenticator app. Leave empty if two-step sign-in "
            "is not set up for you yet."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not user_has_device(user):
            return cleaned
        code = cleaned.get("otp_token")
        if not code:
            self.add_error(
                "otp_token", _("Two-step sign-in is on for you: enter the one-time code.")
            )
            return cleaned
        device = match_token(user, code)
        if device is None:
            wrong_code(self, user, self.request)
        else:
            # django-otp's user_logged_in handler stores this device in the session.
            user.otp_device = device
        return cleaned


class CodeForm(forms.Form):
    """One code, checked against devices: a new one being enrolled, or the user's own.

    A wrong code while signing in counts as a failed sign-in; a wrong first code of a
    new device is only a typo and does not.
    """

    otp_token = CodeField()

    def __init__(self, *args, user, request, devices, signing_in, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.devices = devices
        self.signing_in = signing_in
        self.device = None

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("otp_token")
        if code:
            self.device = next((d for d in self.devices if d.verify_token(code)), None)
            if self.device is None:
                wrong_code(self, self.user, self.request, failed_sign_in=self.signing_in)
        return cleaned
