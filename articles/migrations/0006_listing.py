"""Link rows carry their article's public time, kept by triggers (articles.models.listing)."""

from django.db import migrations, models


# The rubric links are the table Django made for Article.rubrics; it gets the same
# column by hand (articles.models.RubricLink only reads it).
RUBRIC_COLUMN = {
    "postgresql": "ALTER TABLE articles_article_rubrics ADD COLUMN listed_at timestamp with time zone NULL",
    "sqlite": "ALTER TABLE articles_article_rubrics ADD COLUMN listed_at datetime NULL",
}
RUBRIC_INDEX = (
    "CREATE INDEX articlerubric_listing_idx ON articles_article_rubrics "
    "(rubric_id, listed_at DESC, article_id DESC) WHERE listed_at IS NOT NULL"
)
# Each link table, the column holding its article, and the name of its trigger.
LINKS = [
    ("articles_article_rubrics", "article_id", "articles_rubriclink_listed"),
    ("articles_taggedarticle", "content_object_id", "articles_taggedarticle_listed"),
]
# What a link copies: its article's publication time while the article is published.
LISTED = "CASE WHEN {a}.status = 'published' THEN {a}.published_at END"


def copied(article_id):
    """Return the SQL of the time a link copies from the article whose id is article_id."""
    return f"(SELECT {LISTED.format(a='a')} FROM articles_article a WHERE a.id = {article_id})"


BACKFILL = [f"UPDATE {table} SET listed_at = {copied(f'{table}.{column}')}" for table, column, _ in LINKS]
# The links follow their article when its status or publication time changes.
RELIST = "; ".join(
    f"UPDATE {table} SET listed_at = {LISTED.format(a='NEW')} WHERE {column} = NEW.id"
    for table, column, _ in LINKS
)
TRIGGERS = {
    "postgresql": [
        *(
            statement
            for table, column, name in LINKS
            for statement in (
                f"""CREATE FUNCTION {name}() RETURNS trigger AS $$
                BEGIN NEW.listed_at := {copied(f'NEW.{column}')}; RETURN NEW; END
                $$ LANGUAGE plpgsql""",
                f"""CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OF {column} ON {table}
                FOR EACH ROW EXECUTE FUNCTION {name}()""",
            )
        ),
        f"""CREATE FUNCTION articles_article_relist() RETURNS trigger AS $$
        BEGIN {RELIST}; RETURN NULL; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER articles_article_relist
        AFTER UPDATE OF status, published_at ON articles_article FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status
              OR OLD.published_at IS DISTINCT FROM NEW.published_at)
        EXECUTE FUNCTION articles_article_relist()""",
    ],
    # SQLite triggers can't assign NEW: the inserted row is corrected right after.
    # Django rebuilds a SQLite table for some column changes, which drops its triggers:
    # a later migration that rebuilds articles_article, articles_taggedarticle or
    # articles_article_rubrics must create that table's trigger again
    # (tests/test_listing.py fails until it does).
    "sqlite": [
        *(
            f"""CREATE TRIGGER {name} AFTER INSERT ON {table} FOR EACH ROW BEGIN
            UPDATE {table} SET listed_at = {copied(f'NEW.{column}')} WHERE id = NEW.id;
            END"""
            for table, column, name in LINKS
        ),
        f"""CREATE TRIGGER articles_article_relist
        AFTER UPDATE OF status, published_at ON articles_article FOR EACH ROW
        WHEN OLD.status IS NOT NEW.status OR OLD.published_at IS NOT NEW.published_at
        BEGIN {RELIST}; END""",
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER articles_article_relist ON articles_article",
        "DROP FUNCTION articles_article_relist()",
        *(
            statement
            for table, _column, name in LINKS
            for statement in (f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()")
        ),
    ],
    "sqlite": [
        "DROP TRIGGER articles_article_relist",
        *(f"DROP TRIGGER {name}" for _table, _column, name in LINKS),
    ],
}
DROP_RUBRIC_COLUMN = [
    "DROP INDEX articlerubric_listing_idx",
    "ALTER TABLE articles_article_rubrics DROP COLUMN listed_at",
]


def add_listing(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [RUBRIC_COLUMN[vendor], *BACKFILL, RUBRIC_INDEX, *TRIGGERS[vendor]]:
        schema_editor.execute(statement)


def remove_listing(apps, schema_editor):
    for statement in [*DROP[schema_editor.connection.vendor], *DROP_RUBRIC_COLUMN]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0005_sitemap_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='RubricLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('listed_at', models.DateTimeField(editable=False, null=True)),
            ],
            options={
                'db_table': 'articles_article_rubrics',
                'managed': False,
            },
        ),
        migrations.AddField(
            model_name='taggedarticle',
            name='listed_at',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='taggedarticle',
            index=models.Index(condition=models.Q(('listed_at__isnull', False)), fields=['tag', '-listed_at', '-content_object'], name='taggedarticle_listing_idx'),
        ),
        migrations.RunPython(add_listing, remove_listing),
    ]
