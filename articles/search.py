"""Full-text search over articles: PostgreSQL's Russian configuration, a plain fallback elsewhere.

On PostgreSQL, migration 0002 adds `articles_article.search_document`, a weighted tsvector
(title A, lead and tag names B, body C) under a GIN index. It is not a model field: it is
derived state that refresh_search_document() recomputes after every write that changes an
article's text or tags. On SQLite, search_articles() matches every word of the query,
folded in Python (SQLite's LIKE folds only ASCII case), in the title, lead, body or tags.
"""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connections
from django.db.models import Exists, F, Func, OuterRef, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.html import clean_text
from articles.models import Article, Tag, TaggedArticle
from articles.models.tag import fold_tag_name
from articles.signals import content_changed

CONFIG = "russian"
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_WORDS = 8
# Ranking reads every matching row's search document. A common word matches hundreds of
# thousands of articles at a million rows, so only the newest matches are ranked: enough
# for 100 pages of results, and the cost stays bounded whatever the archive's size.
MAX_RANKED_MATCHES = 2000
# Private-use characters mark the matches in ts_headline's plain-text output; the text is
# escaped first and the markers become <mark> afterwards, so no stored text reaches the
# page unescaped.
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
_SPACES = re.compile(r"\s+")

_ARTICLE = Article._meta.db_table
_TAGGED = TaggedArticle._meta.db_table
_TAG = Tag._meta.db_table
_TAGGED_ARTICLE = TaggedArticle._meta.get_field("content_object").column
_TAGGED_TAG = TaggedArticle._meta.get_field("tag").column

# Kept in step with the copy frozen in migration 0002, which fills existing rows.
REFRESH_SQL = f"""
UPDATE {_ARTICLE} AS a SET search_document =
    setweight(to_tsvector('{CONFIG}', coalesce(a.title, '')), 'A')
    || setweight(to_tsvector('{CONFIG}', coalesce(a.lead, '')), 'B')
    || setweight(to_tsvector('{CONFIG}', coalesce((
        SELECT string_agg(t.name, ' ')
        FROM {_TAGGED} AS ta JOIN {_TAG} AS t ON t.id = ta.{_TAGGED_TAG}
        WHERE ta.{_TAGGED_ARTICLE} = a.id
    ), '')), 'B')
    || setweight(to_tsvector('{CONFIG}', regexp_replace(
        regexp_replace(coalesce(a.body, ''), '<[^>]*>', ' ', 'g'),
        '&[#a-zA-Z0-9]+;', ' ', 'g'
    )), 'C')
WHERE a.id = ANY(%s)
"""


def is_full_text(using="default"):
    """Return whether the database offers the PostgreSQL full-text search."""
    return connections[using].vendor == "postgresql"


def refresh_search_document(article_ids, *, using="default"):
    """Recompute the search document of the given articles in one UPDATE; return the count.

    Call it after saving an article's title, lead, body or tags (and for every article of
    a renamed tag). On databases other than PostgreSQL it does nothing and returns 0.
    """
    if not is_full_text(using):
        return 0
    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        return 0
    with connections[using].cursor() as cursor:
        cursor.execute(REFRESH_SQL, [ids])
        refreshed = cursor.rowcount
    # Search pages show these documents: cached ones must not outlive them.
    content_changed(using=using)
    return refreshed


def clean_query(raw):
    """Return the search query as the reader meant it: no control characters, bounded length."""
    text = _SPACES.sub(" ", clean_text(raw or ""))
    return text[:MAX_QUERY_LENGTH].strip()


def search_articles(queryset, query):
    """Return the articles of queryset that match query, best first.

    On PostgreSQL the ranking covers the newest MAX_RANKED_MATCHES matches only.
    """
    if is_full_text(queryset.db):
        return _full_text(queryset, query)
    return _fallback(queryset, query)


