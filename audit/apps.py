from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The trail must not depend on every caller remembering to write it: the receivers
        # listen to the events themselves (sign-in, roles, workflow, devices).
        from audit import receivers  # noqa: F401
