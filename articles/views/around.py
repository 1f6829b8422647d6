"""What an article page links around it: related news and the previous and next articles.

All of it comes from one UNION query. Each part is an unordered member that selects
its few ids through a LIMITed subquery (SQLite allows no LIMIT in a member itself), so
the query stays one round trip on both databases.

Related news count shared tags, but only among the newest RELATED_CANDIDATES_PER_TAG
public articles of each tag: a tag such as "губернатор" can sit on a quarter of a
million articles, and counting over all of them would grow with the archive. Tags and
rubrics are read off the links' own listing index (articles.models.listing), which
holds each link's public time, so choosing candidates reads no article.

The answer depends on other articles and on which of them are public at the moment of
the request, so it is memoized per content version until the next scheduled publication
(pagecache.memo_until_publication): a write anywhere makes it anew, and so does a
scheduled article's time coming. The memo holds plain tuples, never model instances.
"""

import hashlib
import sys

from django.db import connections, router
from django.db.models import Count, IntegerField, Q, Value
from django.db.models.expressions import RawSQL

from articles import pagecache
from articles.models import Article, RubricLink, TaggedArticle
from articles.models.listing import listed_ids
from articles.prepared import PreparedQuery

RELATED_COUNT = 5
RELATED_MINIMUM = 3
RELATED_CANDIDATES_PER_TAG = 500
LINK_FIELDS = ("id", "slug", "title", "published_at")
# One memo an article: a crawler walking the archive leaves one behind for each page, so
# they are kept for less time than the site-wide memos, to leave room for pages.
AROUND_MEMO_SECONDS = 600
NEWEST_FIRST = ("-published_at", "-id")


def _member(visible, ids, part, shared=None):
    """Return a union member: the visible articles whose pk is among ids, labelled part."""
    members = visible.filter(pk__in=ids).order_by().only(*LINK_FIELDS)
    if shared is None:
        shared = Value(0, output_field=IntegerField())
    return members.annotate(part=Value(part), shared=shared)


def tag_candidates(tag_ids, *, now, exclude_pk, per_tag):
    """Return the ids of the RELATED_COUNT articles sharing most of tag_ids, as SQL.

    Candidates are each tag's newest per_tag public links, each read as one range of
    the tag's listing index (articles.models.listing) that holds everything counted, so
    PostgreSQL answers from the index alone: ~25 pages instead of ~1 800 rows scattered
    over the link table. Written out because the ORM can't count over a UNION of
    LIMITed ranges; the wrapped members are what SQLite accepts too.
    """
    table = TaggedArticle._meta.db_table
    newest = (
        f"SELECT * FROM (SELECT content_object_id, listed_at FROM {table}"
        " WHERE tag_id = %s AND listed_at <= %s AND content_object_id <> %s"
        " ORDER BY listed_at DESC, content_object_id DESC LIMIT %s) AS newest"
    )
    sql = (
        f"SELECT content_object_id FROM ({' UNION ALL '.join([newest] * len(tag_ids))})"
        " AS candidates GROUP BY content_object_id"
        " ORDER BY COUNT(*) DESC, MAX(listed_at) DESC, content_object_id DESC LIMIT %s"
    )
    # RawSQL parameters skip the ORM's own adaptation (SQLite compares stored text).
    moment = connections[router.db_for_read(TaggedArticle)].ops.adapt_datetimefield_value(now)
    params = [value for tag_id in tag_ids for value in (tag_id, moment, exclude_pk, per_tag)]
    return RawSQL(sql, [*params, RELATED_COUNT])


def around(article, *, now):
    """Return (related, previous, next) for an article page, memoized until content changes.

    now is the moment of the request (what is published). Related news are up to five
    articles sharing most tags; when fewer than three share one, the newest of the same
    rubrics fill the block. The articles hold LINK_FIELDS only.

    Only a public article's links are memoized: a preview shows a draft as if it were
    published at the moment of the request, which would make a new memo each time.
    """
    values = {
        "pk": article.pk,
        "published_at": article.published_at,
        "tag_ids": [tag.pk for tag in article.tags.all()],
        "rubric_ids": [rubric.pk for rubric in article.rubrics.all()],
    }
    db = article._state.db
    if article.is_published(now):
        related, previous, following = pagecache.memo_until_publication(
            memo_name(values),
            lambda moment: around_links(db, moment, **values),
            now,
            timeout=AROUND_MEMO_SECONDS,
            # ~5 kB a page: weighed with the renderings, not counted with the small memos.
            size_of=_size_of_links,
        )
    else:
        related, previous, following = around_links(db, now, **values)
    return [_article(db, link) for link in related], _article(db, previous), _article(db, following)


