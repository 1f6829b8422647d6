"""Preview and share links on the article's admin page."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.html import clean_text
from articles.models import Article, ShareLink
from articles.views.preview import share_url

DEFAULT_SHARE_HOURS = 48
MAX_SHARE_HOURS = 24 * 30


class ShareLinkForm(forms.Form):
    hours = forms.IntegerField(
        label=_("valid for, hours"),
        min_value=1,
        max_value=MAX_SHARE_HOURS,
        initial=DEFAULT_SHARE_HOURS,
    )
    note = forms.CharField(label=_("for whom"), max_length=200, required=False)


class SharingAdminMixin:
    """Adds the preview link and a page to create and revoke share links for an article."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/share/",
                self.admin_site.admin_view(self.share_links_view),
                name="{}_{}_share".format(*info),
            ),
            *super().get_urls(),
        ]

    def preview_links(self, article):
        if article.pk is None:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> · <a href="{}">{}</a>',
            reverse("articles:preview", args=[article.pk]),
            _("Preview"),
            reverse("admin:articles_article_share", args=[article.pk]),
            _("Share links for people without an account"),
        )

    preview_links.short_description = _("preview")

    def share_links_view(self, request, object_id):
        article = get_object_or_404(Article, pk=object_id) if object_id.isdigit() else None
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = ShareLinkForm(request.POST if "create" in request.POST else None)
        if request.method == "POST":
            if "revoke" in request.POST:
                raw = request.POST["revoke"]
                pk = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0
                revoked = ShareLink.objects.filter(article=article, pk=pk, revoked_at=None).update(
                    revoked_at=timezone.now()
                )
                if revoked:
                    self.message_user(request, _("The link no longer opens the article."))
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                link = ShareLink.objects.create(
                    article=article,
                    created_by=request.user,
                    expires_at=timezone.now()
                    + datetime.timedelta(hours=form.cleaned_data["hours"]),
                    note=clean_text(form.cleaned_data["note"]),
                )
                self.message_user(
                    request,
                    format_html(
                        "{} <code>{}</code>",
                        _("Share link created:"),
                        request.build_absolute_uri(share_url(link)),
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
        now = timezone.now()
        links = [
            (link, request.build_absolute_uri(share_url(link)), link.is_active(now))
            for link in article.share_links.select_related("created_by")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Share links: %(title)s") % {"title": article.title},
            "form": form,
            "links": links,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/articles/article/share_links.html", context)