def _plain_text(field):
    """Return an SQL expression for a stored HTML field with its tags replaced by spaces."""
    return Func(
        F(field),
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _full_text(queryset, query):
    tsquery = SearchQuery(query, config=CONFIG, search_type="websearch")
    document = RawSQL(f"{_ARTICLE}.search_document", [], output_field=SearchVectorField())
    # A query of its own, not a subquery: the RawSQL column would bind to the outer table.
    newest_matches = list(
        queryset.alias(document=document)
        .filter(document=tsquery)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:MAX_RANKED_MATCHES]
    )
    return (
        queryset.filter(pk__in=newest_matches)
        .alias(document=document)
        .annotate(rank=SearchRank(F("document"), tsquery))
        .order_by("-rank", "-published_at", "-id")
    )


def add_headlines(articles, query):
    """Mark the query's words in the title and a fragment of each article of a page.

    A query of its own for the page's rows only: computed in the ranked query, the
    headlines were made for every row an OFFSET skipped too (page 50: 80 ms more).
    Outside PostgreSQL, hits() marks the words in Python and this does nothing.
    """
    if not articles or not is_full_text(articles[0]._state.db):
        return articles
    tsquery = SearchQuery(query, config=CONFIG, search_type="websearch")
    text = Concat(F("lead"), Value(" "), _plain_text("body"), output_field=TextField())
    marked = Article.objects.filter(pk__in=[article.pk for article in articles]).annotate(
        title_marked=SearchHeadline(
            "title",
            tsquery,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            highlight_all=True,
        ),
        fragment_marked=SearchHeadline(
            text,
            tsquery,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    )
    rows = marked.values_list("pk", "title_marked", "fragment_marked")
    by_pk = {pk: (title, fragment) for pk, title, fragment in rows}
    for article in articles:
        # An article deleted since the ranked query keeps its text, unmarked.
        unmarked = (article.title, article.lead)
        article.title_marked, article.fragment_marked = by_pk.get(article.pk, unmarked)
    return articles


def fold(text):
    """Return text folded for comparison the way tag names are: case and ё ignored."""
    return fold_tag_name(text or "")


def _register_fold(connection):
    connection.ensure_connection()
    connection.connection.create_function("pressroom_fold", 1, fold, deterministic=True)


def _folded(field):
    return Func(F(field), function="pressroom_fold", output_field=TextField())


def _fallback(queryset, query):
    _register_fold(connections[queryset.db])
    words = fold(query).split()[:MAX_FALLBACK_WORDS]
    condition = Q()
    for word in words:
        tagged = TaggedArticle.objects.filter(
            content_object=OuterRef("pk"), tag__folded_name__contains=word
        )
        condition &= (
            Q(title_folded__contains=word)
            | Q(lead_folded__contains=word)
            | Q(body_folded__contains=word)
            | Exists(tagged)
        )
    return (
        queryset.alias(
            title_folded=_folded("title"), lead_folded=_folded("lead"), body_folded=_folded("body")
        )
        .filter(condition)
        .order_by("-published_at", "-id")
    )


@dataclass
class Hit:
    """One search result: the article with its title and a fragment, matches marked."""

    article: Article
    title: str
    fragment: str


def hits(articles, query):
    """Return a Hit for every article of an evaluated search page."""
    words = fold(query).split()[:MAX_FALLBACK_WORDS]
    result = []
    for article in articles:
        if hasattr(article, "title_marked"):
            title = _marked_html(article.title_marked)
            fragment = _marked_html(html.unescape(article.fragment_marked))
        else:
            title = _highlight(article.title, words)
            fragment = _highlight(article.lead, words)
        result.append(Hit(article=article, title=title, fragment=fragment))
    return result


def _marked_html(text):
    """Return escaped text in which the START…STOP spans become <mark> elements."""
    pieces = []
    position = 0
    for match in _MARKED.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match[1])}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces).replace(START, "").replace(STOP, ""))


def _highlight(text, words):
    """Return escaped text with every occurrence of the folded words marked."""
    if not words:
        return escape(text)
    alternatives = "|".join(re.escape(word).replace("е", "[её]") for word in words)
    pattern = re.compile(alternatives, re.IGNORECASE)
    return _marked_html(pattern.sub(lambda m: f"{START}{m[0]}{STOP}", text))
