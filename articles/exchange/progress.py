"""A progress bar for the exchange commands, drawn only on a terminal."""

from tqdm import tqdm


class CommandProgress:
    """Show a tqdm bar on a command's stderr when it is a terminal; stay quiet otherwise.

    Messages go through write() so that they do not tear the bar apart.
    """

    def __init__(self, command, description, unit):
        self.command = command
        self.description = description
        self.unit = unit
        # The bar needs the raw stream: Django's OutputWrapper adds a newline to each write.
        self.stream = getattr(command.stderr, "_out", None) if command.stderr.isatty() else None
        self.bar = None

    @property
    def factory(self):
        """Return the progress(total) callable for the importer or exporter, or None."""
        return self.start if self.stream is not None else None

    def start(self, total):
        self.bar = tqdm(
            total=total, desc=str(self.description), unit=str(self.unit), file=self.stream
        )
        return self.bar

    def write(self, message):
        if self.bar is not None:
            tqdm.write(message, file=self.stream)
        else:
            self.command.stderr.write(message)
