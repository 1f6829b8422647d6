"""Media files of an exchange folder: safe paths on import, content hashes for both ways."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from articles.exchange.errors import LineError, shown

_DRIVE = re.compile(r"^[A-Za-z]:")
CHUNK_SIZE = 2**20


@dataclass(frozen=True)
class MediaFile:
    """A file named by a line: the path as written and where it is on disk."""

    name: str
    path: Path

    @property
    def size(self):
        try:
            return self.path.stat().st_size
        except OSError as error:
            raise unreadable(self, error) from error

    def digest(self):
        """Return the SHA-256 of the file's content."""
        with self.open() as handle:
            try:
                return digest(handle)
            except OSError as error:
                raise unreadable(self, error) from error

    def open(self):
        """Open the file for reading, reporting an unreadable file as a line error."""
        try:
            return self.path.open("rb")
        except OSError as error:
            raise unreadable(self, error) from error


def digest(handle):
    """Return the SHA-256 of what remains to be read from a binary file handle."""
    sha = hashlib.sha256()
    while chunk := handle.read(CHUNK_SIZE):
        sha.update(chunk)
    return sha.hexdigest()


def unreadable(media, error):
    return LineError(
        _("the file %(path)s cannot be read (%(error)s)")
        % {"path": shown(media.name), "error": error.strerror or error}
    )


def resolve(folder, name):
    """Return the MediaFile for a path written in a line, refusing paths outside `folder`."""
    if "\\" in name or name.startswith("/") or _DRIVE.match(name):
        raise LineError(
            _("the path must be relative to the folder of content.jsonl, with / between folders")
        )
    if ".." in name.split("/"):
        raise LineError(_("the path leads outside the folder of content.jsonl"))
    not_found = LineError(_("the file %(path)s is not found") % {"path": shown(name)})
    try:
        path = (folder / name).resolve()
        if not path.is_relative_to(folder):  # a symbolic link pointing elsewhere
            raise LineError(_("the path leads outside the folder of content.jsonl"))
        if not path.is_file():
            raise not_found
    except (OSError, ValueError) as error:  # a name too long, or not encodable on disk
        raise not_found from error
    return MediaFile(name=name, path=path)


def storage_digest(storage, name):
    """Return the SHA-256 of a stored file, or None when it cannot be read."""
    try:
        with storage.open(name, "rb") as handle:
            return digest(handle)
    except OSError:
        return None


def storage_size(storage, name):
    """Return the size of a stored file, or None when it is missing."""
    try:
        return storage.size(name)
    except OSError:
        return None


def same_content(media, storage, name):
    """Return whether a stored file has the same content as a file of the exchange folder."""
    if not name or storage_size(storage, name) != media.size:
        return False
    return storage_digest(storage, name) == media.digest()