def _size_of_links(links):
    """Return about the bytes the (related, previous, next) tuples of around_links() hold."""
    related, previous, following = links
    rows = [*related, previous, following]
    return sum(sys.getsizeof(row) + sum(map(sys.getsizeof, row)) for row in rows if row)


def memo_name(values):
    """Return the memo name of around() for an article's values.

    Besides the article's id, the name holds everything else the query reads from it:
    an editor's request may read the article before the content version, and the
    version then current must not keep links made from the article as it was. It holds
    the fields of a link too: a deploy keeps the version, and code that stores other
    fields must not read the tuples of the code before it.
    """
    shape = repr((values, RELATED_CANDIDATES_PER_TAG, LINK_ATTNAMES)).encode()
    return f"around:{values['pk']}:{hashlib.sha256(shape).hexdigest()[:16]}"


def around_links(db, now, **values):
    """Return around()'s answer as plain tuples (LINK_ATTNAMES), in one query."""
    rows = list(
        AROUND.run(using=db, constants={"per_tag": RELATED_CANDIDATES_PER_TAG}, now=now, **values)
    )
    related = tuple(_link(row) for row in _related(rows))
    return related, _link(_part(rows, "previous")), _link(_part(rows, "next"))


def around_query(*, now, pk, published_at, tag_ids, rubric_ids, per_tag):
    """Return the UNION of around() as a queryset (built once per shape, see AROUND)."""
    visible = Article.objects.published(now)
    # The plain bound (<=, >=) lets the index start at the article's time; without it
    # the OR below makes PostgreSQL walk the index from the newest row down.
    older = Q(published_at__lte=published_at) & (
        Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)
    )
    newer = Q(published_at__gte=published_at) & (
        Q(published_at__gt=published_at) | Q(published_at=published_at, pk__gt=pk)
    )
    previous = visible.filter(older).order_by(*NEWEST_FIRST).values("pk")[:1]
    following = visible.filter(newer).order_by("published_at", "id").values("pk")[:1]
    members = [_member(visible, previous, "previous"), _member(visible, following, "next")]
    if tag_ids:
        best = tag_candidates(tag_ids, now=now, exclude_pk=pk, per_tag=per_tag)
        shared = Count("tagged_items", filter=Q(tagged_items__tag__in=tag_ids))
        members.append(_member(visible, best, "tagged", shared))
    # Enough to fill the block even after leaving out the tag matches it already has.
    fill = RELATED_COUNT + RELATED_MINIMUM - 1
    for rubric_id in rubric_ids:
        # One member a rubric: each is a range of its listing index, newest first.
        links = RubricLink.objects.filter(rubric_id=rubric_id).exclude(article_id=pk)
        members.append(_member(visible, listed_ids(links, now=now)[:fill], "rubric"))
    return members[0].union(*members[1:], all=True)


# Building and compiling the UNION costs the ORM more than the database takes to run it.
AROUND = PreparedQuery(around_query)


# LINK_FIELDS in the model's field order, as Model.from_db() takes them.
LINK_ATTNAMES = tuple(
    field.attname for field in Article._meta.concrete_fields if field.attname in LINK_FIELDS
)


def _link(row):
    return None if row is None else tuple(getattr(row, name) for name in LINK_ATTNAMES)


def _article(db, link):
    """Return a fresh article holding a memoized link's fields (each request its own)."""
    return None if link is None else Article.from_db(db, LINK_ATTNAMES, link)


def _part(rows, part):
    return next((row for row in rows if row.part == part), None)


def _newest_first(row):
    return (row.published_at, row.pk)


def _related(rows):
    tagged = sorted((row for row in rows if row.part == "tagged"), key=_newest_first, reverse=True)
    # Stable: among equal counts of shared tags, the newest stay first.
    related = sorted(tagged, key=lambda row: row.shared, reverse=True)[:RELATED_COUNT]
    if len(related) < RELATED_MINIMUM:
        chosen = {row.pk for row in related}
        # An article in two of the rubrics comes once from each.
        candidates = {row.pk: row for row in rows if row.part == "rubric" and row.pk not in chosen}
        fill = sorted(candidates.values(), key=_newest_first, reverse=True)
        related += fill[: RELATED_COUNT - len(related)]
    return related
