from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Publications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_started
        from django.db.models.signals import post_migrate

        from articles import signals
        from articles.versioning import register_models
        from pressroom import garbage

        register_models()
        # Every public write bumps the content version that keys the page cache.
        signals.connect()
        # The previous request's reference cycles are freed as the next request starts.
        request_started.connect(
            garbage.collect_young_garbage, dispatch_uid="pressroom:collect-young-garbage"
        )
        # A deploy runs migrate: pages, cards, feed items and memos made by the old code
        # are keyed by the old version and not served by the new code.
        post_migrate.connect(
            signals.new_code_deployed, sender=self, dispatch_uid="pressroom:new-code-deployed"
        )
