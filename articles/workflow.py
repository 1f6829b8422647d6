"""The editorial workflow: draft → awaiting approval → published, with the four-eyes rule.

Every change of an article's status goes through these functions; the admin form, its
bulk actions and any script call them, so the permission and four-eyes rules hold on
every path. Each function saves the article, records a WorkflowEvent and a revision.
"""

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.html import clean_text
from articles.models import Article, WorkflowEvent

PUBLISH_PERMISSION = "articles.publish_article"
OVERRIDE_PERMISSION = "articles.override_four_eyes"


class WorkflowError(ValidationError):
    """A step the article's state or the user's role does not allow."""


def can_publish(user):
    """Return whether user may approve, publish and unpublish articles."""
    return user.has_perm(PUBLISH_PERMISSION)


def proposer_of(article):
    """Return who put the article forward: the last to submit it, or else its author."""
    event = (
        article.workflow_events.filter(action=WorkflowEvent.Action.SUBMITTED)
        .order_by("-at", "-id")
        .select_related("by")
        .first()
        if article.pk
        else None
    )
    return event.by if event else article.author


def check_publish(article, *, by, override=False):
    """Raise unless `by` may approve the article; return whether four-eyes is overridden."""
    if not can_publish(by):
        raise PermissionDenied(_("Only a managing editor can approve and publish articles."))
    proposer = proposer_of(article)
    if proposer is None or proposer.pk != by.pk:
        return False
    if override and by.has_perm(OVERRIDE_PERMISSION):
        return True
    raise WorkflowError(
        _(
            "You submitted this article yourself: another managing editor must approve it "
            "(four-eyes rule)."
        ),
        code="four_eyes",
    )


def record(article, action, *, by, note="", override=False):
    """Store one workflow event of article."""
    return WorkflowEvent.objects.create(
        article=article,
        action=action,
        by=by,
        note=note,
        publish_at=article.published_at if action == WorkflowEvent.Action.SCHEDULED else None,
        four_eyes_override=override,
    )


def _save(article, *, by, comment):
    with reversion.create_revision():
        article.save()
        reversion.set_user(by)
        reversion.set_comment(str(comment))


@transaction.atomic
def submit(article, *, by):
    """Send a draft (or withdrawn) article for approval."""
    if article.status not in (Article.Status.DRAFT, Article.Status.WITHDRAWN):
        raise WorkflowError(_("Only a draft can be submitted for approval."), code="state")
    article.status = Article.Status.SUBMITTED
    _save(article, by=by, comment=_("Submitted for approval"))
    return record(article, WorkflowEvent.Action.SUBMITTED, by=by)


@transaction.atomic
def return_to_draft(article, *, by, reason=""):
    """Send an article awaiting approval back to its authors."""
    if not can_publish(by):
        raise PermissionDenied(_("Only a managing editor can approve and publish articles."))
    if article.status != Article.Status.SUBMITTED:
        raise WorkflowError(_("Only an article awaiting approval can be returned."), code="state")
    article.status = Article.Status.DRAFT
    _save(article, by=by, comment=_("Returned to draft"))
    return record(article, WorkflowEvent.Action.RETURNED, by=by, note=clean_text(reason))


@transaction.atomic
def publish(article, *, by, at=None, override=False):
    """Approve and publish the article now, or schedule it for `at` (a future time)."""
    if article.status == Article.Status.PUBLISHED:
        raise WorkflowError(_("The article is already published or scheduled."), code="state")
    overridden = check_publish(article, by=by, override=override)
    now = timezone.now()
    article.published_at = at or article.published_at or now
    article.status = Article.Status.PUBLISHED
    scheduled = article.published_at > now
    action = WorkflowEvent.Action.SCHEDULED if scheduled else WorkflowEvent.Action.PUBLISHED
    _save(article, by=by, comment=WorkflowEvent.Action(action).label)
    return record(article, action, by=by, override=overridden)


approve = publish


@transaction.atomic
def unpublish(article, *, by, reason):
    """Take a published or scheduled article off the site, keeping it, with the reason."""
    if not can_publish(by):
        raise PermissionDenied(_("Only a managing editor can approve and publish articles."))
    reason = clean_text(reason)
    if not reason:
        raise WorkflowError(_("Give the reason for unpublishing."), code="reason")
    if article.status != Article.Status.PUBLISHED:
        raise WorkflowError(_("Only a published article can be unpublished."), code="state")
    article.status = Article.Status.WITHDRAWN
    _save(article, by=by, comment=_("Unpublished: %(reason)s") % {"reason": reason})
    return record(article, WorkflowEvent.Action.UNPUBLISHED, by=by, note=reason)
