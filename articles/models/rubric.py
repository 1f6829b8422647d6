from django.db import DEFAULT_DB_ALIAS, models
from django.utils.translation import gettext_lazy as _

from articles import content_version
from articles.models.base import KeyField, non_empty
from articles.reversing import cached_reverse

RUBRICS_MEMO_SECONDS = 3600


class Rubric(models.Model):
    """A section of the site, such as "Политика" or "Экономика"."""

    key = KeyField()
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Latin part of the rubric's address; made from the name when left empty."),
    )
    position = models.PositiveSmallIntegerField(
        _("menu position"), default=0, help_text=_("Rubrics are listed in the menu by this number.")
    )

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["position", "name"]
        constraints = [non_empty("name"), non_empty("slug")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("articles:rubric", slug=self.slug)


def rubric_by_slug(slug):
    """Return the rubric with this slug, or raise Rubric.DoesNotExist.

    Every rubric page and rubric feed looks its rubric up: the few rubrics a site has
    are memoized together per content version, which every edit of a rubric bumps. The
    memo holds rows, never model instances, and its name holds their fields: a deploy
    that keeps the version must not read another code's instances.
    """
    fields = tuple(field.attname for field in Rubric._meta.concrete_fields)
    rows = content_version.memoize(
        f"rubrics-by-slug:{','.join(fields)}",
        lambda: {row[fields.index("slug")]: row for row in Rubric.objects.values_list(*fields)},
        timeout=RUBRICS_MEMO_SECONDS,
    )
    try:
        row = rows[slug]
    except KeyError:
        raise Rubric.DoesNotExist(f"No rubric has the slug {slug!r}.") from None
    return Rubric.from_db(DEFAULT_DB_ALIAS, fields, row)
