"""Full-text search over articles: PostgreSQL's Russian configuration, a plain fallback elsewhere.

On PostgreSQL, migration 0002 adds `articles_article.search_document`, a weighted tsvector
(title A, lead and tag names B, body C) under a GIN index. It is not a model field: it is
derived state that refresh_search_document() recomputes after every write that changes an
article's text or tags. Migration 0007 keeps it in the article's row (STORAGE MAIN), where
ranking reads it about four times faster than out of line. add_headlines() marks the
matching words of a page of results: it picks the passages in Python and asks PostgreSQL
only which of the candidate words match.

On SQLite, search_articles() matches every word of the query, folded in Python (SQLite's
LIKE folds only ASCII case), in the title, lead, body or tags.
"""

import html
import itertools
import re
from collections import Counter
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Exists, F, Func, OuterRef, Q, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
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
# Private-use characters mark the matches in the plain text of a title or fragment; the
# text is escaped first and the markers become <mark> afterwards, so no stored text
# reaches the page unescaped.
START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
_SPACES = re.compile(r"\s+")
# A result's fragment, as ts_headline(MaxWords=35, MinWords=15, MaxFragments=2) made it:
# up to two passages of 35 words around the matches, in the order of the text, or the
# first 15 words when only the title or the tags match. A passage does not begin or end
# on a word of SHORT_WORD letters or fewer ("в", "и", "на") or on a number.
FRAGMENT_WORDS = 35
OPENING_WORDS = 15
MAX_FRAGMENTS = 2
SHORT_WORD = 3
FRAGMENT_DELIMITER = " … "
# Matches of all of the query's words make one passage only this close together
# (ts_headline's limit is 350 words); farther apart, each word has a passage of its own.
MAX_COVER_CHARS = 2500
# How far to read for the words around a match, per word wanted (more if they fall short).
CHARS_PER_WORD = 16
_TAGS = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+")
_QUERY_LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")

_ARTICLE = Article._meta.db_table
_TAGGED = TaggedArticle._meta.db_table
_TAG = Tag._meta.db_table
_TAGGED_ARTICLE = TaggedArticle._meta.get_field("content_object").column
_TAGGED_TAG = TaggedArticle._meta.get_field("tag").column


def _body_vector_sql(body):
    """SQL for the body's part of the search document: the costliest part to compute."""
    return f"""setweight(to_tsvector('{CONFIG}', regexp_replace(
        regexp_replace(coalesce({body}, ''), '<[^>]*>', ' ', 'g'),
        '&[#a-zA-Z0-9]+;', ' ', 'g'
    )), 'C')"""


def _document_sql(body_vector):
    """SQL for the search document of the article `a`, given its body's part."""
    return f"""
    setweight(to_tsvector('{CONFIG}', coalesce(a.title, '')), 'A')
    || setweight(to_tsvector('{CONFIG}', coalesce(a.lead, '')), 'B')
    || setweight(to_tsvector('{CONFIG}', coalesce((
        SELECT string_agg(t.name, ' ' ORDER BY t.id)
        FROM {_TAGGED} AS ta JOIN {_TAG} AS t ON t.id = ta.{_TAGGED_TAG}
        WHERE ta.{_TAGGED_ARTICLE} = a.id
    ), '')), 'B')
    || {body_vector}"""


# Kept in step with the copy frozen in migration 0002, which fills existing rows.
REFRESH_SQL = f"""
UPDATE {_ARTICLE} AS a SET search_document = {_document_sql(_body_vector_sql("a.body"))}
WHERE a.id = ANY(%s)
"""
# The same documents, with the body's part computed beforehand by BODY_VECTORS_SQL.
# Concatenating tsvectors shifts the right one's positions, so the result is the same.
REFRESH_WITH_BODY_VECTORS_SQL = f"""
UPDATE {_ARTICLE} AS a SET search_document = {_document_sql("v.body_vector")}
FROM unnest(%s::bigint[], %s::tsvector[]) AS v(id, body_vector)
WHERE a.id = v.id
"""
# Reads no table: another connection can compute it for rows not yet committed.
BODY_VECTORS_SQL = f"""
SELECT {_body_vector_sql("v.body")}::text
FROM unnest(%s::text[]) WITH ORDINALITY AS v(body, position)
ORDER BY v.position
"""


def is_full_text(using="default"):
    """Return whether the database offers the PostgreSQL full-text search."""
    return connections[using].vendor == "postgresql"


