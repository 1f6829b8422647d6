"""Feeds for news aggregators: Yandex News and Dzen (see docs/feeds.md)."""

import datetime

from django.utils.html import format_html

from articles.feeds import generators
from articles.feeds.content import absolute_html, plain_text, update_notes_html, with_update_notes
from articles.feeds.news import LatestNewsFeed
from articles.models import Article

# Yandex News genres: "message" is a news report, "article" an authored text.
YANDEX_GENRES = {
    Article.Kind.STATEMENT: "article",
    Article.Kind.INTERVIEW: "interview",
}


class AggregatorFeed(LatestNewsFeed):
    """Fresh articles with every photo as an enclosure; descriptions in plain text."""

    def item_description(self, item):
        # Aggregators show the description as text: escaping it once more would
        # put "&amp;" in front of their readers.
        return with_update_notes(self.summary(item), item)

    def item_enclosures(self, item):
        return []  # every photo goes to "images": plain RSS allows only one enclosure

    def images(self, item):
        """Return (photo, enclosure) for every photo that has a feed rendition."""
        pairs = ((photo, self.image(photo)) for photo in item.photos.all())
        return [(photo, enclosure) for photo, enclosure in pairs if enclosure]


class YandexNewsFeed(AggregatorFeed):
    """Yandex News: the plain text of the body in yandex:full-text, a genre by kind.

    Yandex News takes news no older than eight days.
    """

    feed_type = generators.YandexNewsFeed
    limit = 100
    max_age = datetime.timedelta(days=8)

    def item_extra_kwargs(self, item):
        return {
            "images": [enclosure for _photo, enclosure in self.images(item)],
            "genre": YANDEX_GENRES.get(item.kind, "message"),
            "full_text": plain_text(item.body),
        }


class DzenFeed(AggregatorFeed):
    """Dzen: the full HTML with the photos as figures, the last three days only."""

    feed_type = generators.AggregatorRssFeed
    limit = 500
    max_age = datetime.timedelta(days=3)

    def item_categories(self, item):
        return []  # Dzen reads <category> as publishing directives, not as topics

    def item_extra_kwargs(self, item):
        images = self.images(item)
        figures = [self.figure(photo, enclosure) for photo, enclosure in images]
        body = absolute_html(item.body, self.absolute(item.get_absolute_url()))
        # The lead photo opens the text, the rest of the gallery follows it.
        content = "".join([*figures[:1], body, *figures[1:], update_notes_html(item)])
        return {"images": [enclosure for _photo, enclosure in images], "content_encoded": content}

    def figure(self, photo, enclosure):
        """Return a photo as the <figure> Dzen expects, with caption and credit."""
        rendition = photo.feed_image
        credit = photo.credit and format_html('<span class="copyright">{}</span>', photo.credit)
        caption = format_html("<figcaption>{}{}</figcaption>", photo.caption, credit)
        return format_html(
            '<figure><img src="{}" width="{}" height="{}" alt="{}">{}</figure>',
            enclosure.url,
            rendition["width"],
            rendition["height"],
            photo.alt,
            caption if photo.caption or photo.credit else "",
        )
