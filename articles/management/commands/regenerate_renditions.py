"""manage.py regenerate_renditions [--force] [--article ID] [--chunk-size N]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import images
from articles.models import Article, Photo

CHUNK_SIZE = 100


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Make photo renditions anew from the originals after the rendition sizes change. "
            "Only photos whose renditions differ from the current plan are processed, so a "
            "second run does nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Regenerate every photo, even those whose renditions are current."),
        )
        parser.add_argument(
            "--article", type=int, metavar="ID", help=_("Only the photos of this article.")
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=CHUNK_SIZE,
            help=_("How many photos to read from the database at a time."),
        )

    def handle(self, *args, force, article, chunk_size, **options):
        photos = Photo.objects.only("id", "article_id", "original", "width", "height", "renditions")
        if article is not None:
            if not Article.objects.filter(pk=article).exists():
                raise CommandError(_("There is no article with id %(id)d.") % {"id": article})
            photos = photos.filter(article_id=article)
        counts = {"renewed": 0, "current": 0, "skipped": 0, "failed": 0}
        for photo in _in_chunks(photos, max(1, chunk_size)):
            if not force and images.renditions_are_current(photo):
                counts["current"] += 1
                continue
            outcome = self._renew(photo)
            counts[outcome] += 1
        self.stdout.write(
            _(
                "Renditions made anew: %(renewed)d; already current: %(current)d; "
                "changed by an editor meanwhile: %(skipped)d; failed: %(failed)d."
            )
            % counts
        )
        if counts["failed"]:
            raise CommandError(_("Some photos could not be processed: see the messages above."))

    def _renew(self, photo):
        """Make one photo's renditions anew; return "renewed", "skipped" or "failed"."""
        try:
            old = images.renew_renditions(photo)
        except (ValidationError, OSError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else error
            self.stderr.write(_("Photo %(id)d: %(reason)s") % {"id": photo.pk, "reason": reason})
            return "failed"
        # Save only if the row still holds the same original: an editor may have replaced
        # or deleted the photo meanwhile, and then the new files are the ones to drop.
        with transaction.atomic():
            saved = Photo.objects.filter(pk=photo.pk, original=photo.original.name).update(
                width=photo.width, height=photo.height, renditions=photo.renditions
            )
            if saved:
                # A new updated_at gives the article page a new ETag, and the article
                # queryset's update() a new content version: no reader keeps a cached
                # copy pointing at the files deleted below.
                Article.objects.filter(pk=photo.article_id).update(updated_at=timezone.now())
            stale = old if saved else photo.renditions
            transaction.on_commit(lambda: images.delete_renditions(stale))
        return "renewed" if saved else "skipped"


def _in_chunks(queryset, size):
    """Yield the rows of a queryset ordered by id, reading `size` rows per query."""
    last_id = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_id).order_by("pk")[:size])
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].pk
