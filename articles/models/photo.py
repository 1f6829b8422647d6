"""Photos of an article, with renditions made once at upload."""

from functools import lru_cache

from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def media_url(path):
    """Return the public URL of a file in the default storage.

    Local files' URLs are memoized by media base URL and path: a list page asks for
    about two hundred (every width of every card's photo, in two formats).
    """
    if isinstance(default_storage, FileSystemStorage):
        return _local_media_url(default_storage.base_url, path)
    return default_storage.url(path)


# A page needs a few hundred at most; 2 048 keeps a crawled worker within its memory.
@lru_cache(maxsize=2048)
def _local_media_url(base_url, path):
    return default_storage.url(path)


def private_storage():
    """Return the storage for originals, which no public URL reaches."""
    return storages["private"]


class Photo(models.Model):
    """One photo in an article's gallery; the first in order is the lead photo.

    `renditions` lists the derived public files, each a dict with `name` (a width such
    as "640", or "share" and "feed"), `format` ("jpeg" or "webp"), `path` (in the
    default storage), `width`, `height` and `size` in bytes, so pages and feeds need no
    file access.
    """

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("article"),
    )
    position = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("The photo with the smallest number is the lead photo.")
    )
    original = models.FileField(
        _("original"), storage=private_storage, upload_to="originals/", max_length=255
    )
    original_name = models.CharField(_("uploaded file name"), max_length=255, blank=True)
    caption = models.CharField(_("caption"), max_length=1000, blank=True)
    credit = models.CharField(
        _("credit"),
        max_length=300,
        blank=True,
        help_text=_("Shown as «Фото: …», e.g. telegram-канал губернатора Оренбургской области."),
    )
    credit_url = models.URLField(_("credit link"), max_length=500, blank=True)
    alt = models.CharField(
        _("alternative text"),
        max_length=500,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    renditions = models.JSONField(_("renditions"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"],
                name="unique_photo_position_per_article",
                violation_error_message=_("Two photos of one article cannot share a number."),
            ),
        ]

    def __str__(self):
        return self.caption or self.alt or self.original_name or f"#{self.pk}"

    def _renditions(self, fmt):
        widths = [r for r in self.renditions if r["format"] == fmt and r["name"].isdigit()]
        return sorted(widths, key=lambda r: r["width"])

    def rendition(self, name, fmt="jpeg"):
        """Return the rendition dict called `name` in format `fmt`, or None."""
        for rendition in self.renditions:
            if rendition["name"] == name and rendition["format"] == fmt:
                return rendition
        return None

    def url_of(self, rendition):
        return media_url(rendition["path"]) if rendition else ""

    def srcset(self, fmt="jpeg"):
        """Return a srcset attribute value over the width renditions of a format."""
        return ", ".join(f"{self.url_of(r)} {r['width']}w" for r in self._renditions(fmt))

    def best_width(self, min_width, fmt="jpeg"):
        """Return the narrowest width rendition at least min_width wide (or the widest)."""
        widths = self._renditions(fmt)
        for rendition in widths:
            if rendition["width"] >= min_width:
                return rendition
        return widths[-1] if widths else None

    @property
    def thumbnail(self):
        return self.best_width(320)

    @property
    def share_image(self):
        return self.rendition("share") or self.best_width(1200)

    @property
    def feed_image(self):
        return self.rendition("feed") or self.best_width(1200)
