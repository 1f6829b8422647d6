"""The version for the visually impaired: its settings page and the switch that stores them."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import TemplateView

from articles import lowvision


def safe_next(request, default=None):
    """Return the `next` address of request when it stays on this site, else default."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LowVisionSettingsView(TemplateView):
    """Show every setting of the version for the visually impaired as plain links."""

    template_name = "accessibility/settings.html"

    def get_context_data(self, **kwargs):
        current = lowvision.from_request(self.request)
        back = safe_next(self.request)
        here = reverse("articles:low_vision")
        if back:
            here = f"{here}?{urlencode({'next': back})}"
        groups = [
            {
                "name": option,
                "label": lowvision.LABELS[option],
                "choices": [
                    {
                        "label": label,
                        "current": current[option] == value,
                        "url": _set_url({option: value, "next": here}),
                    }
                    for value, label in choices.items()
                ],
            }
            for option, choices in lowvision.OPTIONS.items()
        ]
        return super().get_context_data(
            groups=groups,
            back=back,
            reset_url=_set_url({"reset": "1", "next": here}),
            **kwargs,
        )


def _set_url(params):
    return f"{reverse('articles:low_vision_set')}?{urlencode(params)}"


def low_vision_set(request):
    """Store the whitelisted settings given in the query string and go back to `next`."""
    settings = lowvision.DEFAULTS if "reset" in request.GET else lowvision.from_request(request)
    settings = dict(settings)
    for option, choices in lowvision.OPTIONS.items():
        if request.GET.get(option) in choices:
            settings[option] = request.GET[option]
    response = HttpResponseRedirect(safe_next(request, reverse("articles:low_vision")))
    value = lowvision.serialize(settings)
    if value:
        response.set_cookie(
            lowvision.COOKIE_NAME,
            value,
            max_age=lowvision.COOKIE_MAX_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie(lowvision.COOKIE_NAME, samesite="Lax")
    return response
