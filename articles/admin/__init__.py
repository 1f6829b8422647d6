"""The editors' workspace: articles, agreements, rubrics, tags and organisations."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from articles.versioning import register_models

register_models()  # before VersionAdmin would register the models with its own follow lists

from articles.admin import agreement, article, taxonomy  # noqa: E402

__all__ = ["agreement", "article", "taxonomy"]

admin.site.site_header = _("Press service: editors' workspace")
admin.site.site_title = _("Press service")
admin.site.index_title = _("Publications and documents")

# Articles use our own Tag model; taggit's stock tag table stays empty and would only
# confuse editors.
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)
