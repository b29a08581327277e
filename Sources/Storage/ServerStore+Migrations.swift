import GRDB

extension ServerStore {
    /// `PRAGMA application_id` of an Accord server store ("ACSV").
    static let applicationID: Int32 = 0x4143_5356

    /// The server store's schema. A shipped migration is never edited: add a new one instead.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-server") { db in
            try db.execute(sql: """
                PRAGMA application_id = \(applicationID);

                -- The store's identity: replicas refuse to sync with another one.
                CREATE TABLE server (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    identity TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    last_seq INTEGER NOT NULL DEFAULT 0
                );

                -- Every field of every row (commitments, meetings, conflicts) with the version
                -- that wrote it. seq is unique: one accepted write, one sequence.
                CREATE TABLE fields (
                    entity TEXT NOT NULL,
                    row_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    value,
                    seq INTEGER NOT NULL,
                    hlc INTEGER NOT NULL,
                    replica_id TEXT NOT NULL,
                    analyst TEXT NOT NULL,
                    PRIMARY KEY (entity, row_id, field)
                ) WITHOUT ROWID;
                -- "Everything written after sequence N" is a range scan of this index.
                CREATE INDEX fields_seq ON fields(seq);

                -- Per replica: the highest outbox sequence applied, so a resent push is not
                -- applied twice.
                CREATE TABLE replicas (
                    replica_id TEXT PRIMARY KEY NOT NULL,
                    analyst TEXT NOT NULL,
                    high_water INTEGER NOT NULL DEFAULT 0,
                    last_push_at TEXT
                );

                -- Who changed which field from what to what, when; one row per outcome.
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    seq INTEGER,
                    entity TEXT NOT NULL,
                    row_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    old_value,
                    new_value,
                    hlc INTEGER NOT NULL,
                    replica_id TEXT NOT NULL,
                    analyst TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE INDEX audit_row ON audit(entity, row_id, id);

                -- Analysts' tokens: only a SHA-256 of each is kept.
                CREATE TABLE tokens (
                    name TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
                    hash TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                """)
        }
        // Every change of a push writes an audit row, and this index (no query of Accord's reads
        // the audit by row) cost each of them a second B-tree insert at the pushing rows' places:
        // a third of the audit's writes, in the transaction that every push waits its turn for.
        // An operator who looks up rows often can create one of their own.
        migrator.registerMigration("v2-audit-without-row-index") { db in
            try db.execute(sql: "DROP INDEX audit_row")
        }
        return migrator
    }
}
