from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Publications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles import signals
        from articles.versioning import register_models

        register_models()
        # Every public write bumps the content version that keys the page cache.
        signals.connect()
