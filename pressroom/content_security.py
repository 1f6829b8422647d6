"""The Content Security Policy, in django-csp 4's CONTENT_SECURITY_POLICY format.

Public pages are stored in a shared page cache, so they must never depend on a nonce: a
cached nonce would be served to every visitor. The NONCE placeholder below is therefore
inert until a template reads `request.csp_nonce`; only admin pages, which are never
cached, do that (see articles/admin/csp.py), which also allows the editor's one
injected stylesheet by its hash. Nothing else may use inline script or style.
"""

import functools
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, NONE, SELF
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


def media_origin(media_url):
    """Return the origin of an absolute MEDIA_URL (S3, a CDN), or None for a local path."""
    parts = urlsplit(media_url)
    if not parts.netloc:
        return None
    scheme = parts.scheme or "https"
    return f"{scheme}://{parts.netloc}"


def directives(*, media_url, report_uri=""):
    """Return the policy's directives for a site whose media lives at media_url."""
    images = [SELF, "data:"]
    origin = media_origin(media_url)
    if origin:
        images.append(origin)
    policy = {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": images,
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
    if report_uri:
        policy["report-uri"] = [report_uri]
    return policy


def policy_settings(*, media_url, report_only=False, report_uri=""):
    """Return (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY) for settings."""
    policy = {"DIRECTIVES": directives(media_url=media_url, report_uri=report_uri)}
    if report_only:
        return None, policy
    return policy, None


# Per-response changes django-csp's decorators make (csp_update, csp_replace…).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class PolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy of responses that change nothing built once.

    django-csp builds both headers from the settings for every response (~50 µs), the
    same strings for every public page. Those are now built once per process (and again
    when a test changes the settings). A response its view changed the policy of (the
    admin's editor pages) or a request that made a nonce goes through django-csp as it is.
    """

    def process_response(self, request, response):
        if isinstance(getattr(request, "_csp_nonce", None), str) or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # django-csp leaves Django's debug pages alone
        for header, policy, exempt, prefixes in _plain_policies():
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            # As django-csp does: a nonce asked for after the header is written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _plain_policies():
    """Return (header, policy, exemption attribute, excluded prefixes) of both headers."""
    found = []
    for header, setting, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        found.append((header, build_policy(report_only=report_only), exempt, prefixes))
    return tuple(found)


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _plain_policies.cache_clear()
