"""Admin for articles, their photos and public update notes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin

from articles import workflow
from articles.admin.a11y import AccessibleAdminMixin, LabelledInlineFormSetMixin
from articles.admin.bulk_photos import bulk_photo_urls
from articles.admin.csp import EditorCspMixin
from articles.admin.filters import ArticleStatusFilter, TagFilter
from articles.admin.forms import (
    ArticleUpdateInlineForm,
    PhotoInlineForm,
    PhotoInlineFormSet,
)
from articles.admin.history import HistoryCompareMixin
from articles.admin.lookups import SafeLookupsMixin
from articles.admin.sharing import SharingAdminMixin
from articles.admin.workflow import WorkflowArticleForm
from articles.models import Article, ArticleUpdate, Photo, WorkflowEvent
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


class ArticleUpdateInlineFormSet(LabelledInlineFormSetMixin, BaseInlineFormSet):
    pass


class ArticleUpdateInline(admin.TabularInline):
    model = ArticleUpdate
    form = ArticleUpdateInlineForm
    formset = ArticleUpdateInlineFormSet
    fields = ["at", "note"]
    extra = 0


class WorkflowEventInline(admin.TabularInline):
    """The article's approval log: read-only, written by articles.workflow only."""

    model = WorkflowEvent
    fields = ["at", "action", "by", "publish_at", "note", "four_eyes_override"]
    readonly_fields = fields
    ordering = ["at", "id"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("Approval log")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(
    EditorCspMixin,
    AccessibleAdminMixin,
    SafeLookupsMixin,
    SharingAdminMixin,
    HistoryCompareMixin,
    VersionAdmin,
):
    form = WorkflowArticleForm
    formfield_overrides = URL_FIELDS
    inlines = [PhotoInline, ArticleUpdateInline, WorkflowEventInline]
    actions = ["submit_selected", "publish_selected"]
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
    readonly_fields = ["author", "goes_live", "preview_links", "key", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "kind",
                    "lead",
                    "body",
                    "loaded_version",
                    "creation_token",
                ]
            },
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "goes_live",
                    "workflow_note",
                    "author",
                    "preview_links",
                ]
            },
        ),
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

    @admin.display(description=_("appears on the site"))
    def goes_live(self, article):
        if article.pk is None or article.status != Article.Status.PUBLISHED:
            return _("Not approved for publication yet")
        local = date_format(timezone.localtime(article.published_at), LIST_TIME_FORMAT)
        if article.is_scheduled():
            return _("Scheduled: appears by itself at %(time)s") % {"time": local}
        return _("On the site since %(time)s") % {"time": local}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_user = request.user
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if workflow.can_publish(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "workflow_note"]})
            for name, options in fieldsets
        ]

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    @admin.action(description=_("Submit selected articles for approval"))
    def submit_selected(self, request, queryset):
        self._run(request, queryset, lambda article: workflow.submit(article, by=request.user))

    @admin.action(description=_("Approve and publish selected articles"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda article: workflow.publish(
                article,
                by=request.user,
                override=request.user.has_perm(workflow.OVERRIDE_PERMISSION),
            ),
        )

    def _run(self, request, queryset, step):
        done = 0
        for article in queryset:
            try:
                step(article)
            except (PermissionDenied, ValidationError) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"«{article.title}»: {message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d article done.", "%(count)d articles done.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "rubrics":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        form.record_transition(request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_search_document([form.instance.pk])

    def get_urls(self):
        return bulk_photo_urls(self) + super().get_urls()
