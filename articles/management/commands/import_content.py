"""manage.py import_content PATH [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.exchange.errors import FileRefused
from articles.exchange.importer import failure_message, import_content, summary_lines
from articles.exchange.progress import CommandProgress
from articles.exchange.reader import locate


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Import content in the Pressroom exchange format: rubrics, organizations, "
            "agreements and articles with their photos and documents. Objects whose key "
            "exists are updated in place; importing the same file twice changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help=_("A folder holding content.jsonl and its media, or the .jsonl file itself."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the whole file and report errors without saving anything."),
        )

    def handle(self, *args, path, dry_run, **options):
        progress = CommandProgress(self, _("Importing"), _("lines"))
        try:
            result = import_content(
                locate(path),
                dry_run=dry_run,
                on_error=progress.write,
                progress=progress.factory,
            )
        except FileRefused as error:
            raise CommandError(str(error)) from error
        for line in summary_lines(result):
            self.stdout.write(line)
        if result.failed:
            raise CommandError(failure_message(result))
