"""Feed generators: Django's RSS 2.0 and Atom writers, made XML-safe and extended.

Django's XML writer raises on control characters in text (a 500) and lets them through
in attributes (a broken feed); our writers strip them from every string first.

Each item is written as an XML fragment of its own (item_fragment()), so that a feed
can be put together from fragments rendered earlier: articles.feeds.base keeps them in
the shared cache for the content version.
"""

import io

from django.utils import feedgenerator
from django.utils.xmlutils import SimplerXMLGenerator

from articles.html import strip_control_characters

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
YANDEX_NS = "http://news.yandex.ru"
DC_NS = "http://purl.org/dc/elements/1.1/"
ITEMS_MARK = "\x00items\x00"


def xml_safe(value):
    """Return value with characters XML 1.0 forbids removed from every string inside."""
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, dict):
        return {key: xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [xml_safe(item) for item in value]
    if isinstance(value, feedgenerator.Enclosure):
        return feedgenerator.Enclosure(
            xml_safe(value.url), xml_safe(value.length), xml_safe(value.mime_type)
        )
    return value


class XmlSafeMixin:
    """Strip forbidden characters from the channel and every item; write items as fragments.

    document() writes the feed around items' XML made earlier by item_fragment();
    `latest_change` (the newest item's date) then stands in for the items' dates.
    """

    item_element = "item"
    latest_change = None
    _splicing = False

    def write(self, outfile, encoding):
        self.feed = xml_safe(self.feed)
        super().write(outfile, encoding)

    def document(self, items_xml):
        """Return the feed as UTF-8 bytes, its items the given XML (UTF-8 bytes, in order)."""
        out = io.StringIO()
        self._splicing = True
        try:
            self.write(out, "utf-8")
        finally:
            self._splicing = False
        before, after = out.getvalue().split(ITEMS_MARK)
        return b"".join([before.encode(), *items_xml, after.encode()])

    def item_fragment(self, item):
        """Return the XML element of one item (a dict made by add_item()) as text."""
        item = xml_safe(item)
        out = io.StringIO()
        handler = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
        handler.startElement(self.item_element, self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement(self.item_element)
        return out.getvalue()

    def write_items(self, handler):
        if self._splicing:
            # Replaced by the items' bytes in document(). Text made XML-safe never holds
            # a NUL, so the mark cannot come from the content.
            handler.ignorableWhitespace(ITEMS_MARK)
            return
        for item in self.items:
            handler.ignorableWhitespace(self.item_fragment(item))  # XML already

    def latest_post_date(self):
        return self.latest_change or super().latest_post_date()


class RssFeed(XmlSafeMixin, feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full body in content:encoded."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_encoded"):
            handler.addQuickElement("content:encoded", item["content_encoded"])


class AtomFeed(XmlSafeMixin, feedgenerator.Atom1Feed):
    """Atom 1.0 with the full body in <content type="html">."""

    item_element = "entry"

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_encoded"):
            handler.addQuickElement("content", item["content_encoded"], {"type": "html"})


class AggregatorRssFeed(RssFeed):
    """RSS 2.0 for news aggregators: every photo as an enclosure, media:rating."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # Plain RSS allows one enclosure per item; Yandex and Dzen read several.
        for image in item.get("images", ()):
            handler.addQuickElement(
                "enclosure",
                "",
                {"url": image.url, "length": image.length, "type": image.mime_type},
            )
        handler.addQuickElement("media:rating", "nonadult", {"scheme": "urn:simple"})


class YandexNewsFeed(AggregatorRssFeed):
    """The Yandex News dialect: yandex:genre and the plain text in yandex:full-text."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:yandex": YANDEX_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("yandex:genre", item["genre"])
        handler.addQuickElement("yandex:full-text", item["full_text"])
