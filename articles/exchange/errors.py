"""Errors of the exchange format, and how values are quoted in their messages."""


class ExchangeError(Exception):
    """Base class for errors that the import and export commands report to the user."""


class FileRefused(ExchangeError):
    """The file as a whole cannot be imported (no header, unknown version, unreadable)."""


class LineError(ExchangeError):
    """One line cannot be imported; `field` names where (e.g. "photos, item 2, file")."""

    def __init__(self, reason, field=None):
        super().__init__(reason)
        self.reason = reason
        self.field = field

    def __str__(self):
        if self.field:
            return f"{self.field}: {self.reason}"
        return str(self.reason)

    def inside(self, path):
        """Return the same error with its field placed inside the field `path`."""
        return LineError(self.reason, f"{path}, {self.field}" if self.field else path)


def shown(value, limit=80):
    """Return a value quoted for a message: unprintable characters escaped, long ones cut."""
    text = value if len(value) <= limit else value[:limit] + "…"
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"«{escaped}»"
