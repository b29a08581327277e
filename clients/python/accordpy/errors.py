"""Errors of the Accord Python client.

One class per way an operation can fail, each carrying the exit status the command uses (the
same numbers as `accord sync`), so a script can tell "run it again" (unreachable) from "fix the
token" (refused) from "this is a bug on one side" (protocol) without parsing messages.
"""


class AccordError(Exception):
    """Base of every error the client raises. `message` is one line, fit to show an analyst."""

    exit_status = 1

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UsageError(AccordError):
    """A command line that does not parse, or no server or token to sync with."""

    exit_status = 64


class DataError(AccordError):
    """A value, a file or a local file the client refuses; nothing was written."""

    exit_status = 65


class NotFoundError(AccordError):
    """A row, an id prefix or a file that is not there."""

    exit_status = 66


class UnreachableError(AccordError):
    """The server cannot be reached, or the connection broke: run the command again, it resumes."""

    exit_status = 69


class ProtocolError(AccordError):
    """Either side broke Protocol/PROTOCOL.md. `code` is the wire error code (§5.5), e.g.
    `line-too-long`, whether the server reported it or this client detected it."""

    exit_status = 76

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class RefusedError(AccordError):
    """The server refused the token (`unauthorized`) or the role does not allow it (`forbidden`)."""

    exit_status = 77

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class WrongServerError(AccordError):
    """The server is another store than the one this file last synced with (`wrong-server`)."""

    exit_status = 78
