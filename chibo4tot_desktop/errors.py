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


class DecidedYearError(ValidationError):
    """A change that would move what a decided year's decisions rest on. Nothing was written;
    the same change is made only when confirmed with a written reason (``confirm=...``)."""

    def __init__(self, message: str, years: list[int]):
        super().__init__(message, "confirm")
        self.years = years
class UnsafeFileError(UserError):
    """A file from outside (a spreadsheet) refused before or while reading it; the message
    names the file."""


# What is wrong with a data file, one class per cause, so that the window and the command line
# can answer each the same way (``safety.opening`` raises them; ``safety.lock`` adds "locked").
class DataFileMissingError(DataFileError):
    """No file at that path."""


class DataFileEmptyError(DataFileError):
    """A file of zero bytes where a data file should be (``backup``: the newest good one)."""

    def __init__(self, message: str, backup=None):
        super().__init__(message)
        self.backup = backup


class DataFileDamagedError(DataFileError):
    """The physical check failed (``problem``); ``backup`` is the newest good backup or None."""

    def __init__(self, message: str, problem: str = "", backup=None):
        super().__init__(message)
        self.problem = problem
        self.backup = backup


class DataFileNotOursError(DataFileError):
    """Not an SQLite file, or another program's SQLite database."""


class DataFileNewerError(DataFileError):
    """Written by a newer version of the program (a schema this one does not know)."""


class DataFileReadOnlyError(DataFileError):
    """The file, its folder or its lock file cannot be written; it may still be read."""
