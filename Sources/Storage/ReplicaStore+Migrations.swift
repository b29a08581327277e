import GRDB

extension ReplicaStore {
    /// `PRAGMA application_id` of every Accord replica ("ACRD"), so a stray SQLite file is
    /// recognised as not being one before anything is written to it.
    static let applicationID: Int32 = 0x4143_5244

    /// The replica's schema. A shipped migration is never edited: add a new one instead.
    /// Migrations spell out their SQL and use no app types, so they stay valid as the code moves.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-replica") { db in
            try db.execute(sql: """
                PRAGMA application_id = \(applicationID);

                -- The analyst's tables: plain, snake_case, readable with any SQLite tool.
                -- Rows are never dropped; a deleted row keeps its values and has deleted = 1.
                CREATE TABLE meetings (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT,
                    series TEXT,
                    location TEXT,
                    start_date TEXT,
                    end_date TEXT,
                    notes TEXT,
                    deleted INTEGER NOT NULL DEFAULT 0
                );

                -- amount, disbursed and progress are TEXT so they keep their exact digits.
                -- tags are joined with ';'.
                CREATE TABLE commitments (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT,
                    party TEXT,
                    beneficiary TEXT,
                    kind TEXT,
                    amount TEXT,
                    currency TEXT,
                    qualifier TEXT,
                    disbursed TEXT,
                    status TEXT,
                    meeting_id TEXT,
                    date TEXT,
                    period_start INTEGER,
                    period_end INTEGER,
                    progress TEXT,
                    source_url TEXT,
                    source_quote TEXT,
                    tags TEXT,
                    notes TEXT,
                    deleted INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX commitments_meeting ON commitments(meeting_id);

                -- Full-text search over the commitments' prose, kept in step by triggers.
                CREATE VIRTUAL TABLE commitments_fts USING fts5(
                    title, party, beneficiary, notes, source_quote,
                    content = 'commitments', content_rowid = 'rowid',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                CREATE TRIGGER commitments_fts_insert AFTER INSERT ON commitments BEGIN
                    INSERT INTO commitments_fts(rowid, title, party, beneficiary, notes, source_quote)
                    VALUES (new.rowid, new.title, new.party, new.beneficiary, new.notes, new.source_quote);
                END;
                CREATE TRIGGER commitments_fts_delete AFTER DELETE ON commitments BEGIN
                    INSERT INTO commitments_fts(commitments_fts, rowid, title, party, beneficiary, notes, source_quote)
                    VALUES ('delete', old.rowid, old.title, old.party, old.beneficiary, old.notes, old.source_quote);
                END;
                CREATE TRIGGER commitments_fts_update
                AFTER UPDATE OF title, party, beneficiary, notes, source_quote ON commitments BEGIN
                    INSERT INTO commitments_fts(commitments_fts, rowid, title, party, beneficiary, notes, source_quote)
                    VALUES ('delete', old.rowid, old.title, old.party, old.beneficiary, old.notes, old.source_quote);
                    INSERT INTO commitments_fts(rowid, title, party, beneficiary, notes, source_quote)
                    VALUES (new.rowid, new.title, new.party, new.beneficiary, new.notes, new.source_quote);
                END;

                -- Sync metadata, beside the analyst's tables.

                -- This replica: who it is, where it syncs, how far it has pulled, its clock.
                CREATE TABLE replica (
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

                -- The version of each field's current value: the server sequence that wrote it
                -- as this replica last heard (NULL: never on the server), and the clock time,
                -- replica and analyst of the edit.
                CREATE TABLE field_versions (
                    entity TEXT NOT NULL,
                    row_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    server_seq INTEGER,
                    hlc INTEGER NOT NULL,
                    replica_id TEXT NOT NULL,
                    analyst TEXT NOT NULL,
                    PRIMARY KEY (entity, row_id, field)
                ) WITHOUT ROWID;

                -- Local edits waiting for the server. base_seq is the field's server sequence
                -- when the analyst edited it (0: never on the server); alive_base_seq the row's
                -- deleted field's, so the server can tell an edit made without knowledge of a
                -- delete (Protocol/PROTOCOL.md 6.2). Unsent entries collapse per field (latest
                -- value, first bases); a sent entry is frozen.
                CREATE TABLE outbox (
                    local_seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    entity TEXT NOT NULL,
                    row_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    value,
                    base_seq INTEGER NOT NULL,
                    alive_base_seq INTEGER NOT NULL DEFAULT 0,
                    hlc INTEGER NOT NULL,
                    sent INTEGER NOT NULL DEFAULT 0
                );
                CREATE UNIQUE INDEX outbox_unsent_field ON outbox(entity, row_id, field) WHERE sent = 0;
                -- Pull skips every field with an entry, sent or not. Sent entries are few (the
                -- batches in flight), so this index costs nothing when an edit is recorded.
                CREATE INDEX outbox_sent_field ON outbox(entity, row_id, field) WHERE sent = 1;

                -- Concurrent edits of one field: the value that stands and the one kept aside.
                -- A replicated entity: the server creates the records and pull brings them,
                -- field by field, so only the id is required.
                CREATE TABLE conflicts (
                    id TEXT PRIMARY KEY NOT NULL,
                    entity TEXT,
                    row_id TEXT,
                    field TEXT,
                    standing_value,
                    standing_hlc INTEGER,
                    standing_replica_id TEXT,
                    standing_analyst TEXT,
                    other_value,
                    other_hlc INTEGER,
                    other_replica_id TEXT,
                    other_analyst TEXT,
                    status TEXT,
                    resolved_by TEXT,
                    resolved_hlc INTEGER
                );
                CREATE INDEX conflicts_row ON conflicts(entity, row_id);

                -- Everything that changed a field here: local edits, and later what sync brought.
                CREATE TABLE history (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    entity TEXT NOT NULL,
                    row_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    old_value,
                    new_value,
                    hlc INTEGER NOT NULL,
                    replica_id TEXT NOT NULL,
                    analyst TEXT NOT NULL,
                    origin TEXT NOT NULL
                );
                CREATE INDEX history_row ON history(entity, row_id, seq);
                """)
        }
        return migrator
    }
}
