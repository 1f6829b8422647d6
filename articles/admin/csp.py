"""The article form's rich-text editor under the Content Security Policy.

The policy (pressroom/content_security.py) allows no inline script or style. The prose
editor needs two exceptions, granted on the article's add and change pages only:

- its modules load through an inline `<script type="importmap">`, which gets the
  request's nonce (admin pages are never cached, so a nonce is safe here; public pages
  never use one);
- Tiptap, inside the editor, adds its base stylesheet (`white-space: pre-wrap` and the
  like, which ProseMirror needs) as a `<style>` element at run time, without a nonce.
  The policy allows exactly that stylesheet by its SHA-256 hash, read from the editor's
  own bundle, so an upgrade of django-prose-editor brings its new hash along.
"""

import base64
import functools
import hashlib
import logging
import re
from pathlib import Path

from csp.decorators import csp_update
from django.contrib.staticfiles import finders
from js_asset import Media

logger = logging.getLogger(__name__)

EDITOR_BUNDLE = "django_prose_editor/editor.js"
# Tiptap's stylesheet is a template literal in the bundle; it has no `${}` or escapes.
TIPTAP_STYLESHEET = re.compile(r"`(\.ProseMirror \{[^`$\\]*)`")


@functools.cache
def editor_style_source():
    """Return the CSP hash source of Tiptap's injected stylesheet, or None if not found."""
    path = finders.find(EDITOR_BUNDLE)
    found = TIPTAP_STYLESHEET.findall(Path(path).read_text(encoding="utf-8")) if path else []
    if len(found) != 1:
        logger.warning("Tiptap's stylesheet not found in %s: the editor lacks its base style", path)
        return None
    digest = hashlib.sha256(found[0].encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def allow_editor_style(view):
    """Wrap view so that its policy, enforced or report-only, allows Tiptap's stylesheet."""
    source = editor_style_source()
    if source is None:
        return view
    update = {"style-src": [source]}
    return csp_update(update, REPORT_ONLY=True)(csp_update(update)(view))


class EditorCspMixin:
    """Let the article form's prose editor run under the policy, and nothing more."""

    def changeform_view(self, request, *args, **kwargs):
        return allow_editor_style(super().changeform_view)(request, *args, **kwargs)

    def render_change_form(self, request, context, *args, **kwargs):
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)
