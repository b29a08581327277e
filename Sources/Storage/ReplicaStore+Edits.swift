import Domain
import GRDB

/// Who is editing and when: the replica, its analyst, and one clock time for the whole command.
struct EditContext {
    var replicaID: String
    var analyst: String
    var hlc: HLCTimestamp

    /// Reads the replica's identity and advances its persisted clock, inside the caller's
    /// transaction, so a rolled-back command also rolls back the clock.
    static func begin(_ db: Database, wallMillis: Int64) throws -> EditContext {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT replica_id, analyst, clock FROM replica WHERE singleton = 1")) else {
            throw StoreError(.notAReplica, "the replica has no identity row")
        }
        var clock = HybridLogicalClock(last: HLCTimestamp(rawValue: row["clock"]))
        let hlc = clock.tick(wallMillis: wallMillis)
        try db.cachedStatement(sql: "UPDATE replica SET clock = ? WHERE singleton = 1").execute(arguments: [hlc])
        return EditContext(replicaID: row["replica_id"], analyst: row["analyst"], hlc: hlc)
    }
}

extension ReplicaStore {
    /// Runs one command's writes in one transaction, committed only when `body` says it changed
    /// something: a command that changes nothing leaves the file as it was, clock included.
    func writeChanges<T>(_ body: (Database, EditContext) throws -> (result: T, changed: Bool)) throws -> T {
        try writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction {
                let context = try EditContext.begin(db, wallMillis: wallClock())
                let outcome = try body(db, context)
                result = outcome.result
                return outcome.changed ? .commit : .rollback
            }
            return result!
        }
    }

    /// Adds a row and returns its id (a new UUIDv7 unless one is given).
    @discardableResult
    public func insert(_ schema: EntitySchema, id: RecordID? = nil, values: [String: FieldValue]) throws -> RecordID {
        let id = id ?? newID()
        try writeChanges { db, context in
            try Self.insert(db, schema, id: id, values: values, context: context)
            return ((), true)
        }
        return id
    }

    /// Changes some fields of a live row; returns the names of the fields whose value changed.
    @discardableResult
    public func update(_ schema: EntitySchema, id: RecordID, changes: [String: FieldValue]) throws -> [String] {
        try writeChanges { db, context in
            let changed = try Self.update(db, schema, id: id, changes: changes, context: context)
            return (changed, !changed.isEmpty)
        }
    }

    /// Marks a live row deleted: a tombstone that syncs like any other field change.
    public func delete(_ schema: EntitySchema, id: RecordID) throws {
        try writeChanges { db, context in
            guard let current = try Self.record(db, schema, id: id) else {
                throw StoreError(.notFound, "no \(schema.singular) with id \(id)")
            }
            if current.deleted { throw StoreError(.deleted, "\(schema.singular) \(id) is already deleted") }
            try db.cachedStatement(sql: "UPDATE \(schema.name) SET deleted = 1 WHERE id = ?").execute(arguments: [id])
            try Self.recordLocalChange(db, schema, id: id, field: EntitySchema.deletedField,
                                       old: .integer(0), new: .integer(1), context: context)
            return ((), true)
        }
    }

    // MARK: Inside a transaction

    static func insert(_ db: Database, _ schema: EntitySchema, id: RecordID, values: [String: FieldValue], context: EditContext) throws {
        try validate(schema, values, changed: nil)
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM \(schema.name) WHERE id = ?"), arguments: [id]) == true {
            throw StoreError(.alreadyExists, "a \(schema.singular) with id \(id) already exists")
        }
        try insertValidated(db, schema, [(id, values)], context: context)
    }

    /// Writes new rows whose values are validated and whose ids are not here yet: each row, one
    /// outbox entry for it (`NewRowEntry`: its set fields are pushed as the row holds them then,
    /// every base 0; the versions come with the server's acknowledgement), and one history entry
    /// that records the creation with the first values as a JSON object (field `*`; later edits
    /// record old → new per field). Many rows to a statement (`Database.insertRows`).
    static func insertValidated(
        _ db: Database, _ schema: EntitySchema, _ rows: [(id: RecordID, values: [String: FieldValue])], context: EditContext
    ) throws {
        let entity = schema.name.databaseValue, hlc = context.hlc.databaseValue
        let replica = context.replicaID.databaseValue, analyst = context.analyst.databaseValue
        let newRow = NewRowEntry.field.databaseValue, noBase = 0.databaseValue
        var number = try NewRowEntry.highestNumber(db)
        var table: RowValues = [], outbox: RowValues = [], history: RowValues = []
        table.reserveCapacity(rows.count * (schema.fieldNames.count + 1))
        for (id, values) in rows {
            let row = id.databaseValue
            table.append(row)
            for name in schema.fieldNames { table.append((values[name] ?? .null).databaseValue) }
            number += NewRowEntry.span
            outbox += [number.databaseValue, entity, row, newRow, noBase, hlc]
            let created = Interchange.jsonLine(EntityRow(entity: schema.name, id: id, values: values), schema: schema)
            history += [entity, row, "*".databaseValue, .null, created.databaseValue, hlc, replica, analyst, "created".databaseValue]
        }
        try db.insertRows(into: schema.name, columns: ["id"] + schema.fieldNames, values: table)
        try db.insertRows(into: "outbox", columns: ["local_seq", "entity", "row_id", "field", "base_seq", "hlc"], values: outbox)
        try db.insertRows(into: "history", columns: ["entity", "row_id", "field", "old_value", "new_value", "hlc", "replica_id", "analyst", "origin"],
                          values: history)
    }

    static func update(_ db: Database, _ schema: EntitySchema, id: RecordID, changes: [String: FieldValue], context: EditContext) throws -> [String] {
        guard let current = try record(db, schema, id: id) else {
            throw StoreError(.notFound, "no \(schema.singular) with id \(id)")
        }
        if current.deleted { throw StoreError(.deleted, "\(schema.singular) \(id) is deleted") }
        guard let edit = try recordEdit(db, schema, current, changes: changes, context: context) else { return [] }
        try db.updateRows(in: schema.name, columns: edit.changed, values: [id.databaseValue] + edit.changed.map { edit.row[$0].databaseValue })
        return edit.changed
    }

    /// Checks an edit of `stored`, a live row as it stands, and writes the bookkeeping of each
    /// field it changes, but not the row: `update` writes it at once, an import many rows to a
    /// statement. Nil when the edit changes nothing.
    static func recordEdit(
        _ db: Database, _ schema: EntitySchema, _ stored: EntityRow, changes: [String: FieldValue], context: EditContext
    ) throws -> (changed: [String], row: EntityRow)? {
        var current = stored
        for (name, value) in changes { current[name] = value }
        let changed = schema.fieldNames.filter { stored[$0] != current[$0] }
        guard !changed.isEmpty else { return nil }
        try validate(schema, current.values, changed: Set(changed))
        for name in changed {
            try recordLocalChange(db, schema, id: current.id, field: name, old: stored[name], new: current[name], context: context)
        }
        return (changed, current)
    }

    /// Checks a row with the Domain's rules: all of it for a new row, only what `changed`
    /// touches for an edit. A meeting id is not required to exist here: sync may bring the
    /// meeting later, and the CLI resolves `--meeting` against the meetings it has.
    static func validate(_ schema: EntitySchema, _ values: [String: FieldValue], changed: Set<String>?) throws {
        do {
            try schema.validate(values, changed: changed)
        } catch {
            throw StoreError(.invalid, error.description)
        }
    }

    /// Writes the bookkeeping of one changed field: its version, the outbox entry (collapsing
    /// into an unsent entry for the same field: latest value, first base; none when the row's
    /// own unsent `NewRowEntry` will send it) and the history.
    static func recordLocalChange(
        _ db: Database, _ schema: EntitySchema, id: RecordID, field: String,
        old: FieldValue, new: FieldValue, context: EditContext
    ) throws {
        try recordLocalChange(db, entity: schema.name, id: id, field: field, old: old, new: new, context: context)
    }

    /// The same for any replicated entity, conflict records included.
    static func recordLocalChange(
        _ db: Database, entity: String, id: RecordID, field: String,
        old: FieldValue, new: FieldValue, context: EditContext
    ) throws {
        let versionQuery = try db.cachedStatement(sql: "SELECT server_seq FROM field_versions WHERE entity = ? AND row_id = ? AND field = ?")
        let base = try Int64.fetchOne(versionQuery, arguments: [entity, id, field]) ?? 0
        let aliveBase = try Int64.fetchOne(versionQuery, arguments: [entity, id, EntitySchema.deletedField]) ?? 0
        try db.cachedStatement(sql: """
            INSERT INTO field_versions (entity, row_id, field, server_seq, hlc, replica_id, analyst)
            VALUES (?, ?, ?, NULL, ?, ?, ?)
            ON CONFLICT (entity, row_id, field) DO UPDATE SET
                hlc = excluded.hlc, replica_id = excluded.replica_id, analyst = excluded.analyst
            """).execute(arguments: [entity, id, field, context.hlc, context.replicaID, context.analyst])
        // A row created here and not pushed yet sends the edited value with its own entry.
        if try !NewRowEntry.exists(db, entity: entity, id: id) {
            try db.cachedStatement(sql: """
                INSERT INTO outbox (entity, row_id, field, value, base_seq, alive_base_seq, hlc) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (entity, row_id, field) WHERE sent = 0 DO UPDATE SET
                    value = excluded.value, hlc = excluded.hlc
                """).execute(arguments: [entity, id, field, new, base, aliveBase, context.hlc])
        }
        try db.cachedStatement(sql: """
            INSERT INTO history (entity, row_id, field, old_value, new_value, hlc, replica_id, analyst, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'local')
            """).execute(arguments: [entity, id, field, old, new, context.hlc, context.replicaID, context.analyst])
    }
}
