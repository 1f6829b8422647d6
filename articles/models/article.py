"""Articles: news, press releases, visits, statements and interviews."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles.models import json_rows
from articles.models.base import KeyField, non_empty
from articles.models.fields import SanitizedHTMLField
from articles.models.tag import ArticleTagManager, TaggedArticle
from articles.prepared import PreparedQuery, json_value
from articles.reversing import cached_reverse

TITLE_MAX_LENGTH = 300
SLUG_MAX_LENGTH = 120


class ArticleQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Update the rows, and bump the content version: no signal reports this write.

        Pages, memos and cards cached under the old version would otherwise keep showing
        the rows as they were (raw SQL still has to call signals.content_changed()).
        """
        rows = super().update(**kwargs)
        if rows:
            from articles.signals import content_changed  # signals imports the models

            content_changed(using=self.db)
        return rows

    def published(self, now=None):
        """Return the articles visible to the public at `now` (default: this moment).

        This is the one definition of "public": every page, feed, sitemap, search and
        cache starts from it.
        """
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def scheduled(self, now=None):
        """Return the approved articles whose publication time is still ahead."""
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=now)

    def for_listing(self):
        """Return articles for a list, newest first (articles.cards fetches what cards add).

        Cards never show the body: leaving it out saves reading ~5 kB a card.
        """
        return self.defer("body").order_by("-published_at", "-id")

    def for_page(self):
        """Return articles ready for the article page: everything it shows, in one query
        plus one for the photos.

        Rubrics, tags, update notes and agreements come as JSON arrays selected with the
        article (see articles.models.json_rows); page_objects() turns them into the
        prefetched `article.rubrics.all()` and the like, in their models' default order.
        """
        from articles.models import Agreement, Rubric
        from articles.models.tag import Tag

        vendor = connections[self.db].vendor
        # (annotation, source model, its lookup to the article, JSON paths, order)
        sources = [
            ("page_rubrics", Rubric, "articles", json_rows.field_paths(Rubric), None),
            (
                "page_tags",
                TaggedArticle,
                "content_object",
                json_rows.field_paths(Tag, prefix="tag__"),
                [f"tag__{item}" for item in Tag._meta.ordering],
            ),
            ("page_updates", ArticleUpdate, "article", json_rows.field_paths(ArticleUpdate), None),
            ("page_agreements", Agreement, "articles", json_rows.field_paths(Agreement), None),
        ]
        return self.prefetch_related("photos").annotate(
            **{
                name: json_rows.rows_subquery(
                    model, link, paths, ordering or model._meta.ordering, vendor=vendor
                )
                for name, model, link, paths, ordering in sources
            }
        )

    def get_for_page(self, **lookups):
        """Return the one article matching lookups from for_page(), relations attached.

        Raises Article.DoesNotExist like get().
        """
        article = self.for_page().get(**lookups)
        attach_page_relations(article)
        return article


def attach_page_relations(article):
    """Turn the JSON arrays selected by for_page() into the article's prefetched relations."""
    from articles.models import Agreement, Rubric
    from articles.models.tag import Tag

    db = article._state.db
    vendor = connections[db].vendor
    for name, model, rows in (
        ("rubrics", Rubric, article.page_rubrics),
        ("tags", Tag, article.page_tags),
        ("updates", ArticleUpdate, article.page_updates),
        ("agreements", Agreement, article.page_agreements),
    ):
        # A raw query (public_page_article) leaves the arrays as JSON text.
        rows = json_value(rows)
        json_rows.attach(article, name, json_rows.instances(model, rows, db=db, vendor=vendor))


def _rubrics_query(*, article_ids):
    from articles.models import Rubric

    return Rubric.objects.filter(articles__in=article_ids).annotate(listed_for=F("articles__id"))


def _lead_photos_query(*, article_ids):
    from articles.models.photo import Photo

    first = Photo.objects.filter(article_id=OuterRef("article_id")).values("pk")[:1]
    return Photo.objects.filter(article_id__in=article_ids, pk=Subquery(first))


# What a card shows besides the article: compiled once per number of cards.
_LIST_RUBRICS = PreparedQuery(_rubrics_query)
_LEAD_PHOTOS = PreparedQuery(_lead_photos_query)


