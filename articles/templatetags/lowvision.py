"""Template tags of the version for the visually impaired."""

from django import template
from django.utils.http import urlencode

from articles import lowvision
from articles.reversing import cached_reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def low_vision(context):
    """Return the visitor's settings: `classes` for <html>, whether the version is `active`,
    and the links to its settings and back to the usual version, which return here.
    """
    request = context.get("request")
    settings = lowvision.from_request(request) if request else dict(lowvision.DEFAULTS)
    classes = lowvision.html_classes(settings)
    path = request.get_full_path() if request else "/"
    back = urlencode({"next": path})
    return {
        "classes": classes,
        "active": bool(classes),
        "settings_url": f"{cached_reverse('articles:low_vision')}?{back}",
        "reset_url": f"{cached_reverse('articles:low_vision_set')}?reset=1&{back}",
    }
