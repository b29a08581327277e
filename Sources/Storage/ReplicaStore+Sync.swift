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

    /// The next outbox entries in order, at most `limit` changes and about `maxBytes` of values
    /// (at least one), marked sent in the same transaction: from now on they are frozen (a later
    /// edit of the field gets an entry of its own), and a batch cut off before its
    /// acknowledgement is simply sent again. A new row's entry (`NewRowEntry`) goes whole or
    /// waits for the next batch; it leaves the outbox as the sent entries of its fields. `after`:
    /// the last entry of a batch still on its way (a push sent before the one before it was
    /// acknowledged); 0 starts from the first entry.
    public func beginPush(limit: Int, maxBytes: Int = .max, after: Int64 = 0) throws -> [PushedChange] {
        // Most syncs find the outbox empty: a read says so without a write transaction.
        guard try reading({ db in try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox)")) }) == true else {
            return []
        }
        return try writer.write { db in
            var changes: [PushedChange] = []
            var bytes = 0
            // New rows' entries read in this batch, and the entries of their fields to write.
            var newRows: [Int64] = [], fieldEntries: RowValues = []
            // Each change's JSON is its value plus well under 512 bytes of names and numbers.
            func size(_ value: FieldValue) -> Int { (value.text?.utf8.count ?? 20) + 512 }
            let cursor = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT local_seq, entity, row_id, field, value, hlc, base_seq, alive_base_seq FROM outbox
                WHERE local_seq > ? ORDER BY local_seq LIMIT ?
                """), arguments: [after, limit])
            func fits(_ count: Int, _ size: Int) -> Bool { changes.count + count <= limit && bytes + size <= maxBytes }
            while let row = try cursor.next() {
                let field: String = row[3]
                if field == NewRowEntry.field {
                    let fields = try NewRowEntry.changes(db, number: row[0], entity: row[1], id: row[2], hlc: row[5])
                    let rowBytes = fields.reduce(0) { $0 + size($1.change.value) }
                    if fits(fields.count, rowBytes) {
                        bytes += rowBytes
                        changes += fields
                        newRows.append(row[0])
                        for field in fields {
                            fieldEntries += [field.localSeq.databaseValue, field.change.entity.databaseValue, field.change.id.databaseValue,
                                             field.change.field.databaseValue, field.change.value.databaseValue,
                                             field.change.hlc.databaseValue, 0.databaseValue, 1.databaseValue]
                        }
                        continue
                    }
                    if !changes.isEmpty { break }
                    // Alone more than a batch holds: its fields get entries of their own, and
                    // this batch takes the first of them.
                    try NewRowEntry.materialize(db, entity: row[1], id: row[2])
                    for field in fields {
                        if !changes.isEmpty && !fits(1, size(field.change.value)) { break }
                        bytes += size(field.change.value)
                        changes.append(field)
                    }
                    break
                }
                let value: FieldValue = row[4] ?? .null
                if !changes.isEmpty && !fits(1, size(value)) { break }
                bytes += size(value)
                changes.append(PushedChange(
                    localSeq: row[0],
                    change: FieldChange(entity: row[1], id: row[2], field: field, value: value, hlc: row[5]),
                    baseSeq: row[6], aliveBaseSeq: row[7]
                ))
            }
            if !newRows.isEmpty {
                let delete = try db.cachedStatement(sql: "DELETE FROM outbox WHERE local_seq = ?")
                for number in newRows { try delete.execute(arguments: [number]) }
                try db.insertRows(into: "outbox", columns: ["local_seq", "entity", "row_id", "field", "value", "hlc", "base_seq", "sent"],
                                  values: fieldEntries)
            }
            guard let last = changes.last else { return [] }
            try db.cachedStatement(sql: "UPDATE outbox SET sent = 1 WHERE local_seq <= ? AND sent = 0").execute(arguments: [last.localSeq])
            return changes
        }
    }

    /// Applies a push's acknowledgement in one transaction: each acknowledged entry leaves the
    /// outbox, and the field takes the server's current version (and value, when ours did not
    /// stand) unless a newer local edit of it is waiting.
    public func applyAcknowledgements(_ results: [PushResult]) throws {
        try writer.write { db in
            // The acknowledged entries leave the outbox together, before their fields are written:
            // a field then counts as pending only for an entry outside this batch.
            let entries = try Self.removeAcknowledgedEntries(db, results.map(\.localSeq))
            // A field acknowledged twice in one batch (an entry resent beside a newer edit) takes
            // its last acknowledgement, as it would have one entry at a time.
            var last: [FieldKey: Int] = [:]
            for (index, result) in results.enumerated() {
                if let key = entries[result.localSeq] { last[key] = index }
            }
            // Consecutive acknowledgements of one row are written as one row.
            var fields = try PulledBatchWriter(db, wallMillis: wallClock())
            var group: (row: PulledRow, origin: String)?
            for (index, result) in results.enumerated() {
                guard let key = entries[result.localSeq], last[key] == index, let current = result.current else { continue }
                if result.outcome == .accepted {
                    try fields.applyAccepted(current, entity: key.entity, id: key.id, field: key.field)
                    continue
                }
                let origin = result.outcome == .conflict ? "overruled" : "push"
                if let open = group, open.row.entity == key.entity, open.row.id == key.id, open.origin == origin {
                    group?.row.fields[key.field] = current
                } else {
                    if let open = group { try fields.apply(open.row, origin: open.origin) }
                    group = (PulledRow(entity: key.entity, id: key.id, fields: [key.field: current]), origin)
                }
            }
            if let open = group { try fields.apply(open.row, origin: open.origin) }
            try fields.finish()
        }
    }

    /// Deletes the outbox entries numbered `localSeqs` and returns the field of each. A push
    /// batch is a run of the outbox in `local_seq` order, so its entries are read, and most
    /// often deleted, as one range of the primary key.
    private static func removeAcknowledgedEntries(_ db: Database, _ localSeqs: [Int64]) throws -> [Int64: FieldKey] {
        guard let low = localSeqs.min(), let high = localSeqs.max() else { return [:] }
        let acknowledged = Set(localSeqs)
        var entries: [Int64: FieldKey] = [:]
        var othersInRange = false
        let found = try Row.fetchCursor(db.cachedStatement(sql: "SELECT local_seq, entity, row_id, field FROM outbox WHERE local_seq BETWEEN ? AND ?"),
                                        arguments: [low, high])
        while let entry = try found.next() {
            let localSeq: Int64 = entry[0]
            if acknowledged.contains(localSeq) {
                entries[localSeq] = FieldKey(entity: entry[1], id: entry[2], field: entry[3])
            } else {
                othersInRange = true
            }
        }
        if othersInRange {
            let delete = try db.cachedStatement(sql: "DELETE FROM outbox WHERE local_seq = ?")
            for localSeq in entries.keys { try delete.execute(arguments: [localSeq]) }
        } else {
            try db.cachedStatement(sql: "DELETE FROM outbox WHERE local_seq BETWEEN ? AND ?").execute(arguments: [low, high])
        }
        return entries
    }

    /// One field of one row.
    private struct FieldKey: Hashable {
        var entity: String
        var id: RecordID
        var field: String
    }

    /// Applies one pulled batch and moves the cursor, in one transaction, so a cut pull resumes
    /// where it stopped. A field with a pending local edit is not overwritten.
    public func applyPulled(_ rows: [PulledRow], cursor: Int64) throws -> PullApplied {
        try writer.write { db in
            var fields = try PulledBatchWriter(db, wallMillis: wallClock())
            for row in rows { try fields.apply(row, origin: "sync") }
            try fields.finish()
            try db.cachedStatement(sql: "UPDATE replica SET cursor = max(cursor, ?)").execute(arguments: [cursor])
            return fields.applied
        }
    }

    /// Moves never-sent outbox entries numbered at or below the server's high-water mark for
    /// this replica (a replica restored from a copy reuses numbers the server has seen) above
    /// everything, so the server does not take them for duplicates; a new row's entry moves when
    /// the numbers it keeps below itself for its fields (`NewRowEntry.span`) reach the mark, and
    /// keeps them at its new place. Returns how many moved.
    @discardableResult
    public func renumberOutbox(aboveServerHighWater highWater: Int64) throws -> Int {
        // A new row's entry is stale when the lowest number it keeps for its fields is.
        let staleSQL = """
            FROM outbox WHERE local_seq <= ?1 + \(NewRowEntry.span - 1) AND sent = 0 AND (local_seq <= ?1 OR field = '\(NewRowEntry.field)')
            """
        let stale = try reading { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 \(staleSQL))"), arguments: [highWater])
        }
        guard stale == true else { return 0 }
        return try writer.write { db in
            let stale = try Row.fetchAll(db, sql: "SELECT local_seq, field \(staleSQL) ORDER BY local_seq", arguments: [highWater])
            guard !stale.isEmpty else { return 0 }
            var top = max(highWater, try NewRowEntry.highestNumber(db))
            for entry in stale {
                top += (entry[1] as String) == NewRowEntry.field ? NewRowEntry.span : 1
                try db.cachedStatement(sql: "UPDATE outbox SET local_seq = ? WHERE local_seq = ?").execute(arguments: [top, entry[0] as Int64])
            }
            try db.cachedStatement(sql: "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'").execute(arguments: [top])
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
                          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = ? AND o.row_id = t.id AND o.field IN (?, '*') AND o.sent = 0)
                        """, arguments: [schema.name, field, clock, schema.name, field, schema.name, field])
                }
            }
            try db.cachedStatement(sql: "UPDATE field_versions SET server_seq = NULL").execute()
        }
    }

    /// The fields of a row that have an outbox entry, sent or not. The outbox has one partial
    /// index for each kind of entry and SQLite uses a partial index only when the query names its
    /// `sent`: without both terms every pulled or acknowledged row would scan the whole outbox,
    /// and a large import's push would take hours (quadratic in the outbox).
    static let pendingEntrySQL = """
        SELECT field FROM outbox WHERE entity = ?1 AND row_id = ?2 AND sent = 0
        UNION ALL SELECT field FROM outbox WHERE entity = ?1 AND row_id = ?2 AND sent = 1
        """

    public static let conflictColumns = Set(ConflictSchema.fields + ConflictSchema.localFields)
}
