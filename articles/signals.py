"""Bump the content version whenever something a public page shows is written.

Pages and feeds in the page cache (articles/pagecache.py) are keyed by the content
version, so one bump makes all of them unreachable at once, without a cache scan. Every
model whose rows a public page, feed, sitemap or export shows is watched here. Writes
that send no signals (QuerySet.update(), bulk_create(), raw SQL) call content_changed()
themselves (Article.objects.update() does it for its callers), and long runs of writes
(an import batch) bump once through one_bump().
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles import content_version
from articles.models import (
    Agreement,
    Article,
    ArticleUpdate,
    Organization,
    Photo,
    Rubric,
    RubricLink,
    ShareLink,
    Signatory,
    Tag,
    TaggedArticle,
    WorkflowEvent,
)

# Models whose rows a visitor sees somewhere.
PUBLIC_MODELS = (
    Article,
    ArticleUpdate,
    Photo,
    Rubric,
    Tag,
    TaggedArticle,
    Agreement,
    Signatory,
    Organization,
)
# Models no public page shows: writing them changes nothing a visitor sees.
PRIVATE_MODELS = (ShareLink, WorkflowEvent)
# Models only read: other views of rows that the watched models write (RubricLink is the
# table of Article.rubrics, whose changes m2m_changed reports).
READ_ONLY_MODELS = (RubricLink,)

_in_one_bump = ContextVar("pressroom_in_one_bump", default=False)


def content_changed(*, using=None):
    """Bump the content version now, and again when the current transaction commits.

    The first bump stops serving pages cached before the write at once. A visitor who
    reads between it and the commit still sees the old rows, and may cache them under
    the new version: the bump on commit makes that copy unreachable too. Outside a
    transaction both bumps happen at once.
    """
    if _in_one_bump.get():
        return
    content_version.bump()
    # robust: the data is committed; a failed bump (logged) must not turn the editor's
    # successful save into an error page.
    transaction.on_commit(content_version.bump, using=using, robust=True)


@contextmanager
def one_bump(*, using=None):
    """Bump once for all the writes of the block (an import batch), not once per row."""
    token = _in_one_bump.set(True)
    try:
        yield
    finally:
        _in_one_bump.reset(token)
        content_changed(using=using)


def _written(sender, *, using=None, **kwargs):
    content_changed(using=using)


def _links_changed(sender, *, action, using=None, **kwargs):
    if action.startswith("post_"):
        content_changed(using=using)


def connect():
    """Connect the receivers that bump the version on every public write (AppConfig.ready)."""
    for model in PUBLIC_MODELS:
        uid = f"pagecache:{model._meta.label}"
        post_save.connect(_written, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}:delete")
    links = (
        Article.rubrics.through,
        Article.agreements.through,
        Agreement.parties.through,
        TaggedArticle,  # django-taggit's add(), set(), remove() and clear()
    )
    for through in links:
        m2m_changed.connect(
            _links_changed, sender=through, dispatch_uid=f"pagecache:{through._meta.label}:m2m"
        )


def new_code_deployed(**kwargs):
    """Start a new content version after migrate, which every deploy runs."""
    content_version.bump()
