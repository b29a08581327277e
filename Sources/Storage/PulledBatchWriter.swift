import Domain
import GRDB

/// Writes the server's versions of fields into a replica, one batch at a time (a pulled
/// `changes` batch, or a push's acknowledgements), inside the caller's transaction.
///
/// A clone applies every field of every row, so the work per row is kept small. Each row is
/// read once. Rows new here are inserted whole by `finish`, in primary-key order and many to a
/// statement: with SQLite 3.40 every statement that writes `commitments` makes FTS5 flush its
/// pending index to disk (the statement's savepoint), and a statement or two per row cost a
/// third of a clone. For the same reason `finish` also updates the rows already here, those
/// that changed the same fields together. A new row's history is one entry with its values (as
/// for a row created here), not one per field. Field versions and history rows go in multi-row
/// statements, and the clock moves once. A field with a pending local edit is not overwritten.
struct PulledBatchWriter {
    private let db: Database
    private let wallMillis: Int64
    /// Nothing waits to be pushed (a clone, most pulls): no field can be pending.
    private let outboxEmpty: Bool
    /// Rows not yet in the table, with the values they will be inserted with.
    private var newRows: [RowKey: [String: FieldValue]] = [:]
    /// Who wrote the earliest field of each new row, and what brought it: its one history entry.
    private var arrivals: [RowKey: (field: PulledField, origin: String)] = [:]
    /// Rows of the table already read or written by this batch, as they now stand.
    private var knownRows: [RowKey: [String: FieldValue]] = [:]
    /// The fields this batch changed in rows already in the table: `finish` writes them.
    private var changedFields: [RowKey: Set<String>] = [:]
    /// `field_versions` and `history` rows to insert, their columns flattened.
    private var versions: RowValues = []
    private var history: RowValues = []
    private var newest = HLCTimestamp.zero
    /// The last row whose pending fields were read, and those fields.
    private var lastPending: (key: RowKey, fields: Set<String>)?
    private(set) var applied = PullApplied()

    init(_ db: Database, wallMillis: Int64) throws {
        self.db = db
        self.wallMillis = wallMillis
        // The last entry, found through the primary key (`EXISTS` would say SCAN, and stop at once).
        outboxEmpty = try Bool.fetchOne(db.cachedStatement(sql: "SELECT max(local_seq) IS NULL FROM outbox")) ?? false
    }

    /// The synced columns of each replicated entity, in table order.
    private static let columns: [String: [String]] = Dictionary(uniqueKeysWithValues:
        EntitySchema.all.map { ($0.name, $0.syncedFieldNames) } + [("conflicts", ReplicaStore.conflictColumns.sorted())])
    private static let columnSets = columns.mapValues(Set.init)
    /// Reads a row's synced columns in `columns` order, to be taken by index: GRDB finds a
    /// column by name case-insensitively, lowercasing the name at every access.
    private static let selectSQL: [String: String] = Dictionary(uniqueKeysWithValues: columns.map { entity, columns in
        (entity, "SELECT \(columns.joined(separator: ", ")) FROM \(entity) WHERE id = ?")
    })

    /// What a column holds in a row that has just been created: its default.
    private static func initialValue(_ column: String, entity: String) -> FieldValue {
        column == EntitySchema.deletedField && entity != "conflicts" ? .integer(0) : .null
    }

    /// Takes in the server's sequence for a change of this replica's that it accepted (§5.3): the
    /// row holds that value already, and the field's version the edit's time and writer, so no
    /// row is read and no history written, only the version, unless a newer local edit of the
    /// field waits. Applying acknowledgements as pulled rows was a sixth of a pushing client.
    mutating func applyAccepted(_ version: PulledField, entity: String, id: RecordID, field: String) throws {
        guard try !pending(RowKey(entity: entity, id: id)).contains(field) else { return }
        versions += [entity.databaseValue, id.databaseValue, field.databaseValue, version.seq.databaseValue,
                     version.hlc.databaseValue, version.replicaID.databaseValue, version.analyst.databaseValue]
    }

    /// The fields of a row with an outbox entry, read once for consecutive calls about one row.
    /// A row created here and not pushed yet, whose id the server has too, first gets an entry
    /// per field it will send (`NewRowEntry.materialize`): its other fields take the server's.
    private mutating func pending(_ key: RowKey) throws -> Set<String> {
        if outboxEmpty { return [] }
        if let last = lastPending, last.key == key { return last.fields }
        let statement = try db.cachedStatement(sql: ReplicaStore.pendingEntrySQL)
        var fields = try Set(String.fetchAll(statement, arguments: [key.entity, key.id]))
        if fields.contains(NewRowEntry.field) {
            try NewRowEntry.materialize(db, entity: key.entity, id: key.id)
            fields = try Set(String.fetchAll(statement, arguments: [key.entity, key.id]))
        }
        lastPending = (key, fields)
        return fields
    }

