import Domain
import GRDB

/// A conflict as `accord conflicts` shows it.
public struct ConflictRecord: Sendable, Hashable {
    public var id: RecordID
    public var entity: String
    public var rowID: String
    public var field: String
    public var standingValue: FieldValue
    public var standingHLC: HLCTimestamp
    public var standingAnalyst: String
    public var otherValue: FieldValue
    public var otherHLC: HLCTimestamp
    public var otherAnalyst: String
}

extension ReplicaStore {
    /// The open conflicts whose records have fully arrived, oldest first.
    public func openConflicts() throws -> [ConflictRecord] {
        try reading { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM conflicts WHERE status = 'open' AND entity IS NOT NULL AND field IS NOT NULL
                ORDER BY standing_hlc, id
                """).map { row in
                ConflictRecord(
                    id: row["id"], entity: row["entity"], rowID: row["row_id"], field: row["field"],
                    standingValue: row["standing_value"] ?? .null, standingHLC: HLCTimestamp(rawValue: row["standing_hlc"] ?? 0),
                    standingAnalyst: row["standing_analyst"] ?? "?",
                    otherValue: row["other_value"] ?? .null, otherHLC: HLCTimestamp(rawValue: row["other_hlc"] ?? 0),
                    otherAnalyst: row["other_analyst"] ?? "?"
                )
            }
        }
    }
}

extension ReplicaStore {
    /// The id of the one conflict whose id starts with `prefix`.
    public func resolveConflictID(prefix: String) throws -> RecordID {
        try resolveID(in: "conflicts", singular: "conflict", prefix: prefix)
    }

    /// How to settle a conflict.
    public enum Resolution: Sendable, Hashable {
        case keepStanding
        case keepOther
        /// A new value, as text the field's type parses.
        case value(String)
    }

    /// Settles an open conflict in one transaction: the chosen value becomes an ordinary edit
    /// of the field (when it differs from the field's value here), and the conflict record's
    /// status becomes `resolved`; both sync like any change. Returns the value that now stands.
    @discardableResult
    public func resolveConflict(_ id: RecordID, _ resolution: Resolution) throws -> FieldValue {
        try writeChanges { db, context in
            guard let record = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conflicts WHERE id = ?"), arguments: [id]),
                  let entity: String = record["entity"], let rowText: String = record["row_id"], let field: String = record["field"],
                  let rowID = RecordID(rowText), let schema = EntitySchema.named(entity) else {
                throw StoreError(.notFound, "no complete conflict with id \(id) (sync again to receive it whole)")
            }
            guard (record["status"] as String?) == "open" else {
                throw StoreError(.invalid, "conflict \(id) is already resolved")
            }
            let chosen: FieldValue
            switch resolution {
            case .keepStanding: chosen = record["standing_value"] ?? .null
            case .keepOther: chosen = record["other_value"] ?? .null
            case .value(let text):
                if field == EntitySchema.deletedField {
                    guard text == "0" || text == "1" else { throw StoreError(.invalid, "deleted: the value must be 0 (keep the row) or 1 (delete it)") }
                    chosen = .integer(Int64(text)!)
                } else {
                    guard let spec = schema.field(named: field) else { throw StoreError(.invalid, "\(field) is not a field of \(entity)") }
                    do {
                        chosen = try spec.type.parse(text)
                    } catch {
                        throw StoreError(.invalid, "\(field): \((error as? ValidationError)?.message ?? "\(error)")")
                    }
                }
            }
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM \(entity) WHERE id = ?"), arguments: [rowID]) == true else {
                throw StoreError(.notFound, "the \(schema.singular) \(rowID) of this conflict is not here yet; sync first")
            }
            // The conflict settles the value it recorded. If the field has moved on since (a
            // later edit here or from sync), resolving blind would overwrite that edit.
            try NewRowEntry.materialize(db, entity: entity, id: rowID)
            let version = try Row.fetchOne(db, sql: "SELECT hlc, replica_id FROM field_versions WHERE entity = ? AND row_id = ? AND field = ?",
                                           arguments: [entity, rowID, field])
            let pending = try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE entity = ? AND row_id = ? AND field = ? LIMIT 1",
                                            arguments: [entity, rowID, field]) == true
            let standingHLC: Int64? = record["standing_hlc"], standingReplica: String? = record["standing_replica_id"]
            guard !pending, (version?["hlc"] as Int64?) == standingHLC, (version?["replica_id"] as String?) == standingReplica else {
                throw StoreError(.invalid, "\(field) of \(schema.singular) \(rowID) has changed since this conflict; look at it (accord show) and sync, then resolve with --value if still needed")
            }
            let current = try FieldValue.fetchOne(db.cachedStatement(sql: "SELECT \(field) FROM \(entity) WHERE id = ?"), arguments: [rowID]) ?? .null
            if field != EntitySchema.deletedField {
                var values = try Self.record(db, schema, id: rowID)?.values ?? [:]
                values[field] = chosen
                try Self.validate(schema, values, changed: [field])
            }
            if current != chosen {
                try db.cachedStatement(sql: "UPDATE \(entity) SET \(field) = ? WHERE id = ?").execute(arguments: [chosen, rowID])
            }
            // Pushed even when it keeps the value here, based on the standing version: two
            // analysts resolving the same conflict differently meet as a new conflict.
            try Self.recordLocalChange(db, entity: entity, id: rowID, field: field, old: current, new: chosen, context: context)
            try db.cachedStatement(sql: "UPDATE conflicts SET status = 'resolved' WHERE id = ?").execute(arguments: [id])
            try Self.recordLocalChange(db, entity: "conflicts", id: id, field: "status", old: .text("open"), new: .text("resolved"), context: context)
            return (chosen, true)
        }
    }
}
