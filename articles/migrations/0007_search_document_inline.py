"""Search documents kept in their article's row (STORAGE MAIN), not out of line in TOAST.

A search ranks the 2,000 newest matches of its query and reads each one's document
twice (for @@ and for ts_rank). Stored out of line, as PostgreSQL does by default for a
tsvector over ~2 kB, every read went through the TOAST table and its index; from the
row itself the ranking query takes about a quarter of the time (1 M articles: 8.6 ->
2.2 ms; 1,000 articles with 5 kB bodies: 3.9 -> 1.4 ms). The bodies go out of line
instead; a document too big for a page with its row still goes out of line.

The documents already stored are rewritten here, copied rather than recomputed (about
0.1 s per 1,000 articles; their indexes are updated too). Going back changes only the
rule for documents written later. Other databases skip both directions.
"""

from django.db import migrations

STORE_INLINE = "ALTER TABLE articles_article ALTER COLUMN search_document SET STORAGE MAIN"
STORE_OUT_OF_LINE = "ALTER TABLE articles_article ALTER COLUMN search_document SET STORAGE EXTENDED"
# A new value, which the concatenation with an empty document makes, is stored by the
# column's new rule; an unchanged one would keep its place in TOAST.
REWRITE = (
    "UPDATE articles_article SET search_document = search_document || ''::tsvector "
    "WHERE search_document IS NOT NULL"
)


def store_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(STORE_INLINE)
    schema_editor.execute(REWRITE)


def store_out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(STORE_OUT_OF_LINE)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_listing")]

    operations = [migrations.RunPython(store_inline, store_out_of_line)]
