import Domain
import GRDB

extension ReplicaStore {
    /// The version of every field of a row that has one, by field name. A field written here
    /// whose push the server has not acknowledged yet may have no `field_versions` row (a row
    /// created here, `NewRowEntry`): its version is its outbox entry's time, by this replica.
    public func versions(_ schema: EntitySchema, id: RecordID) throws -> [String: FieldVersion] {
        try reading { db in
            var entries: [String: HLCTimestamp] = [:]
            for entry in try Row.fetchAll(db, sql: "SELECT local_seq, field, hlc FROM outbox WHERE entity = ? AND row_id = ? ORDER BY local_seq",
                                          arguments: [schema.name, id]) {
                guard entry[1] == NewRowEntry.field else {
                    entries[entry[1]] = HLCTimestamp(rawValue: entry[2])
                    continue
                }
                for pushed in try NewRowEntry.changes(db, number: entry[0], entity: schema.name, id: id, hlc: HLCTimestamp(rawValue: entry[2])) {
                    entries[pushed.change.field] = pushed.change.hlc
                }
            }
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM field_versions WHERE entity = ? AND row_id = ?",
                arguments: [schema.name, id]
            )
            var versions: [String: FieldVersion] = [:]
            for row in rows {
                let field: String = row["field"]
                versions[field] = FieldVersion(
                    serverSeq: row["server_seq"], hlc: row["hlc"], replicaID: row["replica_id"],
                    analyst: row["analyst"], pending: entries[field] != nil
                )
            }
            let unversioned = entries.filter { versions[$0.key] == nil }
            if !unversioned.isEmpty {
                let identity = try Self.identity(db)
                for (field, hlc) in unversioned {
                    versions[field] = FieldVersion(serverSeq: nil, hlc: hlc, replicaID: identity.replicaID, analyst: identity.analyst, pending: true)
                }
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