def refresh_search_document(article_ids, *, using="default", body_vectors=None):
    """Recompute the search document of the given articles; return the count.

    Call it after saving an article's title, lead, body or tags (and for every article of
    a renamed tag). body_vectors may map some of the ids to their body's part, from
    compute_body_vectors() on the body as stored: those articles skip its costliest step.
    On databases other than PostgreSQL it does nothing and returns 0.
    """
    if not is_full_text(using):
        return 0
    ids = sorted({int(pk) for pk in article_ids})
    if not ids:
        return 0
    known = body_vectors or {}
    computed = [pk for pk in ids if pk in known]
    rest = [pk for pk in ids if pk not in known]
    refreshed = 0
    with connections[using].cursor() as cursor:
        if computed:
            cursor.execute(
                REFRESH_WITH_BODY_VECTORS_SQL, [computed, [known[pk] for pk in computed]]
            )
            refreshed += cursor.rowcount
        if rest:
            cursor.execute(REFRESH_SQL, [rest])
            refreshed += cursor.rowcount
    # Search pages show these documents: cached ones must not outlive them.
    content_changed(using=using)
    return refreshed


def compute_body_vectors(bodies, *, using="default"):
    """Return the body's part of the search document for each body, as tsvector text."""
    with connections[using].cursor() as cursor:
        cursor.execute(BODY_VECTORS_SQL, [list(bodies)])
        return [vector for (vector,) in cursor.fetchall()]


def clean_query(raw):
    """Return the search query as the reader meant it: no control characters, bounded length."""
    text = _SPACES.sub(" ", clean_text(raw or ""))
    return text[:MAX_QUERY_LENGTH].strip()


def search_articles(queryset, query):
    """Return the articles of queryset that match query, best first.

    On PostgreSQL the ranking covers the newest MAX_RANKED_MATCHES matches only, and
    the result is a RankedMatches: slice it for a page, or iterate over it.
    """
    if is_full_text(queryset.db):
        return RankedMatches(queryset, query)
    return _fallback(queryset, query)


class RankedMatches:
    """The newest MAX_RANKED_MATCHES articles of a queryset that match a query, best first.

    A slice is one query that returns the rows of that slice only: the matches are
    ranked as the newest are found (a subquery), then ordered by rank, cut with LIMIT
    and OFFSET. Ranking in an outer query instead read each of the 2,000 rows twice.
    """

    def __init__(self, queryset, query):
        tsquery = SearchQuery(query, config=CONFIG, search_type="websearch")
        document = RawSQL(f"{_ARTICLE}.search_document", [], output_field=SearchVectorField())
        self.newest = (
            queryset.alias(document=document)
            .filter(document=tsquery)
            .annotate(rank=SearchRank(document, tsquery))
            .order_by("-published_at", "-id")[:MAX_RANKED_MATCHES]
        )

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None or (key.start or 0) < 0:
            raise TypeError("RankedMatches supports slices such as [20:41] only.")
        offset = key.start or 0
        limit = MAX_RANKED_MATCHES if key.stop is None else max(key.stop - offset, 0)
        sql, params = self.newest.query.sql_with_params()
        ranked = (
            f"SELECT * FROM ({sql}) AS newest "
            "ORDER BY rank DESC, published_at DESC, id DESC LIMIT %s OFFSET %s"
        )
        manager = self.newest.model._default_manager.db_manager(self.newest.db)
        return list(manager.raw(ranked, [*params, limit, offset]))

    def __iter__(self):
        return iter(self[:])


_MATCHING_WORDS_SQL = """
SELECT word, tsvector_to_array(to_tsvector(%s::regconfig, word)) FROM unnest(%s::text[]) AS word
"""


