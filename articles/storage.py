"""Storage for files that must never have a public URL, and a check that storage is writable."""

import logging
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

NOT_WRITABLE = _(
    "The file could not be saved: the file storage does not accept new files. "
    "Nothing was changed; please tell the site administrator."
)


def storage_error(error):
    """Return the form error for a storage write that failed with an OSError, and log it."""
    logger.error("Media storage refused a write: %s", error)
    return ValidationError(NOT_WRITABLE, code="storage")


def check_writable(storage, folder):
    """Raise the form error unless storage can write a file in folder right now.

    Forms check this before the upload is saved with its row: a read-only or missing
    mount, a full disk or wrong permissions then give a form error instead of a 500.
    """
    try:
        name = storage.save(
            f"{folder.rstrip('/')}/.write-check-{uuid.uuid4().hex}", ContentFile(b"")
        )
        storage.delete(name)
    except OSError as error:
        raise storage_error(error) from error


class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage under PRIVATE_MEDIA_ROOT, outside anything a web server serves.

    With S3-compatible storage, point STORAGES["private"] at a private bucket instead.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public URL.")
