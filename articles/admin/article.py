"""Admin for articles, their photos and public update notes."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.admin.filters import ArticleStatusFilter, TagFilter
from articles.admin.forms import (
    ArticleAdminForm,
    ArticleUpdateInlineForm,
    PhotoInlineForm,
    PhotoInlineFormSet,
)
from articles.models import Article, ArticleUpdate, Photo
from articles.search import refresh_search_document

THUMBNAIL_WIDTH = 160
# Editors paste addresses without a scheme; assume https (Django 6's default) already.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}
LIST_TIME_FORMAT = "j E Y, H:i"


class PhotoInline(admin.TabularInline):
    model = Photo
    form = PhotoInlineForm
    formset = PhotoInlineFormSet
    fields = ["thumbnail", "upload", "position", "alt", "caption", "credit", "credit_url"]
    readonly_fields = ["thumbnail"]
    ordering = ["position", "id"]
    extra = 1
    formfield_overrides = URL_FIELDS

    @admin.display(description=_("preview"))
    def thumbnail(self, photo):
        rendition = photo.thumbnail if photo.pk else None
        if not rendition:
            return "—"
        width = min(THUMBNAIL_WIDTH, rendition["width"])
        height = max(1, round(rendition["height"] * width / rendition["width"]))
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            photo.url_of(rendition),
            width,
            height,
            photo.alt,
        )


class ArticleUpdateInline(admin.TabularInline):
    model = ArticleUpdate
    form = ArticleUpdateInlineForm
    fields = ["at", "note"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    formfield_overrides = URL_FIELDS
    inlines = [PhotoInline, ArticleUpdateInline]
    list_display = ["title", "status_label", "kind", "published_at", "author"]
    list_select_related = ["author"]
    list_filter = [
        ArticleStatusFilter,
        "kind",
        "rubrics",
        TagFilter,
        ("published_at", admin.DateFieldListFilter),
    ]
    search_fields = ["title", "lead"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["agreements"]
    readonly_fields = ["author", "key", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "lead", "body"]}),
        (_("Publication"), {"fields": ["status", "published_at", "author"]}),
        (_("Rubrics, tags and agreements"), {"fields": ["rubrics", "tags", "agreements"]}),
        (
            _("Source and service data"),
            {"fields": ["source_url", "key", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, article):
        if article.is_scheduled():
            local = timezone.localtime(article.published_at)
            return _("Scheduled for %(time)s") % {"time": date_format(local, LIST_TIME_FORMAT)}
        return article.get_status_display()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "rubrics":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search_document([form.instance.pk])
