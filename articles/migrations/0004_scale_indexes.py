"""Indexes that keep public pages flat in cost at a million articles (see docs/scale.md).

- article_public_order_idx: published rows only, newest first, as every list, archive,
  neighbour link, latest-news block and deep page reads them.
- taggedarticle_tag_article_idx: a tag's articles by id, for tag pages and for the
  capped candidates of related news.
- article_rubrics_rubric_article_idx: the rubric link table read from the rubric side
  (rubric pages, the rubric fill of related news, the rubric navigation). The table is
  Django's auto-created through table, which has no Meta, hence plain SQL; the
  statement is the same on SQLite and PostgreSQL.
"""

from django.db import migrations, models

RUBRIC_LINK_INDEX = "article_rubrics_rubric_article_idx"


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_workflow")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["-published_at", "-id"],
                name="article_public_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "-content_object"], name="taggedarticle_tag_article_idx"
            ),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {RUBRIC_LINK_INDEX} ON articles_article_rubrics (rubric_id, article_id)",
            f"DROP INDEX {RUBRIC_LINK_INDEX}",
        ),
    ]
