from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")


class TOTPConfig(DefaultConfig):
    """django-otp's TOTP plugin, with a Russian name for its section of the admin."""

    verbose_name = _("Two-step sign-in")
