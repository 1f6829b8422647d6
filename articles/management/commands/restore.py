"""manage.py restore FOLDER [--force] [--check]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.backups import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Restore a backup made by “manage.py backup” into this site's database and media "
            "folders, which must be empty. The checksums are verified first."
        )

    def add_arguments(self, parser):
        parser.add_argument("folder", help=_("The backup folder, pressroom-YYYYMMDDTHHMMSSZ."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Overwrite a database and media folders that are not empty."),
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Only verify the checksums; change nothing."),
        )

    def handle(self, *args, folder, force, check, **options):
        try:
            manifest = verify_backup(folder) if check else restore_backup(folder, force=force)
        except (BackupError, OSError) as error:
            raise CommandError(_("Restore failed: %(error)s") % {"error": error}) from error
        if check:
            self.stdout.write(
                _("The backup of %(date)s is intact.") % {"date": manifest["created_at"]}
            )
        else:
            self.stdout.write(
                _("Restored the backup of %(date)s. Run “manage.py migrate” if this code is newer.")
                % {"date": manifest["created_at"]}
            )
