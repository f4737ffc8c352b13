"""Errors the user can act on. Their message is one line of Vietnamese, shown as it is by the
command line (exit code 2) and by the window (a message box, never a traceback)."""


class UserError(Exception):
    """Bad input or a state the user must change; ``str(error)`` is the Vietnamese message."""


class ValidationError(UserError):
    """A value refused at the field; ``field`` names the attribute when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFoundError(UserError):
    """The record asked for does not exist (any more)."""


class ConflictError(UserError):
    """Someone else changed the record since it was read (optimistic version check)."""


class DataFileError(UserError):
    """The data file cannot be used: not ours, damaged, or from a newer program."""


class UnsafeFileError(UserError):
    """A file from outside (a spreadsheet) refused before or while reading it; the message
    names the file."""
