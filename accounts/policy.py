"""Who must sign in with a second factor, and where to send them when they have not."""

from django_otp import user_has_device

from articles.workflow import can_publish


def requires_two_factor(user):
    """Return whether user may not use the admin without a verified TOTP device.

    Publishers (and superusers, who hold every permission) can put anything on the site,
    so a stolen password alone must not be enough for them.
    """
    return user.is_active and user.is_staff and can_publish(user)


def needs_verification(user):
    """Return whether user's session must be verified by a code before using the admin."""
    return not user.is_verified() and (user_has_device(user) or requires_two_factor(user))
