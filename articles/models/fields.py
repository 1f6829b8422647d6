"""Model fields that keep their content safe whatever path saves them."""

from django.db import models

from articles.html import sanitize_html


class SanitizedHTMLField(models.TextField):
    """Rich text that passes through sanitize_html() on every save: admin, importer, shell."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        from articles.richtext import RichTextFormField

        return super().formfield(**{"form_class": RichTextFormField, **kwargs})
