import Domain
import GRDB

extension ServerStore {
    /// Loads rows straight into the server store, all or nothing, as the operator: a new row
    /// gets its fields (and `deleted = 0`) at new sequences; an existing row gets the fields the
    /// file gave that differ. Replicas receive them at their next pull.
    @discardableResult
    public func importRows(_ schema: EntitySchema, _ rows: [Interchange.ImportedRow], skipExisting: Bool = false) throws -> ImportSummary {
        try writer.write { db in try Self.importRows(db, schema, rows, skipExisting: skipExisting, wallMillis: wallClock(), newID: newID) }
    }

    /// The dataset of the seed article; rows already here are skipped.
    @discardableResult
    public func importSample() throws -> ImportSummary {
        let meetings = try SampleData.rows(.meetings)
        let commitments = try SampleData.rows(.commitments)
        return try writer.write { db in
            try Self.importRows(db, .meetings, meetings, skipExisting: true, wallMillis: wallClock(), newID: newID)
                + Self.importRows(db, .commitments, commitments, skipExisting: true, wallMillis: wallClock(), newID: newID)
        }
    }

    static func importRows(_ db: Database, _ schema: EntitySchema, _ rows: [Interchange.ImportedRow],
                           skipExisting: Bool, wallMillis: Int64, newID: () -> RecordID) throws -> ImportSummary {
        let identity = try String.fetchOne(db, sql: "SELECT identity FROM server") ?? "server"
        let importer = Pusher(replicaID: identity, analyst: "import")
        var clock = HybridLogicalClock()
        var summary = ImportSummary()
        var writes = try Writes(db, wallMillis: wallMillis)
        for row in rows {
            let id = row.id ?? newID()
            let hlc = clock.tick(wallMillis: wallMillis)
            let exists = try writes.stored(schema.name, id, EntitySchema.deletedField) != nil
            if exists && skipExisting {
                summary.skipped += 1
                continue
            }
            if !exists {
                do {
                    try schema.validate(row.values)
                } catch {
                    throw StoreError(.invalid, "line \(row.line): \(error.description)")
                }
            }
            let fields = exists ? Array(row.present) : schema.fieldNames.filter { row.values[$0] != nil }
            var changed = false
            for field in fields.sorted() {
                let value = row.values[field] ?? .null
                let current = try writes.stored(schema.name, id, field)
                guard current?.stamp.value != value else { continue }
                writes.write(FieldChange(entity: schema.name, id: id, field: field, value: value, hlc: hlc),
                             by: importer, old: current?.stamp.value, outcome: "imported")
                changed = true
            }
            if !exists {
                writes.write(FieldChange(entity: schema.name, id: id, field: EntitySchema.deletedField, value: .integer(0), hlc: hlc),
                             by: importer, old: nil, outcome: "imported")
                summary.inserted += 1
            } else if changed {
                summary.updated += 1
            } else {
                summary.unchanged += 1
            }
        }
        try writes.finish()
        return summary
    }
}
