"""Related rows fetched as JSON inside the parent's query, so a page needs fewer queries.

The article page shows four small relations (rubrics, tags, update notes, agreements).
Prefetching them costs a query each; instead, for_page() selects each as a JSON array
built by a correlated subquery (JSONB_AGG on PostgreSQL, JSON_GROUP_ARRAY on SQLite), and
attach_json_rows() turns the arrays back into model instances in Django's prefetch cache,
so `article.tags.all()` and friends read them without a query.
"""

import datetime

from django.contrib.postgres.aggregates import JSONBAgg
from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.dateparse import parse_date, parse_datetime


class JSONGroupArray(models.Aggregate):
    """SQLite's JSON_GROUP_ARRAY: rows in scan order (SQLite 3.40 has no ORDER BY here)."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()


def field_paths(model, prefix=""):
    """Return {attname: lookup} for every concrete field of model, under a lookup prefix."""
    return {field.attname: prefix + field.attname for field in model._meta.concrete_fields}


def rows_subquery(source, link, paths, ordering, *, vendor):
    """Return a correlated subquery: the `source` rows linked to the outer article as JSON.

    link is the lookup from source to the article (e.g. "articles"), paths maps the
    JSON keys to lookups on source, and ordering (lookups, "-" for descending) is the
    order PostgreSQL aggregates in.
    """
    values = JSONObject(**{name: F(path) for name, path in paths.items()})
    if vendor == "postgresql":
        order_by = [F(item[1:]).desc() if item.startswith("-") else F(item) for item in ordering]
        aggregate = JSONBAgg(values, order_by=order_by)
    else:
        aggregate = JSONGroupArray(values)
    rows = (
        source._default_manager.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=aggregate)
        .values("rows")
    )
    return Subquery(rows, output_field=models.JSONField())


def _value(field, raw):
    """Return a JSON value as the model field holds it."""
    if raw is None:
        return None
    if isinstance(field, models.DateTimeField):
        value = raw if isinstance(raw, datetime.datetime) else parse_datetime(raw)
        # SQLite keeps naive UTC text; PostgreSQL's JSON has the offset.
        return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value
    if isinstance(field, models.DateField):
        return raw if isinstance(raw, datetime.date) else parse_date(raw)
    return field.to_python(raw)


def instances(model, rows, *, db, vendor):
    """Return model instances made from JSON rows, in the model's default ordering."""
    objects = []
    for row in rows or []:
        fields = [field for field in model._meta.concrete_fields if field.attname in row]
        names = [field.attname for field in fields]
        values = [_value(field, row[field.attname]) for field in fields]
        objects.append(model.from_db(db, names, values))
    if vendor == "postgresql":
        return objects
    # PostgreSQL sorted them (JSONB_AGG … ORDER BY) in its collation. SQLite compares
    # text by code point, as Python does, so these stable sorts give its ORDER BY's order.
    for item in reversed(model._meta.ordering or ["pk"]):
        name = "id" if item.lstrip("-") == "pk" else item.lstrip("-")
        objects.sort(
            key=lambda obj, name=name: _sort_key(getattr(obj, name)),
            reverse=item.startswith("-"),
        )
    return objects


def _sort_key(value):
    return (value is None, value)


def attach(instance, name, objects):
    """Store objects as the prefetched result of `instance.<name>.all()`.

    This is what prefetch_related() itself does once its query has run: the related
    manager returns this queryset, already evaluated, instead of querying. Unlike
    prefetch_related()'s, the queryset is not filtered to the instance (building the
    related manager's filter cost more than the rest of a feed item): it is emptied
    instead, so a queryset derived from it (`.filter()`, `.delete()`) matches nothing
    rather than every row. Code that needs such a query asks the model, not the cache.
    """
    model = instance._meta.get_field(name).related_model
    queryset = model._default_manager.get_queryset()
    queryset.query.set_empty()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
