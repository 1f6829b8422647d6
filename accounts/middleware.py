"""Keep unverified sessions of users who need a second factor out of the admin."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from accounts.policy import needs_verification

# Admin views an unverified session may still reach: to sign in, or to leave.
OPEN_ADMIN_VIEWS = {"login", "logout", "jsi18n"}
# Staff pages outside the admin that show unpublished work (namespace, URL name).
GUARDED_VIEWS = {("articles", "preview")}


def guarded(match):
    """Return whether the resolved view belongs to the editors' workspace."""
    if match is None:
        return False
    if match.app_name == "admin":
        return match.url_name not in OPEN_ADMIN_VIEWS
    return (match.namespace, match.url_name) in GUARDED_VIEWS


class RequireTwoFactorMiddleware:
    """Redirect a signed-in user who must enter a code to enrolment or verification.

    Users with a device confirm their session with a code; publishers without one are
    sent to enrol. Other staff without a device use the admin as before. The draft
    preview counts as the workspace: it shows embargoed articles.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not guarded(request.resolver_match):
            return None
        user = request.user
        if not user.is_authenticated or not needs_verification(user):
            return None
        step = "accounts:verify" if user_has_device(user) else "accounts:enrol"
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(f"{reverse(step)}?{query}")
