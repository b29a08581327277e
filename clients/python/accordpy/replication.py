"""What sync does to the local file: outbox batches out, acknowledgements and pulled batches in.

Each function runs inside the caller's transaction, so a batch is applied with its cursor, and
an acknowledgement with the removal of its entries, or not at all (PROTOCOL.md §5.3, §5.4).
"""

from . import clock
from .errors import ProtocolError
from .fields import DELETED, SYNCED_COLUMNS
from .wire import encode_message


def begin_push(db, limit, max_bytes):
    """The next outbox entries as wire changes, at most `limit` and about `max_bytes` of JSON,
    marked sent: from now on they are frozen, and a batch cut off before its acknowledgement is
    simply sent again (the server answers what it already applied `duplicate`)."""
    changes, size = [], 0
    for local_seq, entity, row_id, field, value, base, alive_base, hlc in db.execute(
        "SELECT local_seq, entity, row_id, field, value, base, alive_base, hlc FROM sync_outbox ORDER BY local_seq LIMIT ?",
        (limit,),
    ).fetchall():
        change = {"local_seq": local_seq, "entity": entity, "id": row_id, "field": field, "value": value,
                  "base": base, "alive_base": alive_base, "hlc": hlc}
        size += len(encode_message(change))
        if changes and size > max_bytes:
            break
        changes.append(change)
    if changes:
        db.execute("UPDATE sync_outbox SET sent = 1 WHERE local_seq <= ? AND sent = 0", (changes[-1]["local_seq"],))
    return changes


def apply_acknowledgements(db, results):
    """Drops the acknowledged entries and takes each field's `current` version (and value, when
    ours did not stand), unless a newer local edit of the field waits. Returns the entries that
    were acknowledged, keyed by local_seq."""
    acknowledged = {}
    for result in results:
        entry = db.execute(
            "SELECT entity, row_id, field, value FROM sync_outbox WHERE local_seq = ?", (result.local_seq,)
        ).fetchone()
        if entry is None:
            continue
        acknowledged[result.local_seq] = entry
        db.execute("DELETE FROM sync_outbox WHERE local_seq = ?", (result.local_seq,))
        if result.current is not None:
            apply_field(db, entry[0], entry[1], entry[2], result.current)
    _see_times(db, [result.current.hlc for result in results if result.current is not None])
    return acknowledged


def apply_pulled(db, rows, cursor):
    """Writes one pulled batch and moves the cursor. Returns (fields written, fields skipped
    because a local edit of them waits: the server judges that edit at the next push)."""
    written = skipped = 0
    for row in rows:
        columns = SYNCED_COLUMNS.get(row.entity)
        if columns is None:
            continue  # an entity this client does not know: a newer schema's, left alone
        for field in sorted(row.fields):
            if field not in columns:
                continue
            if apply_field(db, row.entity, row.id, field, row.fields[field]):
                written += 1
            else:
                skipped += 1
    _see_times(db, [field.hlc for row in rows for field in row.fields.values()])
    db.execute("UPDATE sync_state SET cursor = max(cursor, ?)", (cursor,))
    return written, skipped


def apply_field(db, entity, row_id, field, pulled):
    """Takes the server's value and version of one field; False if a local edit of it waits."""
    if db.execute(
        "SELECT 1 FROM sync_outbox WHERE entity = ? AND row_id = ? AND field = ? LIMIT 1", (entity, row_id, field)
    ).fetchone():
        return False
    if field == DELETED and pulled.value not in (0, 1):
        raise ProtocolError("bad-message", f"the server sent deleted = {pulled.value!r} for {entity} {row_id}")
    db.execute(f"INSERT OR IGNORE INTO {entity} (id) VALUES (?)", (row_id,))
    db.execute(f"UPDATE {entity} SET {field} = ? WHERE id = ?", (pulled.value, row_id))
    db.execute(
        """INSERT INTO sync_versions (entity, row_id, field, seq, hlc, replica_id, analyst)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (entity, row_id, field) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc,
               replica_id = excluded.replica_id, analyst = excluded.analyst""",
        (entity, row_id, field, pulled.seq, pulled.hlc, pulled.replica_id, pulled.analyst),
    )
    return True


def renumber_outbox(db, high_water):
    """Moves never-sent entries numbered at or below the server's high-water mark for this
    replica (a file restored from a copy reuses numbers the server has seen) above everything,
    so the server does not take them for duplicates (§5.2). Returns how many moved."""
    stale = [row[0] for row in db.execute(
        "SELECT local_seq FROM sync_outbox WHERE sent = 0 AND local_seq <= ? ORDER BY local_seq", (high_water,))]
    if not stale:
        return 0
    top = max(high_water, db.execute("SELECT max(local_seq) FROM sync_outbox").fetchone()[0])
    for offset, old in enumerate(stale, start=1):
        db.execute("UPDATE sync_outbox SET local_seq = ? WHERE local_seq = ?", (top + offset, old))
    db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'sync_outbox'", (top + len(stale),))
    return len(stale)


def record_server_identity(db, identity):
    """Binds the file to the server at its first answer, so a cut first sync still binds it."""
    db.execute("UPDATE sync_state SET server_identity = ? WHERE server_identity IS NULL", (identity,))


def _see_times(db, times):
    """Keeps the clock ahead of every time seen, so the next local edit is later than them."""
    if times:
        last = db.execute("SELECT clock FROM sync_state").fetchone()[0]
        db.execute("UPDATE sync_state SET clock = ?", (clock.receive(last, max(times), clock.wall_millis()),))
