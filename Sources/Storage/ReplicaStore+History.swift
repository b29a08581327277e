import Domain
import GRDB

extension ReplicaStore {
    /// The version of every field of a row that has one, by field name.
    public func versions(_ schema: EntitySchema, id: RecordID) throws -> [String: FieldVersion] {
        try reading { db in
            let pending = try Set(String.fetchAll(
                db, sql: "SELECT DISTINCT field FROM outbox WHERE entity = ? AND row_id = ?",
                arguments: [schema.name, id]
            ))
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM field_versions WHERE entity = ? AND row_id = ?",
                arguments: [schema.name, id]
            )
            var versions: [String: FieldVersion] = [:]
            for row in rows {
                let field: String = row["field"]
                versions[field] = FieldVersion(
                    serverSeq: row["server_seq"], hlc: row["hlc"], replicaID: row["replica_id"],
                    analyst: row["analyst"], pending: pending.contains(field)
                )
            }
            return versions
        }
    }

    /// Every recorded change of a row, oldest first.
    public func history(_ schema: EntitySchema, id: RecordID) throws -> [HistoryEntry] {
        try reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM history WHERE entity = ? AND row_id = ? ORDER BY seq",
                arguments: [schema.name, id]
            ).map { row in
                HistoryEntry(
                    field: row["field"], oldValue: row["old_value"] ?? .null, newValue: row["new_value"] ?? .null,
                    hlc: row["hlc"], replicaID: row["replica_id"], analyst: row["analyst"], origin: row["origin"]
                )
            }
        }
    }
}
