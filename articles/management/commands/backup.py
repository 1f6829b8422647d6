"""manage.py backup [--output-dir DIR] [--keep N]"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.backups import BackupError, create_backup

DEFAULT_KEEP = 14


def _keep_from_environment():
    value = os.environ.get("PRESSROOM_BACKUP_KEEP", "").strip()
    if not value:
        return DEFAULT_KEEP
    if not value.isdigit() or int(value) < 1:
        raise CommandError(
            _("PRESSROOM_BACKUP_KEEP must be a whole number of backups, at least 1, got %(value)r.")
            % {"value": value}
        )
    return int(value)


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Back up the site while it serves: a consistent database dump, then the public "
            "and private media, with a manifest of checksums, in one timestamped folder. "
            "Older backups beyond the newest N are deleted."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=os.environ.get("PRESSROOM_BACKUP_DIR") or settings.BASE_DIR / "var" / "backups",
            help=_("Where backups are kept (PRESSROOM_BACKUP_DIR; default var/backups)."),
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help=_("How many backups to keep (PRESSROOM_BACKUP_KEEP; default 14)."),
        )

    def handle(self, *args, output_dir, keep, **options):
        keep = _keep_from_environment() if keep is None else keep
        try:
            path = create_backup(output_dir, keep=keep)
        except (BackupError, OSError) as error:
            raise CommandError(_("Backup failed: %(error)s") % {"error": error}) from error
        self.stdout.write(_("Backup written to %(path)s") % {"path": path})
