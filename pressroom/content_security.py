"""The Content Security Policy, in django-csp 4's CONTENT_SECURITY_POLICY format.

Public pages are stored in a shared page cache, so they must never depend on a nonce: a
cached nonce would be served to every visitor. The NONCE placeholder below is therefore
inert until a template reads `request.csp_nonce`; only admin pages, which are never
cached, do that (see articles/admin/csp.py), which also allows the editor's one
injected stylesheet by its hash. Nothing else may use inline script or style.
"""

from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF


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
