"""Bulk photo upload: many files for one article, one caption and credit, placed last.

Files that are not accepted are listed by name with the reason, and the valid ones are
saved all the same. All-or-nothing would make the editor choose every file again, since
a browser never refills a file input after a form error; this way only the refused ones
need another try, and each saved photo can then be adjusted in the article's form.
"""

import unicodedata
from functools import wraps

import reversion
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, TooManyFilesSent, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from articles.admin.fields import PlainTextField
from articles.admin.forms import url_as_https
from articles.html import clean_text
from articles.models import Article, Photo

TEMPLATE = "admin/articles/article/bulk_photos.html"
TOO_MANY_FILES_TEMPLATE = "admin/articles/article/bulk_photos_too_many.html"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes many files; each is checked later, one by one."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [upload for upload in (data or []) if upload]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


class BulkPhotoForm(forms.ModelForm):
    files = MultipleFileField(label=_("photo files"))

    class Meta:
        model = Photo
        fields = ["files", "alt", "caption", "credit", "credit_url"]
        field_classes = {"alt": PlainTextField, "caption": PlainTextField, "credit": PlainTextField}
        formfield_callback = url_as_https
        help_texts = {
            "alt": _(
                "What the photos show, for readers who cannot see them. Given to every "
                "photo: adjust each one afterwards in the article's form."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "JPEG, PNG or WebP; choose several files at once or drag them onto this field "
            "(at most %(limit)d at a time). They are added after the article's photos, "
            "in the order chosen."
        ) % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}

    def common_fields(self):
        """Return the text fields shared by every uploaded photo."""
        return {
            name: self.cleaned_data[name] for name in ("alt", "caption", "credit", "credit_url")
        }


def shown_name(name):
    """Return a file name fit for display: no control or direction-changing characters.

    An RTL override would make "‮gpj.exe" read as "exe.jpg".
    """
    visible = "".join(char for char in name or "" if unicodedata.category(char) not in {"Cc", "Cf"})
    return visible.strip() or "—"


def upload_photos(article, uploads, fields):
    """Add a photo for each acceptable upload after the article's photos.

    Return the saved photos and a list of (file name, messages) for refused files.
    """
    from articles import images  # loads Pillow: at the first upload, not in every worker

    prepared, refused = [], []
    for upload in uploads:
        photo = Photo(article=article, **fields)
        try:
            images.attach_image(photo, upload, original_name=clean_text(upload.name or ""))
        except ValidationError as error:
            refused.append((shown_name(upload.name), error.messages))
            continue
        prepared.append(photo)
    if not prepared:
        return [], refused
    try:
        with transaction.atomic():
            # Lock the article so that two uploads at once do not take the same numbers.
            list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk"))
            last = article.photos.aggregate(last=Max("position"))["last"] or 0
            for number, photo in enumerate(prepared, start=last + 1):
                photo.position = number
                photo.save()
            # A new updated_at gives the article page a new ETag, so no reader keeps a
            # copy without the new photos (the article queryset's update() bumps the
            # content version).
            Article.objects.filter(pk=article.pk).update(updated_at=timezone.now())
    except DatabaseError:
        _discard(prepared)
        raise
    return prepared, refused


def _discard(photos):
    """Delete the files written for photos whose rows were not saved."""
    from articles import images  # loads Pillow: at the first upload, not in every worker

    for photo in photos:
        images.delete_renditions(photo.renditions)
        if photo.original:
            photo.original.storage.delete(photo.original.name)


def bulk_upload_view(model_admin, request, object_id):
    """Show and handle the "Upload photos" page of one article."""
    opts = model_admin.opts
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        return model_admin._get_obj_does_not_exist_redirect(request, opts, object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[article.pk])
    refused = []
    if request.method == "POST":
        form = BulkPhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with reversion.create_revision():
                    saved, refused = upload_photos(
                        article, form.cleaned_data["files"], form.common_fields()
                    )
                    if saved:
                        # The article follows its photos: its revision records the new set.
                        reversion.add_to_revision(article)
                        reversion.set_user(request.user)
                        reversion.set_comment(str(_("Photos uploaded")))
            except IntegrityError:
                form.add_error(
                    None,
                    _("The article's photos were changed at the same moment: upload again."),
                )
            else:
                _report_saved(model_admin, request, article, saved)
                if not refused:
                    return redirect(f"{change_url}#photos-group")
    else:
        form = BulkPhotoForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Upload photos"),
        "subtitle": str(article),
        "opts": opts,
        "original": article,
        "change_url": change_url,
        "form": form,
        "media": model_admin.media + form.media,
        "refused": refused,
        "photo_count": article.photos.count(),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _report_saved(model_admin, request, article, saved):
    if not saved:
        return
    messages.success(
        request,
        ngettext(
            "%(count)d photo uploaded. Check the alternative text, caption and order of each.",
            "%(count)d photos uploaded. Check the alternative text, caption and order of each.",
            len(saved),
        )
        % {"count": len(saved)},
    )
    model_admin.log_change(
        request,
        article,
        [
            {"added": {"name": str(Photo._meta.verbose_name), "object": str(photo)}}
            for photo in saved
        ],
    )


def within_file_limit(model_admin, view):
    """Answer a POST with more files than allowed by a clear page instead of a bare 400.

    Django refuses such a request (TooManyFilesSent) while parsing it, and the CSRF check
    parses it first, so the editor would see only "Bad Request (400)". This wrapper parses
    the request before the check: a refusal changes nothing and needs no token, and every
    other request goes on to the CSRF-protected admin view.
    """

    @csrf_exempt
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method == "POST":
            try:
                request.FILES  # noqa: B018 (parse the request now)
            except TooManyFilesSent:
                if not model_admin.admin_site.has_permission(request):
                    return HttpResponseBadRequest()
                context = {
                    **model_admin.admin_site.each_context(request),
                    "title": _("Too many files"),
                    "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
                    "retry_url": request.path,
                }
                return TemplateResponse(request, TOO_MANY_FILES_TEMPLATE, context, status=400)
        return view(request, *args, **kwargs)

    return guarded


def bulk_photo_urls(model_admin):
    """Return the admin URL of the bulk upload page, to put before the model admin's own."""
    opts = model_admin.opts

    def view(request, object_id):
        return bulk_upload_view(model_admin, request, object_id)

    protected = model_admin.admin_site.admin_view(view)
    return [
        path(
            "<path:object_id>/photos/",
            within_file_limit(model_admin, protected),
            name=f"{opts.app_label}_{opts.model_name}_bulk_photos",
        )
    ]
