from articles.models.agreement import Agreement, Organization, Signatory
from articles.models.article import Article, ArticleQuerySet, ArticleUpdate
from articles.models.listing import RubricLink
from articles.models.photo import Photo
from articles.models.rubric import Rubric
from articles.models.tag import Tag, TaggedArticle
from articles.models.workflow import ShareLink, WorkflowEvent

__all__ = [
    "Agreement",
    "Article",
    "ArticleQuerySet",
    "ArticleUpdate",
    "Organization",
    "Photo",
    "Rubric",
    "RubricLink",
    "ShareLink",
    "Signatory",
    "Tag",
    "TaggedArticle",
    "WorkflowEvent",
]
