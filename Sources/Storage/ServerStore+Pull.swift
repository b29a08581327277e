import Domain
import GRDB

extension ServerStore {
    /// One batch of a pull: rows with the fields written after the cursor, and the cursor to
    /// ask from next (the highest sequence in the batch; unchanged when the batch is empty).
    public struct PullBatch: Sendable, Hashable {
        public var rows: [PulledRow]
        public var cursor: Int64
    }

    /// The next at most `limit` fields written after `cursor` (and at or before `end`), in
    /// sequence order, grouped by row (a row's fields may span batches). A range scan of the
    /// `seq` index: a clone reads the store batch by batch, never whole.
    public func pull(after cursor: Int64, through end: Int64 = .max, limit: Int) throws -> PullBatch {
        try writer.read { db in
            // Columns by index: GRDB finds a column by name case-insensitively, lowercasing the
            // name at every access.
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: """
                    SELECT entity, row_id, field, value, seq, hlc, replica_id, analyst FROM fields
                    WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?
                    """),
                arguments: [cursor, end, max(1, limit)]
            )
            // A row's fields mostly come one after another (a push writes a row's fields
            // together), so the row before is checked before the index of all the batch's rows.
            var pulled: [PulledRow] = []
            var index: [RowKey: Int] = [:]
            var last = cursor
            while let row = try rows.next() {
                let entity: String = row[0]
                let id: RecordID = row[1]
                var at = pulled.count - 1
                if at < 0 || pulled[at].id != id || pulled[at].entity != entity {
                    let key = RowKey(entity: entity, id: id)
                    if let known = index[key] {
                        at = known
                    } else {
                        at = pulled.count
                        index[key] = at
                        pulled.append(PulledRow(entity: entity, id: id, fields: [:]))
                    }
                }
                let seq: Int64 = row[4]
                pulled[at].fields[row[2]] = PulledField(
                    value: row[3] ?? .null, seq: seq, hlc: row[5], replicaID: row[6], analyst: row[7]
                )
                last = max(last, seq)
            }
            return PullBatch(rows: pulled, cursor: last)
        }
    }
}
