"""Template tags of the version for the visually impaired."""

from django import template
from django.utils.http import urlencode

from articles import lowvision

register = template.Library()


@register.simple_tag(takes_context=True)
def low_vision(context):
    """Return the visitor's settings: `classes` for <html> and whether the version is `active`."""
    request = context.get("request")
    settings = lowvision.from_request(request) if request else dict(lowvision.DEFAULTS)
    classes = lowvision.html_classes(settings)
    path = request.get_full_path() if request else "/"
    return {
        "classes": classes,
        "active": bool(classes),
        "next": urlencode({"next": path}),
    }
