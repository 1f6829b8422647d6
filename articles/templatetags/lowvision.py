"""Template tags of the version for the visually impaired."""

from django import template
from django.utils.http import urlencode

from articles import cards, lowvision
from articles.local_copies import LocalCopies
from articles.reversing import cached_reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def low_vision(context):
    """Return the visitor's settings: `classes` for <html>, whether the version is `active`,
    and the links to its settings and back to the usual version, which return here.

    Kept per process for each settings cookie, address and place the page is made in
    (cards.made_in): every page asks, and most ask the same.
    """
    request = context.get("request")
    settings = lowvision.from_request(request) if request else dict(lowvision.DEFAULTS)
    path = request.get_full_path() if request else "/"
    if len(path) > KEPT_PATH_CHARS:
        return _answer(settings, path)
    # Normalised: a forged cookie selects one of the prepared looks, as in the page key.
    key = (lowvision.serialize(settings), path, cards.made_in(context))
    return _answers.get_or_make(key, lambda: _answer(settings, path))


def _answer(settings, path):
    classes = lowvision.html_classes(settings)
    back = urlencode({"next": path})
    return {
        "classes": classes,
        "active": bool(classes),
        "settings_url": f"{cached_reverse('articles:low_vision')}?{back}",
        "reset_url": f"{cached_reverse('articles:low_vision_set')}?reset=1&{back}",
    }


# Answers by (settings, address, cards.made_in()): about a kilobyte each; longer
# addresses (a long search) are answered afresh.
KEPT_PATH_CHARS = 300
_answers = LocalCopies(512)
