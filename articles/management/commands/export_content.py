"""manage.py export_content PATH"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.exchange.exporter import export_content
from articles.exchange.progress import CommandProgress


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Export all content in the Pressroom exchange format: PATH/content.jsonl and the "
            "photos and documents it names, under PATH/media/."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("The folder to write to; it is created if missing."))

    def handle(self, *args, path, **options):
        progress = CommandProgress(self, _("Exporting"), _("objects"))
        try:
            result = export_content(path, progress=progress.factory)
        except OSError as error:
            raise CommandError(
                _("Cannot write to %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        for problem in result.problems:
            self.stderr.write(str(problem))
        self.stdout.write(
            _(
                "Exported to %(path)s: %(rubric)d rubrics, %(organization)d organizations, "
                "%(agreement)d agreements, %(article)d articles, %(files)d media files."
            )
            % {"path": result.path, "files": result.files, **result.counts}
        )
        if result.problems:
            count = len(result.problems)
            raise CommandError(
                ngettext(
                    "%(count)d file could not be exported.",
                    "%(count)d files could not be exported.",
                    count,
                )
                % {"count": count}
            )
