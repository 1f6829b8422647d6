"""Comparing two saved versions of an article, field by field."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles.models import Article, Rubric, Tag, TaggedArticle

COMPARED_FIELDS = [
    "title",
    "slug",
    "kind",
    "lead",
    "body",
    "status",
    "published_at",
    "source_url",
    "rubrics",
]


def _version_id(raw):
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def tag_names(version):
    """Return the sorted tag names saved with the article in version's revision."""
    content_type = ContentType.objects.get_for_model(TaggedArticle)
    tag_ids = [
        item.field_dict["tag_id"]
        for item in version.revision.version_set.filter(content_type=content_type)
    ]
    return sorted(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))


def shown(name, value):
    """Return a field value as an editor reads it."""
    if name == "rubrics":
        return ", ".join(Rubric.objects.filter(pk__in=value or []).values_list("name", flat=True))
    if name == "body":
        return strip_tags(value or "")
    return "" if value is None else str(value)


def differences(older, newer):
    """Return (label, older value, newer value) for each field that differs."""
    rows = []
    old_fields, new_fields = older.field_dict, newer.field_dict
    for name in COMPARED_FIELDS:
        before, after = shown(name, old_fields.get(name)), shown(name, new_fields.get(name))
        if before != after:
            rows.append((Article._meta.get_field(name).verbose_name, before, after))
    before, after = ", ".join(tag_names(older)), ", ".join(tag_names(newer))
    if before != after:
        rows.append((_("tags"), before, after))
    return rows


class HistoryCompareMixin:
    """Adds a page comparing two versions from an article's history."""

    object_history_template = "reversion/articles/article/object_history.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if not object_id.isdigit():
            raise Http404
        article = get_object_or_404(Article, pk=object_id)
        versions = list(Version.objects.get_for_object(article).select_related("revision__user"))
        by_id = {version.pk: version for version in versions}
        first = by_id.get(_version_id(request.GET.get("a")))
        second = by_id.get(_version_id(request.GET.get("b")))
        if first is None or second is None:
            if len(versions) < 2:
                first = second = versions[0] if versions else None
            else:
                second, first = versions[0], versions[1]
        older, newer = sorted([first, second], key=lambda v: v.pk) if first else (None, None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Compare versions: %(title)s") % {"title": article.title},
            "versions": versions,
            "older": older,
            "newer": newer,
            "rows": differences(older, newer) if older else [],
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)