def add_headlines(articles, query):
    """Mark the query's words in the title and a fragment of each article of a page.

    One query reads the page's bodies (cards defer them) and the query's lexemes; the
    fragments are chosen and marked here. ts_headline did it in the database, stemming
    every word of every body (~1 ms an article); here only the words that begin like a
    lexeme of the query are stemmed, by PostgreSQL in one more query, so that the marks
    follow the stemming that found the article. Outside PostgreSQL, hits() marks the
    words in Python and this does nothing.
    """
    if not articles or not is_full_text(articles[0]._state.db):
        return articles
    using = articles[0]._state.db
    tsquery = SearchQuery(query, config=CONFIG, search_type="websearch")
    rows = list(
        Article.objects.using(using)
        .filter(pk__in=[article.pk for article in articles])
        .order_by()
        .annotate(tsquery_text=Cast(tsquery, TextField()))
        .values_list("pk", "body", "tsquery_text")
    )
    bodies = {pk: body for pk, body, _ in rows}
    lexemes, any_word = _query_lexemes(rows[0][2] if rows else "")
    patterns = _lexeme_patterns(lexemes)
    texts = {
        article.pk: (article.title, f"{article.lead} {_plain(bodies[article.pk])}")
        for article in articles
        if article.pk in bodies
    }
    candidates = {text: _candidates(text, patterns) for pair in texts.values() for text in pair}
    words = {word for spans in candidates.values() for *_, word in spans}
    matching = _matching_words(words, lexemes, using)
    for article in articles:
        if article.pk not in texts:
            # An article deleted since the ranked query keeps its text, unmarked.
            article.title_marked, article.fragment_marked = article.title, article.lead
            continue
        title, text = texts[article.pk]
        article.title_marked = _mark(title, _matches(candidates[title], matching), 0, len(title))
        needed = None if any_word else lexemes
        article.fragment_marked = _fragment(text, _matches(candidates[text], matching), needed)
    return articles


def _query_lexemes(tsquery_text):
    """Return the lexemes a tsquery's text looks for, and whether any one of them will do.

    Excluded lexemes (!'word') are left out; any one will do when the query has an OR.
    """
    found = _QUERY_LEXEME.findall(tsquery_text)
    lexemes = frozenset(
        lexeme.replace("''", "'").replace("\\\\", "\\") for negated, lexeme in found if not negated
    )
    return lexemes, "|" in _QUERY_LEXEME.sub("", tsquery_text)


def _lexeme_patterns(lexemes):
    """Return a pattern for each lexeme: a word of folded text that begins like it.

    A stem is the beginning of its words, but for the English stems of Latin words
    ending in y ("city": "citi").
    """
    patterns = []
    for lexeme in sorted(lexemes):
        prefix = re.escape(lexeme.replace("ё", "е"))
        if lexeme.isascii() and lexeme.endswith("i"):
            prefix = re.escape(lexeme[:-1]) + "[iy]"
        patterns.append(re.compile(prefix + r"\w*"))
    return patterns


def _plain(body):
    """Return the text of a stored HTML body: tags replaced by spaces, entities decoded."""
    return html.unescape(_TAGS.sub(" ", body or ""))


def _fold_in_place(text):
    """Return text in lower case with ё as е, each character where it was in text."""
    folded = text.lower()
    if len(folded) != len(text):  # a letter such as İ lowers to two characters
        folded = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    return folded.replace("ё", "е")


def _candidates(text, patterns):
    """Return (start, end, folded word) of the words of text that begin like a lexeme."""
    folded = _fold_in_place(text)
    spans = []
    for pattern in patterns:
        for found in pattern.finditer(folded):
            start = found.start()
            if not (start and _WORD.match(folded, start - 1)):
                spans.append((start, found.end(), found[0]))
    spans.sort(key=lambda span: (span[0], -span[1]))
    kept, reach = [], 0
    for span in spans:
        if span[0] >= reach:
            kept.append(span)
            reach = span[1]
    return kept


def _matching_words(words, lexemes, using):
    """Return {word: the query's lexemes it has} for those of the folded words that match."""
    if not words or not lexemes:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute(_MATCHING_WORDS_SQL, [CONFIG, sorted(words)])
        rows = cursor.fetchall()
    return {word: found for word, stems in rows if (found := lexemes.intersection(stems))}


def _matches(spans, matching):
    """Return (start, end, lexemes) of the candidate spans whose word matches the query."""
    return [(start, end, matching[word]) for start, end, word in spans if word in matching]


def _mark(text, matches, start, end):
    """Return text[start:end] with the matches inside it between START and STOP."""
    pieces, position = [], start
    for match_start, match_end, _ in matches:
        if start <= match_start and match_end <= end:
            pieces += [text[position:match_start], START, text[match_start:match_end], STOP]
            position = match_end
    pieces.append(text[position:end])
    return "".join(pieces)


