"""The client an analyst uses: a local SQLite file that pulls from and pushes to a server.

    client = Client("team.db", server="127.0.0.1:7420", token="acc_…", analyst="alice")
    client.pull()                                   # clone, then only what changed
    client.edit("01980c08", amount="18000000")      # any unique id prefix
    report = client.push()                          # then pulls, so conflicts arrive too
    for conflict in report.conflicts: print(conflict)
    pandas.read_sql("select * from commitments where deleted = 0", client.db)
"""

import contextlib

from . import clock, replication
from .csv_rows import import_rows, read_rows
from .edits import add_row, delete_row, edit_row
from .errors import DataError, ProtocolError, RefusedError, UsageError
from .fields import normalize, record_id, schema
from .reports import Conflict, PullReport, PushConflict, PushReport
from .session import Session
from .store import LocalStore, now_iso


class Client:
    """See the module docstring. `server`, `token` and `analyst` are remembered in the file."""

    pull_batch = 1000
    push_batch = 500

    def __init__(self, db, *, server=None, token=None, analyst=None, deflate=True, timeout=10.0, create=True):
        self.store = LocalStore(db, analyst=analyst, create=create)
        # Given ones are remembered once a server has accepted them, not before: a mistyped
        # token must not replace a good one.
        self.server = server
        self.token = token
        self.deflate = deflate
        self.timeout = timeout

    @property
    def db(self):
        """The sqlite3 connection to the file, for reading (pandas.read_sql, plain SQL)."""
        return self.store.db

    @property
    def replica_id(self):
        return self.store.state()["replica_id"]

    @property
    def cursor(self):
        return self.store.state()["cursor"]

    def close(self):
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    # Sync

    def pull(self, progress=None):
        """Pulls everything written since the last pull; `progress(report)` after each batch."""
        with self._session(self.deflate) as session:
            return self._pull(session, progress)

    def push(self, *, pull=True, progress=None):
        """Pushes every pending edit, then (unless `pull=False`) pulls on the same connection,
        so the conflict records the push created are in the file when it returns."""
        report = PushReport()
        try:
            self._push_and_pull(report, pull, progress, self.deflate)
        except ProtocolError as error:
            # Very repetitive values (a boilerplate quote on every imported row) can deflate
            # better than the server's max_inflate_ratio allows (§4), and the server refuses
            # the stream. The same batch uncompressed always passes, and resending is safe.
            if error.code != "inflate-ratio" or not self.deflate:
                raise
            self._push_and_pull(report, pull, progress, deflate=False)
        report.conflicts = [self._detailed(conflict) for conflict in report.conflicts]
        return report

    def _push_and_pull(self, report, pull, progress, deflate):
        with self._session(deflate) as session:
            self._push(session, report)
            if pull:
                report.pull = self._pull(session, progress)

    def _detailed(self, conflict):
        """The conflict as its record tells it, once pull has brought the record: an edit's
        "the row is alive" assertion can conflict on `deleted` while the edit is accepted."""
        record = self.db.execute(
            "SELECT field, standing_value, standing_analyst, standing_replica_id FROM conflicts WHERE id = ?",
            (conflict.conflict_id,),
        ).fetchone()
        if record is None or None in (record[0], record[2], record[3]):
            return conflict
        field, standing, analyst, replica = record
        yours = conflict.yours if field == conflict.field else 0
        return PushConflict(conflict.conflict_id, conflict.entity, conflict.row_id, field, yours, standing,
                            analyst, replica == self.replica_id)

    def _session(self, deflate):
        state = self.store.state()
        server, token = self.server or state["server"], self.token or state["token"]
        if not server:
            raise UsageError("no server: give --server HOST:PORT (server= in Python)")
        if not token:
            raise UsageError("no token: give --token T (token= in Python)")
        session = Session.open(server, token=token, replica_id=state["replica_id"], analyst=state["analyst"],
                               server_identity=state["server_identity"], deflate=deflate, timeout=self.timeout)
        try:
            self.store.configure(self.server, self.token)
            with self.store.transaction() as db:
                replication.record_server_identity(db, session.hello.server_identity)
                replication.renumber_outbox(db, session.hello.high_water)
        except BaseException:
            session.close()
            raise
        return session

    def _pull(self, session, progress):
        start = self.store.state()["cursor"]
        report = PullReport(cursor=start, compression=session.hello.compression, cloned=start == 0)
        for rows, cursor in session.pull(start, self.pull_batch):
            with self.store.transaction() as db:
                written, skipped = replication.apply_pulled(db, rows, cursor)
            report.fields += written
            report.skipped += skipped
            report.batches += 1
            report.cursor = max(report.cursor, cursor)
            if progress:
                progress(report)
        with self.store.transaction() as db:
            db.execute("UPDATE sync_state SET last_sync_at = ?", (now_iso(),))
        return report

    def _push(self, session, report):
        if session.hello.role == "reader":
            waiting = self.store.pending_count()
            if waiting:
                raise RefusedError("forbidden", f"this token may pull but not push; {waiting} edits wait in {self.store.path}")
            return
        limits = session.hello.limits
        size = max(1, min(self.push_batch, limits.max_batch_changes))
        # The push line must fit the server's line limit; the envelope takes a few bytes.
        budget = max(1, limits.max_line_bytes - 64)
        while True:
            with self.store.transaction() as db:
                changes = replication.begin_push(db, size, budget)
            if not changes:
                return
            results = session.push(changes)
            with self.store.transaction() as db:
                acknowledged = replication.apply_acknowledgements(db, results)
            sent = {change["local_seq"]: change for change in changes}
            for result in results:
                change = sent.get(result.local_seq)
                if change is None or result.local_seq not in acknowledged:
                    continue
                report.pushed += 1
                if result.outcome != "conflict":
                    setattr(report, result.outcome, getattr(report, result.outcome) + 1)
                if result.conflict_id or result.outcome == "conflict":
                    report.conflicts.append(_push_conflict(change, result))
            if len(acknowledged) < len(changes):
                # Unanswered entries would be sent again forever.
                raise ProtocolError("bad-message", "the server's push_ack does not answer every change of the push")

    # Local edits

    def add(self, entity="commitments", *, id=None, **values):
        """Adds a row and returns its id (a new UUIDv7 unless `id` is given)."""
        normalized = {name: normalize(entity, name, value) for name, value in values.items()}
        row_id = record_id(id) if id is not None else clock.new_id()
        if row_id is None:
            raise DataError(f"\"{id}\" is not an id")
        with self._edit() as (db, who):
            add_row(db, who, entity, row_id, normalized)
        return row_id

    def edit(self, row_id, entity="commitments", **changes):
        """Changes fields of a live row (None or "" clears one); returns the fields changed."""
        schema(entity)
        normalized = {name: normalize(entity, name, value) for name, value in changes.items()}
        row_id = self.store.resolve_id(entity, row_id)
        with self._edit() as (db, who):
            return edit_row(db, who, entity, row_id, normalized)

    def delete(self, row_id, entity="commitments"):
        """Deletes a row: a tombstone (`deleted = 1`) that syncs like any edit."""
        schema(entity)
        row_id = self.store.resolve_id(entity, row_id)
        with self._edit() as (db, who):
            delete_row(db, who, entity, row_id)
        return row_id

    def import_csv(self, path, entity="commitments"):
        """Adds and edits rows from a CSV file, all or nothing (see csv_rows)."""
        rows = read_rows(path, entity)
        with self._edit() as (db, who):
            return import_rows(db, who, entity, rows)

    @contextlib.contextmanager
    def _edit(self):
        """One transaction and one clock time for a whole command."""
        with self.store.transaction() as db:
            state = self.store.state()
            yield db, (state["replica_id"], state["analyst"], self.store.next_hlc())

    # Reading

    def pending(self):
        """How many field changes wait to be pushed."""
        return self.store.pending_count()

    def conflicts(self):
        """The open conflicts whose records have fully arrived, oldest first."""
        rows = self.db.execute(
            """SELECT id, entity, row_id, field, standing_value, standing_analyst, standing_hlc,
                      other_value, other_analyst, other_hlc, status
               FROM conflicts WHERE status = 'open' AND entity IS NOT NULL AND field IS NOT NULL
               ORDER BY standing_hlc, id"""
        ).fetchall()
        return [Conflict(*row) for row in rows]


def _push_conflict(change, result):
    """The conflict as the acknowledgement tells it. A conflict on the row's `deleted` field
    (an `accepted` edit of a row deleted concurrently) is only known fully from its record."""
    if result.outcome != "conflict":
        return PushConflict(result.conflict_id, change["entity"], change["id"], "deleted", 0, None, "", None)
    current = result.current
    return PushConflict(
        conflict_id=result.conflict_id or "", entity=change["entity"], row_id=change["id"], field=change["field"],
        yours=change["value"], standing=current.value if current else None,
        standing_analyst=current.analyst if current else "", yours_stands=result.seq is not None,
    )
