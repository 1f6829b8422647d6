"""Lost-update protection: a save based on an outdated version is refused, with the difference."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles.models import Article

COMPARED_FIELDS = ["title", "slug", "kind", "lead", "body", "status", "published_at", "source_url"]
SHOWN_CHARACTERS = 200


def _shown(value):
    if value is None or value == "":
        return "—"
    if hasattr(value, "tzinfo"):
        return date_format(timezone.localtime(value), "j E Y, H:i")
    return Truncator(strip_tags(str(value))).chars(SHOWN_CHARACTERS)


def last_saved_by(article):
    """Return (user name, time) of the latest revision of article, or (None, None)."""
    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    if version is None:
        return None, article.updated_at
    user = version.revision.user
    return (user.get_full_name() or user.get_username()) if user else None, (
        version.revision.date_created
    )


def conflict_error(saved, cleaned_data):
    """Return the form error telling an editor that someone else saved the article meanwhile."""
    rows = []
    for name in COMPARED_FIELDS:
        if name not in cleaned_data:
            continue
        theirs, yours = getattr(saved, name), cleaned_data[name]
        if theirs != yours:
            label = Article._meta.get_field(name).verbose_name
            rows.append((label, _shown(theirs), _shown(yours)))
    who, when = last_saved_by(saved)
    message = _(
        "While you were editing, %(who)s saved this article (%(when)s). Your changes were "
        "not saved, so that nothing is lost: open the saved version in a new tab, compare, "
        "and apply your changes to it."
    ) % {
        "who": who or _("another editor"),
        "when": date_format(timezone.localtime(when), "j E Y, H:i"),
    }
    table = format_html_join(
        "",
        "<li><strong>{}</strong>: {} <em>{}</em>; {} <em>{}</em></li>",
        ((label, _("saved:"), theirs, _("yours:"), yours) for label, theirs, yours in rows),
    )
    return ValidationError(
        format_html("{}<ul>{}</ul>", message, table) if rows else message, code="conflict"
    )


def check_version(form, loaded_version):
    """Add a conflict error to form when the stored article moved past loaded_version."""
    instance = form.instance
    if instance.pk is None or loaded_version is None:
        return
    # FOR UPDATE holds a second save of the same article until this one commits (PostgreSQL).
    saved = Article.objects.select_for_update().get(pk=instance.pk)
    if saved.version != loaded_version:
        form.add_error(None, conflict_error(saved, form.cleaned_data))
