import Domain
import GRDB

/// What applying one pulled batch did.
public struct PullApplied: Sendable, Hashable {
    /// Fields written into the replica.
    public var fields = 0
    /// Fields left alone because a local edit of them waits to be pushed.
    public var skipped = 0
}

extension ReplicaStore {
    /// Records where this replica syncs, as `init --server --token` does.
    public func setServer(_ server: String?, token: String?) throws {
        try writer.write { db in
            if let server { try db.execute(sql: "UPDATE replica SET server = ?", arguments: [server]) }
            if let token { try db.execute(sql: "UPDATE replica SET token = ?", arguments: [token]) }
        }
    }

    /// The next outbox entries in order, at most `limit` and about `maxBytes` of values (at
    /// least one), marked sent in the same transaction: from now on they are frozen (a later
    /// edit of the field gets an entry of its own), and a batch cut off before its
    /// acknowledgement is simply sent again.
    public func beginPush(limit: Int, maxBytes: Int = .max) throws -> [PushedChange] {
        // Most syncs find the outbox empty: a read says so without a write transaction.
        guard try reading({ db in try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox)")) }) == true else {
            return []
        }
        return try writer.write { db in
            var rows: [Row] = []
            var bytes = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM outbox ORDER BY local_seq LIMIT ?", arguments: [limit])
            while let row = try cursor.next() {
                // Each change's JSON is its value plus well under 512 bytes of names and numbers.
                let size = ((row["value"] as FieldValue?)?.text?.utf8.count ?? 20) + 512
                if !rows.isEmpty && bytes + size > maxBytes { break }
                bytes += size
                rows.append(row.copy())
            }
            guard let last = rows.last else { return [] }
            try db.cachedStatement(sql: "UPDATE outbox SET sent = 1 WHERE local_seq <= ? AND sent = 0").execute(arguments: [last["local_seq"] as Int64])
            return rows.map { row in
                PushedChange(
                    localSeq: row["local_seq"],
                    change: FieldChange(entity: row["entity"], id: row["row_id"], field: row["field"],
                                        value: row["value"] ?? .null, hlc: row["hlc"]),
                    baseSeq: row["base_seq"], aliveBaseSeq: row["alive_base_seq"]
                )
            }
        }
    }

    /// Applies a push's acknowledgement in one transaction: each acknowledged entry leaves the
    /// outbox, and the field takes the server's current version (and value, when ours did not
    /// stand) unless a newer local edit of it is waiting.
    public func applyAcknowledgements(_ results: [PushResult]) throws {
        try writer.write { db in
            let identity = try Self.identity(db)
            for result in results {
                guard let entry = try Row.fetchOne(db.cachedStatement(sql: "SELECT entity, row_id, field FROM outbox WHERE local_seq = ?"),
                                                   arguments: [result.localSeq]) else { continue }
                try db.cachedStatement(sql: "DELETE FROM outbox WHERE local_seq = ?").execute(arguments: [result.localSeq])
                guard let current = result.current else { continue }
                let row = PulledRow(entity: entry["entity"], id: entry["row_id"], fields: [entry["field"]: current])
                _ = try Self.applyServerRow(db, row, identity: identity, origin: result.outcome == .conflict ? "overruled" : "push",
                                            wallMillis: wallClock())
            }
        }
    }

    /// Applies one pulled batch and moves the cursor, in one transaction, so a cut pull resumes
    /// where it stopped. A field with a pending local edit is not overwritten.
    public func applyPulled(_ rows: [PulledRow], cursor: Int64) throws -> PullApplied {
        try writer.write { db in
            let identity = try Self.identity(db)
            var applied = PullApplied()
            for row in rows {
                let result = try Self.applyServerRow(db, row, identity: identity, origin: "sync", wallMillis: wallClock())
                applied.fields += result.fields
                applied.skipped += result.skipped
            }
            try db.cachedStatement(sql: "UPDATE replica SET cursor = max(cursor, ?)").execute(arguments: [cursor])
            return applied
        }
    }

