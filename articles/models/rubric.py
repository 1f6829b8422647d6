from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.base import KeyField, non_empty
from articles.reversing import cached_reverse


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
