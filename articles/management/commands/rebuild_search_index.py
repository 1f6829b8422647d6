"""Recompute the full-text search document of every article."""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.search import is_full_text, refresh_search_document
from articles.signals import content_changed


class Command(BaseCommand):
    help = "Recompute the PostgreSQL search document of all articles, in chunks."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=1000, help="Articles per UPDATE.")

    def handle(self, *args, chunk_size, verbosity, **options):
        if not is_full_text():
            self.stdout.write("The database is not PostgreSQL: there is no search index to build.")
            return
        chunk_size = max(1, chunk_size)
        done = 0
        last_id = 0
        while True:
            ids = list(
                Article.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                break
            done += refresh_search_document(ids)
            last_id = ids[-1]
            if verbosity > 1:
                self.stdout.write(f"{done} articles…")
        content_changed()  # search results may differ: raw SQL sends no signal
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt for {done} articles."))
