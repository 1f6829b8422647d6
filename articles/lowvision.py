"""Settings of the version for the visually impaired, kept in one cookie.

The cookie holds whitelisted `option-value` pairs (for example
"size-2.scheme-bw.images-off.spacing-wide"); anything else in it is ignored, so a
forged cookie can only select one of the prepared looks. Pages that show these
classes differ by the cookie: a page cache must vary on it (Vary: Cookie).
"""

from django.utils.translation import gettext_lazy as _

COOKIE_NAME = "pressroom_lv"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60

OPTIONS = {
    "size": {
        "1": _("Normal"),
        "2": _("Large"),
        "3": _("Largest"),
    },
    "scheme": {
        "default": _("Site colours"),
        "bw": _("Black on white"),
        "wb": _("White on black"),
        "blue": _("Dark blue on light blue"),
    },
    "images": {
        "on": _("Show images"),
        "off": _("Hide images"),
    },
    "spacing": {
        "normal": _("Normal spacing"),
        "wide": _("Wide spacing"),
    },
}

LABELS = {
    "size": _("Text size"),
    "scheme": _("Colours"),
    "images": _("Images"),
    "spacing": _("Letter and line spacing"),
}

DEFAULTS = {"size": "1", "scheme": "default", "images": "on", "spacing": "normal"}


def parse(value):
    """Return the settings stored in a cookie value, defaults for anything unknown."""
    settings = dict(DEFAULTS)
    for pair in (value or "").split(".")[: len(OPTIONS)]:
        option, _sep, choice = pair.partition("-")
        if choice in OPTIONS.get(option, {}):
            settings[option] = choice
    return settings


def serialize(settings):
    """Return the cookie value for settings; empty when everything is the default."""
    return ".".join(
        f"{option}-{settings[option]}"
        for option in OPTIONS
        if settings.get(option, DEFAULTS[option]) != DEFAULTS[option]
    )


def html_classes(settings):
    """Return the classes for <html>: `lv` plus one class per non-default setting."""
    changed = [
        f"lv-{option}-{settings[option]}"
        for option in OPTIONS
        if settings[option] != DEFAULTS[option]
    ]
    return " ".join(["lv", *changed]) if changed else ""


def from_request(request):
    """Return the settings of the visitor who made request."""
    return parse(request.COOKIES.get(COOKIE_NAME))
