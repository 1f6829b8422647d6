"""Tags for articles: persons, positions, regions, countries and topics.

django-taggit's own slugify drops Cyrillic letters and its case-insensitive lookup relies
on the database (SQLite folds only ASCII case), so our Tag folds names itself and
transliterates slugs with translit_slug().
"""

import re
import unicodedata

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import _TaggableManager
from taggit.models import TagBase, TaggedItemBase

from articles import content_version
from articles.reversing import cached_reverse
from articles.slugs import translit_slug

TAG_NAME_MAX_LENGTH = 100
# One memo a tag page: a crawler leaves one behind for each tag.
TAG_MEMO_SECONDS = 600
_SPACES = re.compile(r"\s+")


def normalize_tag_name(name):
    """Return a tag name in NFC with inner whitespace collapsed and the ends stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


def fold_tag_name(name):
    """Return the form under which two spellings of one tag compare equal."""
    return normalize_tag_name(name).casefold().replace("ё", "е")


def parse_tag_string(text):
    """Split editor input into tag names on commas only (a name may contain spaces)."""
    names = []
    seen = set()
    for piece in (text or "").split(","):
        name = normalize_tag_name(piece.strip().strip('"').strip())
        if name and fold_tag_name(name) not in seen:
            seen.add(fold_tag_name(name))
            names.append(name)
    return names


def join_tag_names(tags):
    """Render tags for the editor's text field, comma-separated."""
    return ", ".join(sorted(tag.name for tag in tags))


class Tag(TagBase):
    class Kind(models.TextChoices):
        TOPIC = "topic", _("topic")
        PERSON = "person", _("person")
        POSITION = "position", pgettext_lazy("tag kind", "position")
        REGION = "region", _("region")
        COUNTRY = "country", _("country")

    name = models.CharField(_("name"), max_length=TAG_NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(_("slug"), max_length=TAG_NAME_MAX_LENGTH + 10, unique=True)
    folded_name = models.CharField(
        _("folded name"), max_length=TAG_NAME_MAX_LENGTH, unique=True, editable=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TOPIC)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        # The folded name is derived state that the unique constraint needs on every write.
        self.name = normalize_tag_name(self.name)
        self.folded_name = fold_tag_name(self.name)
        super().save(*args, **kwargs)

    def slugify(self, tag, i=None):
        slug = translit_slug(tag, max_length=TAG_NAME_MAX_LENGTH) or "tag"
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return cached_reverse("articles:tag", slug=self.slug)


class TaggedArticle(TaggedItemBase):
    """The link between a tag and an article, with a real foreign key to each."""

    content_object = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    # The article's publication time while it is published (see articles.models.listing).
    listed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_tag_per_article")
        ]
        indexes = [
            # Tag pages and related news read a tag's articles newest (highest id) first.
            models.Index(fields=["tag", "-content_object"], name="taggedarticle_tag_article_idx"),
            # Tag pages: any page of any tag read off this index (articles.models.listing).
            models.Index(
                fields=["tag", "-listed_at", "-content_object"],
                condition=Q(listed_at__isnull=False),
                name="taggedarticle_listing_idx",
            ),
        ]


class ArticleTagManager(_TaggableManager):
    """A taggit manager that matches names by their folded form on every database."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tag_model = self.through.tag_model()
        result = []
        wanted = {}
        for tag in tags:
            if isinstance(tag, tag_model):
                result.append(tag)
            elif isinstance(tag, str):
                name = normalize_tag_name(tag)
                if name:
                    wanted.setdefault(fold_tag_name(name), name)
                    result.append(fold_tag_name(name))
            else:
                raise ValueError(f"Cannot add {tag!r}: expected a Tag or a string.")
        by_fold = {
            existing.folded_name: existing
            for existing in tag_model._default_manager.filter(folded_name__in=wanted)
        }
        for folded, name in wanted.items():
            if folded not in by_fold:
                by_fold[folded], _created = tag_model._default_manager.get_or_create(
                    folded_name=folded, defaults={"name": name}
                )
        unique = []
        for item in result:
            tag = by_fold[item] if isinstance(item, str) else item
            if tag not in unique:
                unique.append(tag)
        return unique


def tag_by_slug(slug):
    """Return the tag with this slug, or raise Tag.DoesNotExist.

    Every tag page and tag feed looks its tag up: each is memoized per content version,
    which every edit of a tag bumps, as a row (see rubric_by_slug).
    """
    if len(slug) > Tag._meta.get_field("slug").max_length:
        raise Tag.DoesNotExist("No tag has so long a slug.")
    fields = tuple(field.attname for field in Tag._meta.concrete_fields)
    row = content_version.memoize(
        f"tag-by-slug:{','.join(fields)}:{slug}",
        # An empty row for no tag: stored like any other, so a missing tag costs no query.
        lambda: Tag.objects.filter(slug=slug).values_list(*fields).first() or (),
        timeout=TAG_MEMO_SECONDS,
    )
    if not row:
        raise Tag.DoesNotExist(f"No tag has the slug {slug!r}.")
    return Tag.from_db(DEFAULT_DB_ALIAS, fields, row)
