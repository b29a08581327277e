import Domain
import GRDB

/// The outbox entry of a row created here and not yet pushed: one entry for the row, not one
/// per field. Its `field` is `*` and its value NULL; it stands for every field the row has set
/// when it is pushed and every field edited here since its creation (cleared ones too), with
/// the values the row then holds, based on nothing (base 0): what one entry per field, each
/// collapsing the edits after it, would have sent. With an entry and a version per field, an
/// import of 100,000 rows wrote 1.4 million of each, two thirds of a 660 MB replica file, for
/// values the rows hold already.
///
/// - Its number keeps room for the row's fields: it is the top of a run of `span` numbers that
///   no other entry takes, and `beginPush` sends field `i` of the entity's synced fields as
///   number `entry - span + 1 + i`, so the fields of a new row go out in outbox order like any
///   other entries, and the server's high-water mark of this replica's numbers still only rises.
/// - An edit of the row before it is pushed writes its version and history but no entry: the
///   row's entry will send the edited field, with the edit's time from `field_versions`.
/// - Its fields have no `field_versions` row until the server acknowledges them; a reader that
///   needs one (`versions`) takes the entry's time and this replica as the writer.
/// - A pull or a conflict's resolution that reaches such a row (its id is on the server too, as
///   the sample's ids are) first turns its entry into an entry per field it stands for
///   (`materialize`): from then on the row is pending field by field, as any edit is.
enum NewRowEntry {
    static let field = "*"
    /// Numbers kept for each new row's fields: more than any entity has synced fields.
    static let span: Int64 = 64

    /// The highest outbox number used so far, entries since removed included.
    static func highestNumber(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
                       coalesce((SELECT max(local_seq) FROM outbox), 0))
            """)) ?? 0
    }

    /// Whether the row has an unsent new-row entry (through the outbox's index of unsent entries).
    static func exists(_ db: Database, entity: String, id: RecordID) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM outbox WHERE entity = ? AND row_id = ? AND field = '*' AND sent = 0"),
                          arguments: [entity, id]) == true
    }

    /// The changes the entry numbered `number` stands for: each field of the row set now or
    /// edited since its creation (`deleted` only then), as it is now, with the time of its last
    /// edit here, else the entry's.
    static func changes(_ db: Database, number: Int64, entity: String, id: RecordID, hlc: HLCTimestamp) throws -> [PushedChange] {
        guard let schema = EntitySchema.named(entity) else { return [] }
        let fields = schema.syncedFieldNames
        precondition(Int64(fields.count) <= span, "\(entity) has more synced fields than a new row's entry keeps numbers for")
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(fields.joined(separator: ", ")) FROM \(entity) WHERE id = ?"),
                                         arguments: [id]) else { return [] }
        var edited: [String: HLCTimestamp] = [:]
        let versions = try Row.fetchCursor(db.cachedStatement(sql: "SELECT field, hlc FROM field_versions WHERE entity = ? AND row_id = ?"),
                                           arguments: [entity, id])
        while let version = try versions.next() { edited[version[0]] = HLCTimestamp(rawValue: version[1]) }
        var changes: [PushedChange] = []
        for (index, field) in fields.enumerated() {
            let value: FieldValue = row[index] ?? .null
            guard edited[field] != nil || (value != .null && field != EntitySchema.deletedField) else { continue }
            changes.append(PushedChange(
                localSeq: number - span + 1 + Int64(index),
                change: FieldChange(entity: entity, id: id, field: field, value: value, hlc: edited[field] ?? hlc),
                baseSeq: 0, aliveBaseSeq: 0
            ))
        }
        return changes
    }

    /// Replaces the row's unsent new-row entry, if it has one, with an unsent entry for each
    /// change it stands for, numbered as `beginPush` would send them, and gives each of those
    /// fields that has none a version by this replica at the entry's time.
    static func materialize(_ db: Database, entity: String, id: RecordID) throws {
        guard let entry = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT local_seq, hlc FROM outbox WHERE entity = ? AND row_id = ? AND field = '*' AND sent = 0
            """), arguments: [entity, id]) else { return }
        let number: Int64 = entry[0]
        let changes = try changes(db, number: number, entity: entity, id: id, hlc: HLCTimestamp(rawValue: entry[1]))
        try db.cachedStatement(sql: "DELETE FROM outbox WHERE local_seq = ?").execute(arguments: [number])
        guard let writer = try Row.fetchOne(db.cachedStatement(sql: "SELECT replica_id, analyst FROM replica")) else {
            throw StoreError(.notAReplica, "the replica has no identity row")
        }
        for pushed in changes {
            let change = pushed.change
            try db.cachedStatement(sql: "INSERT INTO outbox (local_seq, entity, row_id, field, value, base_seq, hlc) VALUES (?, ?, ?, ?, ?, 0, ?)")
                .execute(arguments: [pushed.localSeq, entity, id, change.field, change.value, change.hlc])
            try db.cachedStatement(sql: """
                INSERT INTO field_versions (entity, row_id, field, server_seq, hlc, replica_id, analyst) VALUES (?, ?, ?, NULL, ?, ?, ?)
                ON CONFLICT (entity, row_id, field) DO NOTHING
                """).execute(arguments: [entity, id, change.field, change.hlc, writer[0], writer[1]])
        }
    }

    /// How many field changes the unsent new-row entries stand for.
    static func pendingFieldCount(_ db: Database) throws -> Int {
        var count = 0
        let entries = try Row.fetchCursor(db, sql: "SELECT local_seq, entity, row_id, hlc FROM outbox WHERE field = '*' AND sent = 0")
        while let entry = try entries.next() {
            count += try changes(db, number: entry[0], entity: entry[1], id: entry[2], hlc: HLCTimestamp(rawValue: entry[3])).count
        }
        return count
    }
}
