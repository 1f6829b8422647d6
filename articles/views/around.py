"""What an article page links around it: related news and the previous and next articles.

All of it comes from one UNION query. Each part is an unordered member that selects
its few ids through a LIMITed subquery (SQLite allows no LIMIT in a member itself), so
the query stays one round trip on both databases.

Related news count shared tags, but only among the newest RELATED_CANDIDATES_PER_TAG
articles of each tag: a tag such as "губернатор" can sit on a quarter of a million
articles, and counting over all of them would grow with the archive. The newest by id
(the link table's own index, no join) is a close stand-in for the newest published.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article, TaggedArticle
from articles.prepared import PreparedQuery

RELATED_COUNT = 5
RELATED_MINIMUM = 3
RELATED_CANDIDATES_PER_TAG = 500
LINK_FIELDS = ("id", "slug", "title", "published_at")
NEWEST_FIRST = ("-published_at", "-id")


def _member(ids, part, shared=None):
    """Return a union member: the articles whose pk is among ids, labelled with part."""
    members = Article.objects.filter(pk__in=ids).order_by().only(*LINK_FIELDS)
    if shared is None:
        shared = Value(0, output_field=IntegerField())
    return members.annotate(part=Value(part), shared=shared)


def tag_links(tag_ids, per_tag=None):
    """Return the links of each of tag_ids to its newest per_tag articles (by id).

    Each tag reads one bounded range of the (tag, article) index: from its per_tag-th
    newest link upwards.
    """
    per_tag = per_tag or RELATED_CANDIDATES_PER_TAG
    condition = Q(pk__in=[])
    for tag_id in tag_ids:
        links = TaggedArticle.objects.filter(tag_id=tag_id).order_by("-content_object_id")
        oldest = links.values("content_object_id")[per_tag - 1 : per_tag]
        condition |= Q(tag_id=tag_id, content_object_id__gte=Coalesce(Subquery(oldest), 0))
    return TaggedArticle.objects.filter(condition)


def around(article, *, now):
    """Return (related, previous, next) for an article page, in one query.

    now is the moment of the request (what is published). Related news are up to five
    articles sharing most tags; when fewer than three share one, the newest of the same
    rubrics fill the block.
    """
    rows = list(
        AROUND.run(
            using=article._state.db,
            constants={"per_tag": RELATED_CANDIDATES_PER_TAG},
            now=now,
            pk=article.pk,
            published_at=article.published_at,
            tag_ids=[tag.pk for tag in article.tags.all()],
            rubric_ids=[rubric.pk for rubric in article.rubrics.all()],
        )
    )
    return _related(rows), _part(rows, "previous"), _part(rows, "next")


def around_query(*, now, pk, published_at, tag_ids, rubric_ids, per_tag):
    """Return the UNION of around() as a queryset (built once per shape, see AROUND)."""
    visible = Article.objects.published(now)
    others = visible.exclude(pk=pk)
    # The plain bound (<=, >=) lets the index start at the article's time; without it
    # the OR below makes PostgreSQL walk the index from the newest row down.
    older = Q(published_at__lte=published_at) & (
        Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)
    )
    newer = Q(published_at__gte=published_at) & (
        Q(published_at__gt=published_at) | Q(published_at=published_at, pk__gt=pk)
    )
    members = [
        _member(visible.filter(older).order_by(*NEWEST_FIRST).values("pk")[:1], "previous"),
        _member(visible.filter(newer).order_by("published_at", "id").values("pk")[:1], "next"),
    ]
    if tag_ids:
        visible_other = others.filter(pk=OuterRef("content_object_id"))
        best = (
            tag_links(tag_ids, per_tag)
            .filter(Exists(visible_other))
            .values("content_object_id")
            .annotate(shared=Count("id"))
            .order_by("-shared", "-content_object__published_at", "-content_object_id")
            .values("content_object_id")[:RELATED_COUNT]
        )
        shared = Count("tagged_items", filter=Q(tagged_items__tag__in=tag_ids))
        members.append(_member(best, "tagged", shared))
    if rubric_ids:
        links = Article.rubrics.through.objects.filter(
            article_id=OuterRef("pk"), rubric_id__in=rubric_ids
        )
        # Enough to fill the block even after leaving out the tag matches it already has.
        fill = RELATED_COUNT + RELATED_MINIMUM - 1
        same_rubric = others.filter(Exists(links)).order_by(*NEWEST_FIRST).values("pk")[:fill]
        members.append(_member(same_rubric, "rubric"))
    return members[0].union(*members[1:], all=True)


# Building and compiling the UNION costs the ORM more than the database takes to run it.
AROUND = PreparedQuery(around_query)


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
        fill = sorted(
            (row for row in rows if row.part == "rubric" and row.pk not in chosen),
            key=_newest_first,
            reverse=True,
        )
        related += fill[: RELATED_COUNT - len(related)]
    return related