def _fragment(text, matches, needed):
    """Return up to MAX_FRAGMENTS passages of text around its matches, marked, in order.

    Like ts_headline: the passages are built around covers, the shortest runs of
    matches that hold every lexeme needed (any lexeme when needed is None); the cover
    with the most matches comes first, then the shorter, then the earlier.
    """
    if not matches:
        opening = list(itertools.islice(_WORD.finditer(text), OPENING_WORDS))
        return _SPACES.sub(" ", text[opening[0].start() : opening[-1].end()]) if opening else ""
    covers = _covers(matches, needed)
    passages = []
    while covers and len(passages) < MAX_FRAGMENTS:
        first, last = min(
            covers, key=lambda c: (c[0] - c[1], matches[c[1]][0] - matches[c[0]][0], c[0])
        )
        start, end = _passage(text, matches, first, last, passages)
        passages.append((start, end))
        covers = [(f, la) for f, la in covers if matches[f][0] >= end or matches[la][1] <= start]
    return FRAGMENT_DELIMITER.join(
        _SPACES.sub(" ", _mark(text, matches, start, end)) for start, end in sorted(passages)
    )


def _covers(matches, needed):
    """Return the (first, last) indexes in matches of each cover.

    Each match is a cover of its own too: when any lexeme is enough, when the matches
    never hold all of the needed lexemes within MAX_COVER_CHARS, or for a passage more
    than the covers of all the lexemes leave room for.
    """
    singles = [(index, index) for index in range(len(matches))]
    if needed is None or len(needed) < 2:
        return singles
    covers, counts, first = [], Counter(), 0
    for last, (_, end, lexemes) in enumerate(matches):
        counts.update(lexemes)
        if len(counts) < len(needed):
            continue
        while all(counts[lexeme] > 1 for lexeme in matches[first][2]):
            counts.subtract(matches[first][2])
            first += 1
        # A cover is a shortest run: without its last match, a lexeme would be missing.
        is_shortest = any(counts[lexeme] == 1 for lexeme in lexemes)
        if is_shortest and end - matches[first][0] <= MAX_COVER_CHARS:
            covers.append((first, last))
    return covers + singles


def _passage(text, matches, first, last, passages):
    """Return (start, end) in text of about FRAGMENT_WORDS words around a cover.

    Half the words missing are taken before the cover and the rest after it, never
    from a passage already chosen; a passage ends on neither a short word nor a number.
    """
    start, end = matches[first][0], matches[last][1]
    inside = list(itertools.islice(_WORD.finditer(text, start, end), FRAGMENT_WORDS + 1))
    if len(inside) > FRAGMENT_WORDS:
        # A long cover: from its first match to the last one within FRAGMENT_WORDS words.
        limit = inside[FRAGMENT_WORDS - 1].end()
        end = max(m_end for _, m_end, _ in matches[first : last + 1] if m_end <= limit)
        inside = [word for word in inside if word.end() <= end]
    lower = max((p_end for _, p_end in passages if p_end <= start), default=0)
    upper = min((p_start for p_start, _ in passages if p_start >= end), default=len(text))
    before = _words_before(text, lower, start, (FRAGMENT_WORDS - len(inside)) // 2)
    while before and _is_weak(before[0]):
        before.pop(0)
    after = _words_after(text, end, upper, FRAGMENT_WORDS - len(inside) - len(before))
    while after and _is_weak(after[-1]):
        after.pop()
    return (before[0].start() if before else start), (after[-1].end() if after else end)


def _words_before(text, lower, start, count):
    """Return the last count whole words of text[lower:start]."""
    if count <= 0:
        return []
    reach = count * CHARS_PER_WORD
    while True:
        words = _whole_words(text, max(lower, start - reach), start)
        if len(words) >= count or start - reach <= lower:
            return words[max(len(words) - count, 0) :]
        reach *= 2


def _words_after(text, end, upper, count):
    """Return the first count whole words of text[end:upper]."""
    if count <= 0:
        return []
    reach = count * CHARS_PER_WORD
    while True:
        words = _whole_words(text, end, min(upper, end + reach))
        if len(words) >= count or end + reach >= upper:
            return words[:count]
        reach *= 2


def _whole_words(text, start, end):
    """Return the words of text[start:end], without those cut by either bound."""
    words = list(_WORD.finditer(text, start, end))
    if words and words[0].start() == start and start > 0 and _WORD.match(text, start - 1):
        words.pop(0)
    if words and words[-1].end() == end and _WORD.match(text, end):
        words.pop()
    return words


def _is_weak(word):
    """Return whether a word makes a poor end for a passage: short, or a number."""
    return len(word[0]) <= SHORT_WORD or word[0].isdigit()


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
            fragment = _marked_html(article.fragment_marked)
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
