"""What the import writers share: outcomes, change detection, slugs, file clean-up."""

import itertools

from django.utils.translation import gettext_lazy as _

from articles.exchange.errors import LineError
from articles.slugs import SlugError, slug_from_title

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Lines per transaction: each line still has its own savepoint inside.
BATCH_SIZE = 200
UNKNOWN = {
    "organization": _("unknown organization %(key)s"),
    "agreement": _("unknown agreement %(key)s"),
}
UNKNOWN_FAILED = {
    "organization": _("unknown organization %(key)s: its line %(line)d has an error"),
    "agreement": _("unknown agreement %(key)s: its line %(line)d has an error"),
}


def assign(instance, values):
    """Set the fields of an instance; return whether any value differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def save_changed(instance, values, *, created):
    """Save an instance with new values if they differ; return (outcome, pk)."""
    if assign(instance, values) or created:
        instance.save()
        return (CREATED if created else UPDATED), instance.pk
    return UNCHANGED, instance.pk


def slug_from_text(text, max_length, where):
    """Return the slug of a title or name, or raise LineError when none can be made."""
    try:
        return slug_from_title(text, max_length)
    except SlugError as error:
        raise LineError(
            _("no slug can be made of it: it has no letters or digits; give a slug"), where
        ) from error


def delete_files(files):
    """Delete (storage, name) pairs: files written for something that was rolled back."""
    for storage, name in files:
        storage.delete(name)


def chunked(iterable, size):
    """Yield lists of up to `size` items from an iterable, reading it lazily."""
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
