"""List filters of the editors' workspace."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from articles.models import Agreement, Article, Tag

TAG_FILTER_SIZE = 30


class ArticleStatusFilter(admin.SimpleListFilter):
    """Filter by status, with "scheduled" told apart from what readers already see."""

    title = _("status")
    parameter_name = "state"
    SCHEDULED = "scheduled"

    def lookups(self, request, model_admin):
        Status = Article.Status
        return [
            (Status.DRAFT, Status.DRAFT.label),
            (Status.SUBMITTED, Status.SUBMITTED.label),
            (self.SCHEDULED, _("scheduled")),
            (Status.PUBLISHED, Status.PUBLISHED.label),
            (Status.WITHDRAWN, Status.WITHDRAWN.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.SCHEDULED:
            return queryset.scheduled()
        if value == Article.Status.PUBLISHED:
            return queryset.published()
        if value in (Article.Status.DRAFT, Article.Status.SUBMITTED, Article.Status.WITHDRAWN):
            return queryset.filter(status=value)
        return queryset


class TagFilter(admin.SimpleListFilter):
    """Filter by one of the most used tags (or the tag already chosen)."""

    title = _("tag")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        popular = (
            Tag.objects.annotate(article_count=Count("tagged_articles"))
            .filter(article_count__gt=0)
            .order_by("-article_count", "name")[:TAG_FILTER_SIZE]
        )
        choices = [(tag.slug, tag.name) for tag in popular]
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _name in choices}:
            choices.extend(Tag.objects.filter(slug=chosen).values_list("slug", "name"))
        return choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tagged_items__tag__slug=self.value())
        return queryset


class AgreementStatusFilter(admin.SimpleListFilter):
    """Filter agreements by whether they are in force today."""

    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return Agreement.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Agreement.Status.values:
            return queryset.filter(Agreement.status_condition(self.value()))
        return queryset
