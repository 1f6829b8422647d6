"""Admin for rubrics, tags and organisations."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin

from articles.admin.forms import OrganizationAdminForm, RubricAdminForm, TagAdminForm
from articles.admin.lookups import SafeLookupsMixin
from articles.models import Organization, Rubric, Tag, TaggedArticle
from articles.models.tag import fold_tag_name
from articles.search import refresh_search_document
from articles.signals import content_changed


@admin.register(Rubric)
class RubricAdmin(SafeLookupsMixin, VersionAdmin):
    form = RubricAdminForm
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    fields = ["name", "slug", "position"]


@admin.register(Organization)
class OrganizationAdmin(SafeLookupsMixin, VersionAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "short_name", "country"]
    list_filter = ["country"]
    search_fields = ["name", "short_name"]
    fields = ["name", "short_name", "country"]


def merge_tags(tags):
    """Merge tags into the most used one (the oldest on a tie); return it and the rest.

    Every article keeps all its tags: a link to a merged tag becomes a link to the kept
    one, unless the article has that already.
    """
    tags = sorted(tags, key=lambda tag: (-tag.article_count, tag.pk))
    kept, merged = tags[0], tags[1:]
    links = TaggedArticle.objects.filter(tag__in=merged)
    with transaction.atomic():
        article_ids = set(links.values_list("content_object_id", flat=True))
        links.filter(
            Exists(
                TaggedArticle.objects.filter(content_object=OuterRef("content_object"), tag=kept)
            )
        ).delete()
        # An article may carry two of the merged tags; keep one link of each such pair.
        seen = set()
        duplicates = []
        for pk, article_id in links.order_by("pk").values_list("pk", "content_object_id"):
            if article_id in seen:
                duplicates.append(pk)
            seen.add(article_id)
        TaggedArticle.objects.filter(pk__in=duplicates).delete()
        links.update(tag=kept)
        content_changed()  # update() sends no signal
        Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
        refresh_search_document(article_ids)
    return kept, merged


@admin.register(Tag)
class TagAdmin(SafeLookupsMixin, admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "kind", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name"]
    fields = ["name", "slug", "kind"]
    actions = ["merge_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    def get_search_results(self, request, queryset, search_term):
        # Search the folded name: SQLite folds only ASCII case, and ё should find е.
        folded = fold_tag_name(search_term)
        if not folded:
            return queryset, False
        return queryset.filter(folded_name__contains=folded), False

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    def has_merge_permission(self, request):
        """Merging changes links and deletes tags, so it needs both permissions."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description=_("Merge selected tags"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        tags = list(queryset)
        if len(tags) < 2:
            self.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
            return
        kept, merged = merge_tags(tags)
        count = TaggedArticle.objects.filter(tag=kept).count()
        self.message_user(
            request,
            ngettext(
                "Merged into «%(tag)s»: %(merged)s. The tag now marks %(count)d article.",
                "Merged into «%(tag)s»: %(merged)s. The tag now marks %(count)d articles.",
                count,
            )
            % {
                "tag": kept.name,
                "merged": ", ".join(f"«{tag.name}»" for tag in merged),
                "count": count,
            },
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            refresh_search_document(obj.tagged_articles.values_list("content_object_id", flat=True))
