from django.conf import settings

from articles import cards


def site(request):
    """Expose the site's name and publisher, and where the page is made, to every template.

    rubric and tag are None but on a rubric's or tag's page (which set them): the
    shell's feed links ask every page for them, and a missing variable costs the
    template engine an exception each time.
    """
    return {
        "site_name": settings.PRESSROOM_SITE_NAME,
        "site_publisher": settings.PRESSROOM_PUBLISHER,
        "rubric": None,
        "tag": None,
        cards.MADE_IN: cards.made_in(),
    }
