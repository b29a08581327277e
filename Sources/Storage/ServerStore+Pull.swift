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
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM fields WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?"),
                arguments: [cursor, end, max(1, limit)]
            )
            var order: [String] = []
            var byRow: [String: PulledRow] = [:]
            var last = cursor
            for row in rows {
                let entity: String = row["entity"]
                let id: RecordID = row["row_id"]
                let key = entity + "/" + id.text
                if byRow[key] == nil {
                    order.append(key)
                    byRow[key] = PulledRow(entity: entity, id: id, fields: [:])
                }
                let seq: Int64 = row["seq"]
                byRow[key]!.fields[row["field"]] = PulledField(
                    value: row["value"] ?? .null, seq: seq, hlc: row["hlc"],
                    replicaID: row["replica_id"], analyst: row["analyst"]
                )
                last = max(last, seq)
            }
            return PullBatch(rows: order.map { byRow[$0]! }, cursor: last)
        }
    }
}