    /// Moves never-sent outbox entries numbered at or below the server's high-water mark for
    /// this replica (a replica restored from a copy reuses numbers the server has seen) above
    /// everything, so the server does not take them for duplicates. Returns how many moved.
    @discardableResult
    public func renumberOutbox(aboveServerHighWater highWater: Int64) throws -> Int {
        let stale = try reading { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE sent = 0 AND local_seq <= ?)"), arguments: [highWater])
        }
        guard stale == true else { return 0 }
        return try writer.write { db in
            let stale = try Int64.fetchAll(db, sql: "SELECT local_seq FROM outbox WHERE sent = 0 AND local_seq <= ? ORDER BY local_seq",
                                           arguments: [highWater])
            guard !stale.isEmpty else { return 0 }
            let top = max(highWater, try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(local_seq) FROM outbox")) ?? 0)
            for (index, old) in stale.enumerated() {
                try db.cachedStatement(sql: "UPDATE outbox SET local_seq = ? WHERE local_seq = ?").execute(arguments: [top + Int64(index) + 1, old])
            }
            try db.cachedStatement(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'").execute(arguments: [top + Int64(stale.count)])
            return stale.count
        }
    }

    /// Where the next pull starts: the highest server sequence applied here.
    public func cursor() throws -> Int64 {
        try reading { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT cursor FROM replica")) ?? 0 }
    }

    /// Records the server's identity as soon as a first sync has been answered, so that a sync
    /// cut before its end still binds the replica to that server.
    public func recordServerIdentity(_ serverIdentity: String) throws {
        try writer.write { db in
            try db.cachedStatement(sql: "UPDATE replica SET server_identity = ? WHERE server_identity IS NULL").execute(arguments: [serverIdentity])
        }
    }

    /// Records a finished sync: the server's identity (checked next time) and when.
    public func finishSync(serverIdentity: String) throws {
        try writer.write { db in
            try db.cachedStatement(sql: "UPDATE replica SET server_identity = ?, last_sync_at = ?")
                .execute(arguments: [serverIdentity, isoTimestamp(millis: wallClock())])
        }
    }

    /// Prepares to sync with a replaced or restored server from the start: forgets the old
    /// server's identity, cursor and sequences, drops its conflict records, and queues every
    /// field this replica holds as a change with no base, so the new server receives all of it
    /// (what it already has merges as equal; what differs becomes a conflict, never a loss).
    public func prepareReclone() throws {
        try writer.write { db in
            try db.cachedStatement(sql: "UPDATE replica SET server_identity = NULL, cursor = 0").execute()
            try db.cachedStatement(sql: "DELETE FROM outbox WHERE entity = 'conflicts'").execute()
            try db.cachedStatement(sql: "DELETE FROM field_versions WHERE entity = 'conflicts'").execute()
            try db.cachedStatement(sql: "DELETE FROM conflicts").execute()
            try db.cachedStatement(sql: "UPDATE outbox SET base_seq = 0, alive_base_seq = 0").execute()
            let clock = try Int64.fetchOne(db.cachedStatement(sql: "SELECT clock FROM replica")) ?? 0
            for schema in EntitySchema.all {
                for field in schema.syncedFieldNames {
                    try db.execute(sql: """
                        INSERT INTO outbox (entity, row_id, field, value, base_seq, alive_base_seq, hlc)
                        SELECT ?, t.id, ?, t.\(field), 0, 0, coalesce(v.hlc, ?)
                        FROM \(schema.name) t
                        LEFT JOIN field_versions v ON v.entity = ? AND v.row_id = t.id AND v.field = ?
                        WHERE t.\(field) IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = ? AND o.row_id = t.id AND o.field = ? AND o.sent = 0)
                        """, arguments: [schema.name, field, clock, schema.name, field, schema.name, field])
                }
            }
            try db.cachedStatement(sql: "UPDATE field_versions SET server_seq = NULL").execute()
        }
    }

    /// Writes the server's version of some fields of one row, skipping fields with a pending
    /// local edit; keeps the clock ahead of every time seen.
    static func applyServerRow(
        _ db: Database, _ row: PulledRow, identity: Identity, origin: String, wallMillis: Int64
    ) throws -> PullApplied {
        var applied = PullApplied()
        let isConflict = row.entity == "conflicts"
        guard isConflict || EntitySchema.named(row.entity) != nil else { return applied }
        let columns = isConflict ? conflictColumns : Set(EntitySchema.named(row.entity)!.syncedFieldNames)
        // The row is read once and written once, whatever the number of fields: a clone applies
        // every field of every row, and a statement per field (each one-column UPDATE also
        // re-indexing the row's full-text entry) cost most of its time. Statements are cached.
        let select = try db.cachedStatement(sql: "SELECT * FROM \(row.entity) WHERE id = ?")
        var stored = try Row.fetchOne(select, arguments: [row.id])
        if stored == nil {
            // A new row starts from the columns' defaults, which the pulled fields are compared with.
            try db.cachedStatement(sql: "INSERT INTO \(row.entity) (id) VALUES (?)").execute(arguments: [row.id])
            stored = try Row.fetchOne(select, arguments: [row.id])
        }
        var changed: [(field: String, old: FieldValue, pulled: PulledField)] = []
        var newest = HLCTimestamp.zero
        for (field, pulled) in row.fields.sorted(by: { $0.key < $1.key }) where columns.contains(field) {
            let pending = try Bool.fetchOne(db.cachedStatement(sql: pendingEntrySQL), arguments: [row.entity, row.id, field]) == true
            if pending {
                applied.skipped += 1
                continue
            }
            let old: FieldValue = stored?[field] ?? .null
            if old != pulled.value { changed.append((field, old, pulled)) }
            try db.cachedStatement(sql: """
                INSERT INTO field_versions (entity, row_id, field, server_seq, hlc, replica_id, analyst) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (entity, row_id, field) DO UPDATE SET server_seq = excluded.server_seq, hlc = excluded.hlc,
                    replica_id = excluded.replica_id, analyst = excluded.analyst
                """).execute(arguments: [row.entity, row.id, field, pulled.seq, pulled.hlc, pulled.replicaID, pulled.analyst])
            newest = max(newest, pulled.hlc)
            applied.fields += 1
        }
        if !changed.isEmpty {
            let assignments = changed.map { "\($0.field) = ?" }.joined(separator: ", ")
            try db.cachedStatement(sql: "UPDATE \(row.entity) SET \(assignments) WHERE id = ?")
                .execute(arguments: StatementArguments(changed.map(\.pulled.value) + [FieldValue.text(row.id.text)]))
            if !isConflict {
                for change in changed {
                    try db.cachedStatement(sql: """
                        INSERT INTO history (entity, row_id, field, old_value, new_value, hlc, replica_id, analyst, origin)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [row.entity, row.id, change.field, change.old, change.pulled.value, change.pulled.hlc,
                                                 change.pulled.replicaID, change.pulled.analyst, origin])
                }
            }
        }
        if newest > .zero {
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT clock FROM replica")) ?? 0
            var clock = HybridLogicalClock(last: HLCTimestamp(rawValue: last))
            try db.cachedStatement(sql: "UPDATE replica SET clock = ?").execute(arguments: [clock.receive(newest, wallMillis: wallMillis)])
        }
        return applied
    }

    /// Whether a field has an outbox entry, sent or not. The outbox has one partial index for
    /// each kind of entry and SQLite uses a partial index only when the query names its `sent`:
    /// without both terms every pulled or acknowledged field would scan the whole outbox, and a
    /// large import's push would take hours (quadratic in the outbox).
    static let pendingEntrySQL = """
        SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND row_id = ?2 AND field = ?3 AND sent = 0)
            OR EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND row_id = ?2 AND field = ?3 AND sent = 1)
        """

    public static let conflictColumns: Set<String> = [
        "entity", "row_id", "field", "standing_value", "standing_hlc", "standing_replica_id", "standing_analyst",
        "other_value", "other_hlc", "other_replica_id", "other_analyst", "status", "resolved_by", "resolved_hlc",
    ]
}