def attach_listing(articles):
    """Fetch what cards show of articles (rubrics, the lead photo) in two queries.

    Rubrics become the prefetched `article.rubrics.all()`, the first photo in order
    the `lead_photos` that `Article.lead_photo` reads. Returns articles.
    """
    if not articles:
        return articles
    using = articles[0]._state.db
    ids = [article.pk for article in articles]
    rubrics, photos = {}, {}
    for rubric in _LIST_RUBRICS.run(using=using, article_ids=ids):
        rubrics.setdefault(rubric.listed_for, []).append(rubric)
    for photo in _LEAD_PHOTOS.run(using=using, article_ids=ids):
        photos[photo.article_id] = [photo]
    for article in articles:
        json_rows.attach(article, "rubrics", rubrics.get(article.pk, []))
        article.lead_photos = photos.get(article.pk, [])
    return articles


def _public_page_query(*, now, pk):
    return Article.objects.published(now).for_page().filter(pk=pk)


# The article page's own query, compiled once per process (see articles.prepared).
_PUBLIC_PAGE = PreparedQuery(_public_page_query)


def public_page_article(pk, *, now, using=DEFAULT_DB_ALIAS):
    """Return the article page's article as published at `now`, as get_for_page() does.

    Raises Article.DoesNotExist when the public cannot see it.
    """
    found = list(_PUBLIC_PAGE.run(using=using, now=now, pk=pk).prefetch_related("photos"))
    if not found:
        raise Article.DoesNotExist("No published article has this id.")
    attach_page_relations(found[0])
    return found[0]


class Article(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("news")
        PRESS_RELEASE = "press_release", _("press release")
        VISIT = "visit", _("official visit")
        STATEMENT = "statement", _("statement or speech")
        INTERVIEW = "interview", _("interview")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("awaiting approval")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    key = KeyField()
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(
        _("slug"),
        max_length=SLUG_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Latin part of the address, made from the title when left empty. "
            "Old addresses keep working: they redirect to the current one."
        ),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.NEWS)
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One paragraph that sums the story up; plain text.")
    )
    body = SanitizedHTMLField(_("body"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.DRAFT,
        help_text=_(
            "Readers see an article only when it is published and its publication time "
            "has come. A published article with a time in the future is scheduled: it "
            "appears on the site by itself at that time."
        ),
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("Required for publishing. A time in the future schedules the article."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    rubrics = models.ManyToManyField(
        "articles.Rubric", blank=True, related_name="articles", verbose_name=_("rubrics")
    )
    tags = TaggableManager(
        verbose_name=_("tags"),
        through=TaggedArticle,
        manager=ArticleTagManager,
        blank=True,
        help_text=_("Persons, positions, regions, countries and topics, separated by commas."),
    )
    agreements = models.ManyToManyField(
        "articles.Agreement",
        blank=True,
        related_name="articles",
        verbose_name=_("agreements"),
        help_text=_("Agreements that this article reports on."),
    )
    source_url = models.URLField(
        _("source"), max_length=500, blank=True, help_text=_("Where the text first appeared.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("author"),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Grows with every save; an editor's save is refused if it changed meanwhile."),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        constraints = [
            non_empty("title"),
            non_empty("slug"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message=_("A published article needs a publication time."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            # Every public list, archive, neighbour and deep page reads published rows
            # newest first; a partial index holds only those, in exactly that order, so
            # a deep page skips its OFFSET on the index alone.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(status="published"),
                name="article_public_order_idx",
            ),
            # The sitemap index's date: the last change of any published article.
            models.Index(
                fields=["-updated_at"],
                condition=Q(status="published"),
                name="article_public_changed_idx",
            ),
        ]
        permissions = [
            ("publish_article", _("Can approve, publish and unpublish articles")),
            ("override_four_eyes", _("Can approve an article they submitted themselves")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            # Every update of a stored article is a new version (see articles.admin.conflicts).
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return cached_reverse("articles:article", pk=self.pk, slug=self.slug)

    def is_published(self, now=None):
        """Return whether readers can see this article at `now`; mirrors published()."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
        )

    def is_scheduled(self, now=None):
        """Return whether the article is approved but waits for its publication time."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > now
        )

    @property
    def lead_photo(self):
        """Return the first photo, from for_listing()'s `lead_photos` or the photos."""
        photos = getattr(self, "lead_photos", None)
        if photos is None:
            photos = list(self.photos.all())
        return photos[0] if photos else None


class ArticleUpdate(models.Model):
    """A public note on a significant edit, e.g. "уточнены сроки"."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("note"), max_length=500)

    class Meta:
        verbose_name = _("update note")
        verbose_name_plural = _("update notes")
        ordering = ["at", "id"]
        constraints = [non_empty("note")]

    def __str__(self):
        return self.note
