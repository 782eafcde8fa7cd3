"""The one kind of error a user can fix: the commands print its message as one line."""


class DataError(Exception):
    """A file, folder or option is missing, corrupt or of the wrong kind; the message says which
    and what to do."""
