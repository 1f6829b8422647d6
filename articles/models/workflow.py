"""The editorial record: who moved an article through approval, and share links for preview."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SHARE_TOKEN_BYTES = 32


class WorkflowEvent(models.Model):
    """One step of an article through approval; never edited, shown on the article."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted for approval")
        RETURNED = "returned", _("returned to draft")
        PUBLISHED = "published", _("approved and published")
        SCHEDULED = "scheduled", _("approved and scheduled")
        UNPUBLISHED = "unpublished", _("unpublished")

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="workflow_events",
        verbose_name=_("article"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    note = models.CharField(_("reason or comment"), max_length=1000, blank=True)
    four_eyes_override = models.BooleanField(
        _("four-eyes override"),
        default=False,
        help_text=_("The approver had submitted the article and approved it by override."),
    )

    class Meta:
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")
        ordering = ["at", "id"]

    def __str__(self):
        return self.get_action_display()


def new_share_token():
    """Return a fresh unguessable token for a share link."""
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)


class ShareLink(models.Model):
    """A revocable, expiring link showing one unpublished article to someone without an account."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="share_links",
        verbose_name=_("article"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    note = models.CharField(
        _("for whom"), max_length=200, blank=True, help_text=_("E.g. «Аппарат губернатора».")
    )

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.note or self.token[:8]

    def is_active(self, now=None):
        """Return whether the link still opens the article at `now`."""
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at
