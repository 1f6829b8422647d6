"""Sharing metadata: the image a shared link shows and schema.org JSON-LD of pages.

Everything here reads what the views already fetched, so metadata adds no queries.
URLs are absolute through request.build_absolute_uri (ALLOWED_HOSTS guards the host).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

SCHEMA_CONTEXT = "https://schema.org"
# The width rendition that JSON-LD offers next to the share crop: the photo in its own
# proportions, large enough for search engines' article previews.
LARGE_WIDTH = 1200


def iso_datetime(value):
    """Return a date-time in the site's time zone as ISO 8601, to the second."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def share_image(request, photo):
    """Return the share crop of a photo (url, type, width, height, alt), or None."""
    rendition = photo.share_image if photo else None
    if rendition is None:
        return None
    return {
        "url": request.build_absolute_uri(photo.url_of(rendition)),
        "type": f"image/{rendition['format']}",
        "width": rendition["width"],
        "height": rendition["height"],
        "alt": photo.alt,
    }


def publisher(request):
    """Return the press service (settings.PRESSROOM_PUBLISHER) as an Organization."""
    return {
        "@type": "Organization",
        "name": settings.PRESSROOM_PUBLISHER,
        "url": request.build_absolute_uri(reverse("articles:home")),
    }


def image_object(request, photo, rendition):
    """Return a rendition of a photo as an ImageObject with its caption and credit."""
    url = request.build_absolute_uri(photo.url_of(rendition))
    image = {
        "@type": "ImageObject",
        "url": url,
        "contentUrl": url,
        "width": rendition["width"],
        "height": rendition["height"],
    }
    if photo.caption:
        image["caption"] = photo.caption
    if photo.credit:
        image["creditText"] = photo.credit
    return image


def article_images(request, photos):
    """Return ImageObjects: the lead photo's share crop, then every photo at full size."""
    pairs = [(photos[0], photos[0].share_image)] if photos else []
    pairs += [(photo, photo.best_width(LARGE_WIDTH)) for photo in photos]
    # A photo made before share crops existed falls back to a width rendition: list it once.
    chosen = {}
    for photo, rendition in pairs:
        if rendition:
            chosen.setdefault(rendition["path"], (photo, rendition))
    return [image_object(request, photo, rendition) for photo, rendition in chosen.values()]


def article_json_ld(request, article, *, photos, canonical_url, modified_at):
    """Return schema.org NewsArticle data for an article page.

    dateModified is the latest public update note (modified_at) or the publication
    time: edits without a note stay silent here as they do on the page.
    """
    organization = publisher(request)
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url},
        "url": canonical_url,
        "headline": article.title,
        "inLanguage": settings.LANGUAGE_CODE,
        # Government news is signed by the press service, not by the editor's account.
        "author": organization,
        "publisher": organization,
    }
    # An editor's preview of a draft has no publication time yet. A note dated before a
    # rescheduled publication must not make dateModified precede datePublished.
    published = article.published_at
    modified = max((time for time in (modified_at, published) if time), default=None)
    if published:
        data["datePublished"] = iso_datetime(published)
    if modified:
        data["dateModified"] = iso_datetime(modified)
    if article.lead:
        data["description"] = article.lead
    images = article_images(request, photos)
    if images:
        data["image"] = images
    sections = [rubric.name for rubric in article.rubrics.all()]
    if sections:
        data["articleSection"] = sections
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    return data


def organization(party):
    """Return a party to an agreement as an Organization."""
    data = {"@type": "Organization", "name": party.name}
    if party.short_name:
        data["alternateName"] = party.short_name
    if party.country:
        data["address"] = {"@type": "PostalAddress", "addressCountry": party.country}
    return data


def validity(agreement):
    """Return the validity period as an ISO 8601 interval ("start/..", open-ended), or None."""
    if not (agreement.valid_from or agreement.valid_until):
        return None
    start = agreement.valid_from.isoformat() if agreement.valid_from else ".."
    end = agreement.valid_until.isoformat() if agreement.valid_until else ".."
    return f"{start}/{end}"


def agreement_json_ld(request, agreement, *, parties, canonical_url):
    """Return schema.org CreativeWork data for an agreement page, linking its document."""
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "CreativeWork",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url},
        "url": canonical_url,
        "name": agreement.title,
        "genre": str(agreement.get_kind_display()),
        "dateCreated": agreement.signed_on.isoformat(),
        "inLanguage": settings.LANGUAGE_CODE,
        "about": [organization(party) for party in parties],
        "publisher": publisher(request),
    }
    if agreement.number:
        data["identifier"] = agreement.number
    if agreement.summary:
        data["description"] = agreement.summary
    if agreement.place:
        data["locationCreated"] = {"@type": "Place", "name": agreement.place}
    period = validity(agreement)
    if period:
        data["temporalCoverage"] = period
    if agreement.document:
        # The download view, as on the page: sent as an attachment in a sandbox.
        document = reverse("articles:agreement_document", kwargs={"pk": agreement.pk})
        data["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": request.build_absolute_uri(document),
            "encodingFormat": "application/pdf",
        }
    return data
