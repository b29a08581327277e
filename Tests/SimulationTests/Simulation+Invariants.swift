import Domain
import GRDB
import Storage

extension Simulation {
    /// After the quiet round: every store is sound, every replica holds exactly what the server
    /// holds, no analyst's edit is lost, and nothing was applied twice.
    func checkInvariants() throws {
        try checkIntegrity()
        try checkConvergence()
        try checkNoLostEdit()
        try checkIdempotence()
    }

    func checkIntegrity() throws {
        let serverCheck = try server.writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        guard serverCheck == ["ok"] else { throw failure("server store integrity_check: \(serverCheck)") }
        for replica in replicas {
            let check = try replica.store.reading { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            guard check == ["ok"] else { throw failure("replica r\(replica.index) integrity_check: \(check)") }
            do {
                try replica.store.writer.write { db in
                    try db.execute(sql: "INSERT INTO commitments_fts(commitments_fts) VALUES ('integrity-check')")
                }
            } catch {
                throw failure("replica r\(replica.index) full-text index integrity-check: \(error)")
            }
        }
    }

    /// Equal digests and exports everywhere, each equal to the server's fields, with nothing
    /// left to push and every cursor at the server's last sequence.
    func checkConvergence() throws {
        let lastSeq = try server.lastSeq()
        let serverFields = try self.serverFields()
        var first: (digest: String, export: String)?
        for replica in replicas {
            let status = try replica.store.status()
            guard status.pendingChanges == 0 else { throw failure("r\(replica.index) still has \(status.pendingChanges) changes to push") }
            guard status.identity.cursor == lastSeq else {
                throw failure("r\(replica.index) cursor \(status.identity.cursor), server last seq \(lastSeq)")
            }
            let export = try self.export(replica)
            if let first {
                guard status.digest == first.digest, export == first.export else {
                    throw failure("r\(replica.index) diverged from r0: digest \(status.digest.prefix(12)) vs \(first.digest.prefix(12))")
                }
            } else {
                first = (status.digest, export)
            }
            let held = try replicaFields(replica, server: serverFields)
            guard held == serverFields else {
                let missing = serverFields.filter { held[$0.key] != $0.value }.prefix(3)
                let extra = held.filter { serverFields[$0.key] == nil }.prefix(3)
                throw failure("r\(replica.index) differs from the server: server has \(Array(missing)), replica alone has \(Array(extra))")
            }
            // Versions too: a field whose version a pull left out (protocol 3 leaves out what
            // the connection's acknowledgements carried) must still hold the server's, or the
            // replica's next edit of it would be judged against a stale base.
            let versions = try replicaVersions(replica)
            let serverVersions = try self.serverVersions()
            guard versions == serverVersions else {
                let stale = serverVersions.filter { versions[$0.key] != $0.value }.prefix(3)
                    .map { "\($0.key): server \($0.value), replica \(versions[$0.key].map { "\($0)" } ?? "none")" }
                let extra = versions.filter { serverVersions[$0.key] == nil }.prefix(3)
                throw failure("r\(replica.index) holds other versions than the server: \(stale), replica alone has \(Array(extra))")
            }
        }
    }

    /// A field's version: the sequence that wrote it, its time, its replica.
    struct Version: Hashable, CustomStringConvertible {
        var seq: Int64
        var hlc: Int64
        var replicaID: String
        var description: String { "seq \(seq) hlc \(hlc) by \(replicaID)" }
    }

    func serverVersions() throws -> [FieldKey: Version] {
        try server.writer.read { db in
            var versions: [FieldKey: Version] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT entity, row_id, field, seq, hlc, replica_id FROM fields")
            while let row = try rows.next() {
                versions[FieldKey(entity: row[0], row: row[1], field: row[2])] = Version(seq: row[3], hlc: row[4], replicaID: row[5])
            }
            return versions
        }
    }

    func replicaVersions(_ replica: SimulatedReplica) throws -> [FieldKey: Version] {
        try replica.store.reading { db in
            var versions: [FieldKey: Version] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT entity, row_id, field, server_seq, hlc, replica_id FROM field_versions")
            while let row = try rows.next() {
                versions[FieldKey(entity: row[0], row: row[1], field: row[2])] = Version(seq: row[3] ?? 0, hlc: row[4], replicaID: row[5])
            }
            return versions
        }
    }

    /// Every value an analyst committed stands, or is kept in a conflict record, or was
    /// replaced by an edit made with knowledge of it.
    func checkNoLostEdit() throws {
        let fields = try serverFields()
        var kept = Set<FieldWrite>()
        let conflictIDs = Set(fields.keys.filter { $0.entity == ServerStore.conflictsEntity }.map(\.row))
        for id in conflictIDs {
            func value(_ field: String) -> FieldValue? { fields[FieldKey(entity: "conflicts", row: id, field: field)] }
            guard case .text(let entity)? = value("entity"), case .text(let row)? = value("row_id"),
                  case .text(let field)? = value("field") else { continue }
            let key = FieldKey(entity: entity, row: row, field: field)
            for side in ["standing_value", "other_value"] {
                kept.insert(FieldWrite(key: key, value: value(side) ?? .null))
            }
        }
        let lost = ledger.lost(standing: { fields[$0] }, keptInConflicts: kept)
        if let first = lost.first {
            throw failure("\(lost.count) lost edits; first: r\(first.replica) at step \(first.step) wrote \(first.write.key) = "
                          + "\(first.write.value); the server has \(fields[first.write.key].map { "\($0)" } ?? "nothing")")
        }
    }

    /// No change applied twice (a duplicate push is answered, not applied); the server's
    /// sequences run 1...last_seq without a gap or a repeat.
    func checkIdempotence() throws {
        try server.writer.read { db in
            let twice = try Row.fetchAll(db, sql: """
                SELECT replica_id, entity, row_id, field, hlc, count(*) AS times FROM audit
                WHERE outcome IN ('accepted', 'equal', 'conflict-stands', 'conflict-kept')
                  AND NOT (field = 'deleted' AND new_value = 0)
                GROUP BY replica_id, entity, row_id, field, hlc HAVING count(*) > 1
                """)
            if let row = twice.first {
                throw failure("a change was applied \(row["times"] as Int) times: \(row["entity"] as String) \(row["field"] as String)")
            }
            let seqs = try Row.fetchOne(db, sql: "SELECT count(seq) AS n, count(DISTINCT seq) AS distinct_n, coalesce(max(seq), 0) AS top FROM audit")!
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT last_seq FROM server") ?? 0
            guard seqs["n"] as Int64 == lastSeq, seqs["distinct_n"] as Int64 == lastSeq, seqs["top"] as Int64 == lastSeq else {
                throw failure("server sequences are not 1...\(lastSeq): \(seqs)")
            }
        }
    }

    // MARK: Reading the stores

    func serverFields() throws -> [FieldKey: FieldValue] {
        try server.writer.read { db in
            var fields: [FieldKey: FieldValue] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT entity, row_id, field, value FROM fields")
            while let row = try rows.next() {
                fields[FieldKey(entity: row["entity"], row: row["row_id"], field: row["field"])] = row["value"] ?? .null
            }
            return fields
        }
    }

    /// The replica's synced fields, as the server stores them: null values of rows the server
    /// never had a field for are left out.
    func replicaFields(_ replica: SimulatedReplica, server serverFields: [FieldKey: FieldValue]) throws -> [FieldKey: FieldValue] {
        try replica.store.reading { db in
            var fields: [FieldKey: FieldValue] = [:]
            let tables = EntitySchema.all.map { ($0.name, $0.syncedFieldNames) }
                + [("conflicts", ReplicaStore.conflictColumns.sorted())]
            for (table, columns) in tables {
                let rows = try Row.fetchCursor(db, sql: "SELECT id, \(columns.joined(separator: ", ")) FROM \(table)")
                while let row = try rows.next() {
                    let id: String = row["id"]
                    for column in columns {
                        let key = FieldKey(entity: table, row: id, field: column)
                        let value: FieldValue = row[column] ?? .null
                        if value != .null || serverFields[key] != nil { fields[key] = value }
                    }
                }
            }
            return fields
        }
    }

    /// What `accord export` writes for each entity.
    func export(_ replica: SimulatedReplica) throws -> String {
        var lines: [String] = []
        for schema in EntitySchema.all {
            try replica.store.forEachLiveRecord(schema) { lines.append(Interchange.jsonLine($0, schema: schema)) }
        }
        return lines.joined(separator: "\n")
    }
}
