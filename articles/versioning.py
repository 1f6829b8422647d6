"""What django-reversion keeps: every content model, an article with everything it owns."""

import reversion

from articles.models import (
    Agreement,
    Article,
    ArticleUpdate,
    Organization,
    Photo,
    Rubric,
    Signatory,
    Tag,
    TaggedArticle,
)


def register_models():
    """Register the content models with django-reversion, before the admin registers its own."""
    # Tags are linked through TaggedArticle rows: follow them, or a recovered article
    # comes back without its tags. Rubrics and agreements are plain many-to-many fields,
    # stored in the article's own data.
    # The workflow log is not followed: reverting must never erase later log entries.
    registrations = [
        (Article, ["tagged_items", "photos", "updates"]),
        (TaggedArticle, ["tag"]),
        (Tag, []),
        (Photo, []),
        (ArticleUpdate, []),
        (Agreement, ["signatories"]),
        (Signatory, []),
        (Organization, []),
        (Rubric, []),
    ]
    for model, follow in registrations:
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow)
