"""Local edits: each changes the analyst's table and records an outbox entry with its bases.

The base of an entry is the field's server sequence as this file knew it when the analyst
edited (0: never on the server), and `alive_base` the row's `deleted` field's: with them the
server tells a sequel from a concurrent edit (PROTOCOL.md §5.3, §6.2). Each function runs
inside the caller's transaction, with one clock time for the whole command.
"""

from .errors import DataError, NotFoundError
from .fields import DELETED, REQUIRED, check_row, schema


def add_row(db, who, entity, row_id, values):
    """Inserts a row of non-null `values` (already in their stored form)."""
    fields = schema(entity)
    missing = [name for name in REQUIRED[entity] if values.get(name) is None]
    if missing:
        raise DataError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required for a new row of {entity}")
    check_row(entity, values)
    if db.execute(f"SELECT 1 FROM {entity} WHERE id = ?", (row_id,)).fetchone():
        raise DataError(f"a row of {entity} with id {row_id} already exists")
    given = [name for name in fields if values.get(name) is not None]
    db.execute(
        f"INSERT INTO {entity} (id{''.join(', ' + name for name in given)}) VALUES (?{', ?' * len(given)})",
        [row_id] + [values[name] for name in given],
    )
    for name in given:
        record_change(db, who, entity, row_id, name, values[name])


def edit_row(db, who, entity, row_id, changes):
    """Changes some fields of a live row; returns the names of the fields whose value changed."""
    current = _live_row(db, entity, row_id)
    changed = [name for name in schema(entity) if name in changes and changes[name] != current[name]]
    check_row(entity, {**current, **changes}, changed)
    for name in changed:
        db.execute(f"UPDATE {entity} SET {name} = ? WHERE id = ?", (changes[name], row_id))
        record_change(db, who, entity, row_id, name, changes[name])
    return changed


def delete_row(db, who, entity, row_id):
    """Marks a live row deleted: a tombstone that syncs like any other field."""
    _live_row(db, entity, row_id)
    db.execute(f"UPDATE {entity} SET deleted = 1 WHERE id = ?", (row_id,))
    record_change(db, who, entity, row_id, DELETED, 1)


def record_change(db, who, entity, row_id, field, value):
    """The bookkeeping of one changed field: its version and its outbox entry.

    `who` is (replica_id, analyst, hlc). An unsent entry for the field takes the new value and
    keeps its first bases; a sent one is frozen, so the edit gets an entry of its own.
    """
    replica_id, analyst, hlc = who
    base = _known_seq(db, entity, row_id, field)
    alive_base = _known_seq(db, entity, row_id, DELETED)
    db.execute(
        """INSERT INTO sync_versions (entity, row_id, field, seq, hlc, replica_id, analyst)
           VALUES (?, ?, ?, NULL, ?, ?, ?)
           ON CONFLICT (entity, row_id, field) DO UPDATE SET
               hlc = excluded.hlc, replica_id = excluded.replica_id, analyst = excluded.analyst""",
        (entity, row_id, field, hlc, replica_id, analyst),
    )
    db.execute(
        """INSERT INTO sync_outbox (entity, row_id, field, value, base, alive_base, hlc)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (entity, row_id, field) WHERE sent = 0 DO UPDATE SET
               value = excluded.value, hlc = excluded.hlc""",
        (entity, row_id, field, value, base, alive_base, hlc),
    )


def _known_seq(db, entity, row_id, field):
    row = db.execute(
        "SELECT seq FROM sync_versions WHERE entity = ? AND row_id = ? AND field = ?", (entity, row_id, field)
    ).fetchone()
    return row[0] if row and row[0] is not None else 0


def _live_row(db, entity, row_id):
    cursor = db.execute(f"SELECT * FROM {entity} WHERE id = ?", (row_id,))
    row = cursor.fetchone()
    if row is None:
        raise NotFoundError(f"no row of {entity} with id {row_id}")
    current = dict(zip((column[0] for column in cursor.description), row))
    if current[DELETED]:
        raise DataError(f"the row of {entity} with id {row_id} is deleted")
    return current