    /// Takes in the server's version of some fields of one row; `origin` is what the history
    /// says brought them (`sync`, `push`, `overruled`).
    mutating func apply(_ row: PulledRow, origin: String) throws {
        guard let columns = Self.columnSets[row.entity] else { return }
        let key = RowKey(entity: row.entity, id: row.id)
        var current: [String: FieldValue]
        let isNew: Bool
        if let pending = newRows[key] {
            (current, isNew) = (pending, true)
        } else if let known = knownRows[key] {
            (current, isNew) = (known, false)
        } else if let stored = try Row.fetchOne(db.cachedStatement(sql: Self.selectSQL[row.entity]!), arguments: [row.id]) {
            current = [:]
            for (index, column) in Self.columns[row.entity]!.enumerated() { current[column] = stored[index] ?? .null }
            isNew = false
        } else {
            (current, isNew) = ([:], true)
        }
        let pendingFields = try pending(key)
        // A row new here gets one history entry, its values as a JSON object (as a row created
        // here does), not one per field: most of a clone's writes were those entries.
        let recordsHistory = row.entity != "conflicts" && !isNew
        var changed: [String] = []
        for (field, pulled) in row.fields.sorted(by: { $0.key < $1.key }) where columns.contains(field) {
            if pendingFields.contains(field) {
                applied.skipped += 1
                continue
            }
            let old = current[field] ?? Self.initialValue(field, entity: row.entity)
            if old != pulled.value {
                changed.append(field)
                current[field] = pulled.value
                if recordsHistory {
                    history += [row.entity.databaseValue, row.id.databaseValue, field.databaseValue, old.databaseValue,
                                pulled.value.databaseValue, pulled.hlc.databaseValue, pulled.replicaID.databaseValue,
                                pulled.analyst.databaseValue, origin.databaseValue]
                }
            }
            versions += [row.entity.databaseValue, row.id.databaseValue, field.databaseValue, pulled.seq.databaseValue,
                         pulled.hlc.databaseValue, pulled.replicaID.databaseValue, pulled.analyst.databaseValue]
            newest = max(newest, pulled.hlc)
            applied.fields += 1
        }
        if isNew {
            newRows[key] = current
            if row.entity != "conflicts", let earliest = row.fields.values.min(by: { $0.hlc < $1.hlc }),
               arrivals[key].map({ earliest.hlc < $0.field.hlc }) ?? true {
                arrivals[key] = (earliest, origin)
            }
            return
        }
        if !changed.isEmpty { changedFields[key, default: []].formUnion(changed) }
        knownRows[key] = current
    }

    /// Writes what `apply` gathered: the changed and the new rows, the versions, the history,
    /// the clock.
    mutating func finish() throws {
        var updates = RowUpdates()
        for (key, fields) in changedFields {
            let row = knownRows[key]!, sorted = fields.sorted()
            updates.add(key.entity, id: key.id, fields: sorted, values: sorted.map { row[$0]!.databaseValue })
        }
        try updates.write(db)
        changedFields = [:]
        for (entity, columns) in Self.columns.sorted(by: { $0.key < $1.key }) {
            let keys = newRows.keys.filter { $0.entity == entity }.sorted { $0.id.text < $1.id.text }
            guard !keys.isEmpty else { continue }
            var values: RowValues = []
            values.reserveCapacity(keys.count * (columns.count + 1))
            for key in keys {
                let row = newRows[key]!
                values.append(key.id.databaseValue)
                for column in columns { values.append((row[column] ?? Self.initialValue(column, entity: entity)).databaseValue) }
            }
            try db.insertRows(into: entity, columns: ["id"] + columns, values: values)
        }
        for (key, arrival) in arrivals.sorted(by: { $0.key.id.text < $1.key.id.text }) {
            guard let schema = EntitySchema.named(key.entity), let values = newRows[key] else { continue }
            let created = EntityRow(entity: key.entity, id: key.id, values: values.filter { $0.key != EntitySchema.deletedField })
            history += [key.entity.databaseValue, key.id.databaseValue, "*".databaseValue, DatabaseValue.null,
                        Interchange.jsonLine(created, schema: schema).databaseValue, arrival.field.hlc.databaseValue,
                        arrival.field.replicaID.databaseValue, arrival.field.analyst.databaseValue, arrival.origin.databaseValue]
        }
        newRows = [:]
        arrivals = [:]
        try db.insertRows(into: "field_versions", columns: ["entity", "row_id", "field", "server_seq", "hlc", "replica_id", "analyst"],
                          values: versions, suffix: """
                           ON CONFLICT (entity, row_id, field) DO UPDATE SET server_seq = excluded.server_seq, hlc = excluded.hlc,
                               replica_id = excluded.replica_id, analyst = excluded.analyst
                           """)
        versions = []
        try db.insertRows(into: "history", columns: ["entity", "row_id", "field", "old_value", "new_value", "hlc", "replica_id", "analyst", "origin"],
                          values: history)
        history = []
        if newest > .zero {
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT clock FROM replica")) ?? 0
            var clock = HybridLogicalClock(last: HLCTimestamp(rawValue: last))
            try db.cachedStatement(sql: "UPDATE replica SET clock = ?").execute(arguments: [clock.receive(newest, wallMillis: wallMillis)])
            newest = .zero
        }
    }
}
