from django.conf import settings


def site(request):
    """Expose the site's name and publisher to every template."""
    return {
        "site_name": settings.PRESSROOM_SITE_NAME,
        "site_publisher": settings.PRESSROOM_PUBLISHER,
    }
