#!/usr/bin/env python3
"""Accord's Python client: the shared commitments in a local SQLite file, standard library only.

As a command (Python 3.11+, nothing to install):

    python3 accord_client.py pull --server HOST:PORT --token T --db team.db
    python3 accord_client.py push --db team.db [--csv rows.csv]
    python3 accord_client.py conflicts --db team.db

As a module (with this directory on sys.path):

    import accord_client
    with accord_client.Client("team.db", server="127.0.0.1:7420", token="acc_…") as client:
        client.pull()
        client.edit("01980c08", amount="18000000")
        print(client.push().conflicts)

The wire is Protocol/PROTOCOL.md; the code is in the `accordpy` package beside this file.
"""

import sys

from accordpy.client import Client, Conflict, PullReport, PushConflict, PushReport
from accordpy.cli import main
from accordpy.errors import (
    AccordError, DataError, NotFoundError, ProtocolError, RefusedError, UnreachableError, UsageError, WrongServerError,
)

__all__ = [
    "AccordError", "Client", "Conflict", "DataError", "NotFoundError", "ProtocolError", "PullReport", "PushConflict",
    "PushReport", "RefusedError", "UnreachableError", "UsageError", "WrongServerError", "main",
]

if __name__ == "__main__":
    sys.exit(main())
