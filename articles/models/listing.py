"""Rubric and tag pages read their articles from the links, newest first, on one index.

A rubric or tag page orders its articles by publication time, which lives on the
article, while "this rubric" lives on the link: at a million articles the database had
to walk the articles newest first and probe the links of each, 40 000 probes for page
2 000 of a large rubric (1-1.6 s) and as many for page 1 of a rare one. Each link row
now carries a copy of its article's public time, `listed_at`: the publication time
while the article is published (scheduled ones included, their time still ahead), NULL
otherwise. A partial index on (group, listed_at, article) then answers any page of any
rubric or tag by reading that many index entries.

The copy is kept by database triggers (migration 0006), so every way of writing
(forms, imports, queryset.update(), SQL) keeps it right: a link takes its article's
time when it is inserted, and the links follow their article when its status or
publication time changes. Pages still filter the articles they show by
Article.objects.published(), so a stale copy could only hide an article, never show a
draft.
"""

from django.db import models


class RubricLink(models.Model):
    """A row of the article–rubric table that Article.rubrics made, seen with its copy.

    Not managed: Django creates the table for the many-to-many field and the admin
    edits it through that field; migration 0006 added `listed_at` and its index.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    rubric = models.ForeignKey(
        "articles.Rubric", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    listed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        managed = False
        db_table = "articles_article_rubrics"

    def __str__(self):
        return f"{self.article_id} → {self.rubric_id}"


def listed_ids(links, *, now, starting_at=None):
    """Return the ids of the articles that links list at `now`, newest first.

    links is a queryset of RubricLink or TaggedArticle rows narrowed to one rubric or
    tag. The order is the articles' own (publication time, then id, newest first).
    starting_at, a (publication time, id) that listed_starts() gave, leaves out the
    articles listed before it.
    """
    listed, article = _listed(links, now=now)
    if starting_at is not None:
        listed = from_start(listed, starting_at, moment_field="listed_at", id_field=article)
    return listed.values_list(article, flat=True)


def listed_starts(links, *, now):
    """Return (publication time, id) of each article of listed_ids(), in its order."""
    listed, article = _listed(links, now=now)
    return listed.values_list("listed_at", article)


def from_start(rows, start, *, moment_field, id_field):
    """Return the rows, newest first by (moment, id), from start = (moment, id) on.

    Written so that the database starts reading an index on the moment at `start`.
    """
    moment, pk = start
    return rows.filter(**{f"{moment_field}__lte": moment}).exclude(
        **{moment_field: moment, f"{id_field}__gt": pk}
    )


def _listed(links, *, now):
    """Return (links listed at now newest first, the links' column of the article id)."""
    article = _article_column(links.model)
    listed = links.filter(listed_at__lte=now).order_by("-listed_at", f"-{article}")
    return listed, article


def group_listed_ids(links, group_id, *, now, starting_at=None):
    """Return listed_ids() of one rubric's or tag's links.

    links is (link model, the field naming its group), as views and feeds declare it:
    (RubricLink, "rubric_id") or (TaggedArticle, "tag_id").
    """
    return listed_ids(group_links(links, group_id), now=now, starting_at=starting_at)


def group_links(links, group_id):
    """Return the link rows of one rubric or tag; links as group_listed_ids() takes them."""
    model, group = links
    return model.objects.filter(**{group: group_id})


def _article_column(link_model):
    """Return the attribute of a link model that holds its article's id."""
    return next(
        field.attname
        for field in link_model._meta.concrete_fields
        if field.is_relation and field.related_model._meta.label == "articles.Article"
    )
