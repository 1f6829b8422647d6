"""The article form's part in the workflow: who may set which status, and the version check."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from articles import workflow
from articles.admin.conflicts import check_version
from articles.admin.forms import ArticleAdminForm
from articles.models import Article, WorkflowEvent

EDITOR_STATUSES = (Article.Status.DRAFT, Article.Status.SUBMITTED)
LIVE_STATUSES = (Article.Status.PUBLISHED, Article.Status.WITHDRAWN)


class WorkflowArticleForm(ArticleAdminForm):
    """The article form, with status changes held to the user's role and the four-eyes rule.

    `current_user` is set by ArticleAdmin.get_form() for each request.
    """

    current_user = None
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    workflow_note = forms.CharField(
        label=_("reason for unpublishing"),
        required=False,
        max_length=1000,
        help_text=_("Required when a published article is taken off the site; kept in its log."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        self.transition = None
        if workflow.can_publish(self.current_user):
            return
        status = self.fields["status"]
        if self.instance.status in LIVE_STATUSES:
            status.disabled = True
            if self.instance.status == Article.Status.PUBLISHED:
                # Moving the time of an approved article would move its embargo.
                self.fields["published_at"].disabled = True
        else:
            status.choices = [c for c in status.choices if c[0] in EDITOR_STATUSES]
        self.fields.pop("workflow_note")

    def clean(self):
        cleaned = super().clean()
        check_version(self, cleaned.get("loaded_version"))
        self.check_transition(cleaned)
        return cleaned

    def check_transition(self, cleaned):
        old = self.instance.status if self.instance.pk else None
        new = cleaned.get("status")
        if new is None or new == old:
            return
        if self.instance.pk is None:
            self.instance.author = self.current_user
        publisher = workflow.can_publish(self.current_user)
        if new in LIVE_STATUSES and not publisher:
            self.add_error("status", _("Only a managing editor can approve and publish articles."))
            return
        if new == Article.Status.PUBLISHED:
            try:
                override = workflow.check_publish(
                    self.instance, by=self.current_user, override=True
                )
            except ValidationError as error:
                self.add_error("status", error)
                return
            except PermissionDenied as error:
                self.add_error("status", str(error))
                return
            self.transition = (WorkflowEvent.Action.PUBLISHED, "", override)
        elif old == Article.Status.PUBLISHED:
            note = cleaned.get("workflow_note", "")
            if not note:
                self.add_error("workflow_note", _("Give the reason for unpublishing."))
                return
            self.transition = (WorkflowEvent.Action.UNPUBLISHED, note, False)
        elif new == Article.Status.SUBMITTED:
            self.transition = (WorkflowEvent.Action.SUBMITTED, "", False)
        elif old == Article.Status.SUBMITTED and new == Article.Status.DRAFT:
            self.transition = (
                WorkflowEvent.Action.RETURNED,
                cleaned.get("workflow_note", ""),
                False,
            )

    def record_transition(self, user):
        """Log the status change made by this form, once the article is saved."""
        if self.transition is None:
            return
        action, note, override = self.transition
        article = self.instance
        if action == WorkflowEvent.Action.PUBLISHED and article.is_scheduled():
            action = WorkflowEvent.Action.SCHEDULED
        workflow.record(article, action, by=user, note=note, override=override)
