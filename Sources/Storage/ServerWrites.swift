import Domain
import GRDB

extension ServerStore {
    /// The writes of one server transaction (a push batch, an import), gathered and then written
    /// together: a row's fields are read with one statement the first time the row is touched
    /// and kept; sequences are counted in memory; the fields and the audit rows go out at
    /// `finish()` in multi-row statements. A push batch used to take seven statements a change.
    ///
    /// Reads see the batch's own writes (they come from the kept fields), so the merge rule
    /// judges each change against what the changes before it in the batch left.
    struct Writes {
        private let db: Database
        /// The audit rows' time: one transaction, one time.
        private let at: String
        private var lastSeq: Int64
        private let firstSeq: Int64
        /// The rows touched so far: every field of each as this transaction leaves it, and which
        /// of them it wrote. Keyed by row, then by field, so a change hashes its row id once.
        private var rows: [RowKey: RowFields] = [:]
        /// The audit rows, column after column, in order.
        private var audits: RowValues = []

        struct RowFields {
            /// The store's fields were read (a row written before it was read is an import's new one).
            var read = false
            var fields: [String: StoredField] = [:]
            /// The fields written (their latest version is in `fields`).
            var written: Set<String> = []

            mutating func record(_ stored: StoredField, of field: String) {
                fields[field] = stored
                written.insert(field)
            }
        }

        init(_ db: Database, wallMillis: Int64) throws {
            self.db = db
            at = isoTimestamp(millis: wallMillis)
            lastSeq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_seq FROM server")) ?? 0
            firstSeq = lastSeq
        }

        /// The field as the store holds it now, this transaction's writes included.
        mutating func stored(_ entity: String, _ id: RecordID, _ field: String) throws -> StoredField? {
            let key = RowKey(entity: entity, id: id)
            if let row = rows[key], row.read { return row.fields[field] }
            var row = rows[key] ?? RowFields()
            row.read = true
            let statement = try db.cachedStatement(sql: """
                SELECT field, value, seq, hlc, replica_id, analyst FROM fields WHERE entity = ? AND row_id = ?
                """)
            let cursor = try Row.fetchCursor(statement, arguments: [entity, id.text])
            while let found = try cursor.next() {
                let name: String = found[0]
                // A field written before its row was read (an import's new row) is newer.
                guard row.fields[name] == nil else { continue }
                row.fields[name] = StoredField(
                    stamp: FieldStamp(value: found[1] ?? .null, seq: found[2], hlc: found[3], replicaID: found[4]),
                    analyst: found[5]
                )
            }
            rows[key] = row
            return row.fields[field]
        }

        /// Writes a field at the next sequence and audits it; returns the sequence.
        @discardableResult
        mutating func write(_ change: FieldChange, by pusher: Pusher, old: FieldValue?, outcome: String) -> Int64 {
            lastSeq += 1
            let stored = StoredField(
                stamp: FieldStamp(value: change.value, seq: lastSeq, hlc: change.hlc, replicaID: pusher.replicaID),
                analyst: pusher.analyst
            )
            rows[RowKey(entity: change.entity, id: change.id), default: RowFields()].record(stored, of: change.field)
            audit(seq: lastSeq, change, by: pusher, old: old, outcome: outcome)
            return lastSeq
        }

        /// An audit row for an outcome that wrote nothing (`seq` nil) or for `write`.
        mutating func audit(seq: Int64?, _ change: FieldChange, by pusher: Pusher, old: FieldValue?, outcome: String) {
            audits += [seq.databaseValue, change.entity.databaseValue, change.id.text.databaseValue, change.field.databaseValue,
                       (old ?? .null).databaseValue, change.value.databaseValue, change.hlc.databaseValue,
                       pusher.replicaID.databaseValue, pusher.analyst.databaseValue, outcome.databaseValue, at.databaseValue]
        }

        /// Writes what was gathered: the fields in primary-key order, the audit rows in the order
        /// they happened, and the last sequence.
        func finish() throws {
            var values: RowValues = []
            for (key, row) in rows.sorted(by: { ($0.key.entity, $0.key.id.text) < ($1.key.entity, $1.key.id.text) }) where !row.written.isEmpty {
                for field in row.written.sorted() {
                    let stored = row.fields[field]!
                    values += [key.entity.databaseValue, key.id.databaseValue, field.databaseValue,
                               stored.stamp.value.databaseValue, stored.stamp.seq.databaseValue, stored.stamp.hlc.databaseValue,
                               stored.stamp.replicaID.databaseValue, stored.analyst.databaseValue]
                }
            }
            try db.insertRows(
                into: "fields", columns: ["entity", "row_id", "field", "value", "seq", "hlc", "replica_id", "analyst"], values: values,
                suffix: """
                    ON CONFLICT (entity, row_id, field) DO UPDATE SET value = excluded.value, seq = excluded.seq,
                    hlc = excluded.hlc, replica_id = excluded.replica_id, analyst = excluded.analyst
                    """
            )
            try db.insertRows(
                into: "audit",
                columns: ["seq", "entity", "row_id", "field", "old_value", "new_value", "hlc", "replica_id", "analyst", "outcome", "at"],
                values: audits
            )
            if lastSeq != firstSeq {
                try db.cachedStatement(sql: "UPDATE server SET last_seq = ?").execute(arguments: [lastSeq])
            }
        }
    }
}
