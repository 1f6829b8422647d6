"""manage.py setup_demo: demo content and an editor account, for `make run`."""

from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Article

DEMO_DIR = settings.BASE_DIR / "demo"
EDITOR_USERNAME = "editor"
PASSWORD_LENGTH = 24
RULE = "=" * 72


class Command(BaseCommand):
    help = gettext_lazy(
        "Prepare a development site for a first look: import the demo content when the "
        "database has no articles, and create the editor account with a random password, "
        "shown once. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000/",
            help=gettext_lazy("The address the site is served at, shown with the login details."),
        )

    def handle(self, *args, site_url, **options):
        self.import_demo()
        self.create_editor(site_url)

    def import_demo(self):
        if Article.objects.exists():
            self.stdout.write(
                _("The database already has articles: the demo content is not imported.")
            )
            return
        self.stdout.write(_("Importing the demo content from %(path)s …") % {"path": DEMO_DIR})
        # All or nothing: after a failure the database is still empty, so a rerun retries.
        with transaction.atomic():
            call_command("import_content", str(DEMO_DIR), stdout=self.stdout, stderr=self.stderr)

    def create_editor(self, site_url):
        users = get_user_model()._default_manager
        if users.filter(username=EDITOR_USERNAME).exists():
            self.stdout.write(
                _(
                    "The editor account “%(username)s” already exists; its password is "
                    "unchanged. To set a new one: python manage.py changepassword %(username)s"
                )
                % {"username": EDITOR_USERNAME}
            )
            return
        password = get_random_string(PASSWORD_LENGTH)
        # A superuser until editorial roles exist; the password is never stored in clear.
        users.create_superuser(EDITOR_USERNAME, email="", password=password)
        admin_url = urljoin(site_url, reverse("admin:index"))
        lines = [
            RULE,
            _("The editor account has been created. Sign in at %(url)s") % {"url": admin_url},
            "",
            "    " + _("Username: %(username)s") % {"username": EDITOR_USERNAME},
            "    " + _("Password: %(password)s") % {"password": password},
            "",
            _("The password is shown only this once: save it now."),
            _("To set a new one later: python manage.py changepassword %(username)s")
            % {"username": EDITOR_USERNAME},
            "",
            # No TOTP key is printed next to the password: both in one terminal would be
            # one factor, not two. The admin shows the QR code at the first sign-in.
            _(
                "Two-step sign-in is required for this account: at the first sign-in the "
                "workspace shows a QR code for an authenticator app on your phone (Yandex "
                "Key, Google Authenticator, FreeOTP) and asks for its code."
            ),
            _("The site: %(url)s") % {"url": site_url},
            RULE,
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
