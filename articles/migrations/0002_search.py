"""Full-text search on PostgreSQL: a weighted tsvector column under a GIN index.

The column is derived state, not a model field, so the migration state does not change
and makemigrations stays clean. Other databases skip both directions.
"""

from django.db import migrations

# A frozen copy of articles.search.REFRESH_SQL for every row: a migration must not
# change when the application code does.
FILL_SQL = """
UPDATE articles_article AS a SET search_document =
    setweight(to_tsvector('russian', coalesce(a.title, '')), 'A')
    || setweight(to_tsvector('russian', coalesce(a.lead, '')), 'B')
    || setweight(to_tsvector('russian', coalesce((
        SELECT string_agg(t.name, ' ')
        FROM articles_taggedarticle AS ta JOIN articles_tag AS t ON t.id = ta.tag_id
        WHERE ta.content_object_id = a.id
    ), '')), 'B')
    || setweight(to_tsvector('russian', regexp_replace(
        regexp_replace(coalesce(a.body, ''), '<[^>]*>', ' ', 'g'),
        '&[#a-zA-Z0-9]+;', ' ', 'g'
    )), 'C')
"""


def add_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE articles_article ADD COLUMN search_document tsvector")
    schema_editor.execute(
        "CREATE INDEX article_search_document_idx ON articles_article USING gin (search_document)"
    )
    schema_editor.execute(FILL_SQL)


def remove_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS article_search_document_idx")
    schema_editor.execute("ALTER TABLE articles_article DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(add_search_document, remove_search_document)]
