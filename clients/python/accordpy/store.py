"""The local SQLite file: the analyst's readable tables and the sync bookkeeping beside them.

`commitments` and `meetings` have the columns of an Accord replica (snake_case, decimals as
TEXT, tags joined with `;`, deleted rows kept with `deleted = 1`), so pandas, sqlite3 or
Datasette read them directly. The sync state lives in tables prefixed `sync_`; the file is
not an `accord` replica and says so in its application id.
"""

import contextlib
import datetime
import getpass
import os
import sqlite3

from . import clock
from .errors import DataError, NotFoundError
from .fields import ENTITIES

APPLICATION_ID = 0x41435059  # "ACPY"
SWIFT_REPLICA_ID = 0x41435244  # "ACRD", a replica of the `accord` CLI
SCHEMA_VERSION = 1


def _table(name, fields):
    columns = ",\n    ".join(
        f"{field} INTEGER" if kind == "year" else f"{field} TEXT" for field, (kind, _) in fields.items()
    )
    return f"""CREATE TABLE {name} (
    id TEXT PRIMARY KEY NOT NULL,
    {columns},
    deleted INTEGER NOT NULL DEFAULT 0
);"""


SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
{_table("meetings", ENTITIES["meetings"])}
{_table("commitments", ENTITIES["commitments"])}
CREATE INDEX commitments_meeting ON commitments(meeting_id);

-- Concurrent edits of one field (PROTOCOL.md 6.3), as pull brings them.
CREATE TABLE conflicts (
    id TEXT PRIMARY KEY NOT NULL,
    entity TEXT, row_id TEXT, field TEXT,
    standing_value, standing_hlc INTEGER, standing_replica_id TEXT, standing_analyst TEXT,
    other_value, other_hlc INTEGER, other_replica_id TEXT, other_analyst TEXT,
    status TEXT
);

-- Who this file is, where it syncs, how far it has pulled, and its clock.
CREATE TABLE sync_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    replica_id TEXT NOT NULL,
    analyst TEXT NOT NULL,
    created_at TEXT NOT NULL,
    server TEXT,
    token TEXT,
    server_identity TEXT,
    cursor INTEGER NOT NULL DEFAULT 0,
    last_sync_at TEXT,
    clock INTEGER NOT NULL DEFAULT 0
);

-- Each field's version as this file last heard: seq is the server sequence that wrote it
-- (NULL: a local value never acknowledged), the base of the next edit of the field.
CREATE TABLE sync_versions (
    entity TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
    seq INTEGER, hlc INTEGER NOT NULL, replica_id TEXT NOT NULL, analyst TEXT NOT NULL,
    PRIMARY KEY (entity, row_id, field)
) WITHOUT ROWID;

-- Local edits waiting for the server (5.3). Unsent entries collapse per field (latest value,
-- first bases); a sent entry is frozen until its acknowledgement.
CREATE TABLE sync_outbox (
    local_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value,
    base INTEGER NOT NULL, alive_base INTEGER NOT NULL, hlc INTEGER NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX sync_outbox_unsent ON sync_outbox(entity, row_id, field) WHERE sent = 0;
CREATE INDEX sync_outbox_field ON sync_outbox(entity, row_id, field);
PRAGMA user_version = {SCHEMA_VERSION};
"""


def _statements(script):
    """The SQL statements of `script`, one by one, so they run inside one transaction
    (`executescript` would commit first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class LocalStore:
    """An open local file. Writes go through `transaction()`, one per command, batch or ack."""

    def __init__(self, path, analyst=None, create=True):
        self.path = os.fspath(path)
        if not create and not os.path.exists(self.path):
            raise NotFoundError(f"no file {self.path}; pull into it first")
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            self._prepare(analyst)
        except BaseException:
            self.db.close()
            raise

    def _prepare(self, analyst):
        application_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if application_id == SWIFT_REPLICA_ID:
            raise DataError(f"{self.path} is a replica of the accord CLI; give the Python client a file of its own")
        tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application_id == 0 and tables == 0:
            with self.transaction():
                for statement in _statements(SCHEMA):
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT INTO sync_state (singleton, replica_id, analyst, created_at) VALUES (1, ?, ?, ?)",
                    (clock.new_id(), analyst or getpass.getuser(), now_iso()),
                )
        elif application_id != APPLICATION_ID:
            raise DataError(f"{self.path} is not a file of the Accord Python client")
        elif self.db.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
            raise DataError(f"{self.path} was written by a newer Accord Python client")
        elif analyst:
            with self.transaction():
                self.db.execute("UPDATE sync_state SET analyst = ?", (analyst,))
        self.db.execute("PRAGMA journal_mode = WAL")

    @contextlib.contextmanager
    def transaction(self):
        """One SQLite transaction: everything in it is written, or nothing."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def state(self):
        """The sync_state row as a dict."""
        cursor = self.db.execute("SELECT * FROM sync_state")
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone()))

    def configure(self, server=None, token=None):
        """Remembers where to sync, so later commands need only the file."""
        with self.transaction():
            if server:
                self.db.execute("UPDATE sync_state SET server = ?", (server,))
            if token:
                self.db.execute("UPDATE sync_state SET token = ?", (token,))

    def next_hlc(self):
        """Ticks the persisted clock, inside the caller's transaction (a rollback undoes it)."""
        last = self.db.execute("SELECT clock FROM sync_state").fetchone()[0]
        hlc = clock.tick(last, clock.wall_millis())
        self.db.execute("UPDATE sync_state SET clock = ?", (hlc,))
        return hlc

    def resolve_id(self, entity, prefix):
        """The one id of `entity` that starts with `prefix` (ids are lowercase UUIDs)."""
        prefix = str(prefix).lower()
        rows = self.db.execute(
            f"SELECT id FROM {entity} WHERE substr(id, 1, ?) = ? LIMIT 2", (len(prefix), prefix)
        ).fetchall()
        if not prefix or not rows:
            raise NotFoundError(f"no row of {entity} with id {prefix!r}")
        if len(rows) > 1:
            raise DataError(f"the id prefix {prefix!r} matches several rows of {entity}; give more of it")
        return rows[0][0]

    def pending_count(self):
        return self.db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]

    def close(self):
        self.db.close()
