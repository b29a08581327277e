import Foundation
import Domain
import GRDB

extension ReplicaStore {
    /// One row by id, live or deleted; nil when there is none.
    public func record(_ schema: EntitySchema, id: RecordID) throws -> EntityRow? {
        try reading { db in try Self.record(db, schema, id: id) }
    }

    static func record(_ db: Database, _ schema: EntitySchema, id: RecordID) throws -> EntityRow? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(schema.name) WHERE id = ?"), arguments: [id])
            .map { makeRecord($0, schema) }
    }

    static func makeRecord(_ row: Row, _ schema: EntitySchema) -> EntityRow {
        var values: [String: FieldValue] = [:]
        for name in schema.fieldNames {
            let value: FieldValue = row[name] ?? .null
            if value != .null { values[name] = value }
        }
        let deleted: Int64 = row[EntitySchema.deletedField] ?? 0
        return EntityRow(entity: schema.name, id: row["id"], values: values, deleted: deleted != 0)
    }

    /// The id of the one row whose id starts with `prefix` (an exact id always wins).
    /// No match and several matches are errors; the latter lists the candidates.
    public func resolveID(_ schema: EntitySchema, prefix: String) throws -> RecordID {
        try resolveID(in: schema.name, singular: schema.singular, prefix: prefix)
    }

    /// The prefix lookup for any table keyed by a UUID `id` (the entities, the conflicts).
    func resolveID(in table: String, singular: String, prefix: String) throws -> RecordID {
        let needle = prefix.lowercased()
        guard !needle.isEmpty, needle.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw StoreError(.notFound, "\"\(prefix)\" is not an id or id prefix (hex digits and dashes)")
        }
        let matches = try reading { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM \(table) WHERE id >= ? AND id < ? ORDER BY id LIMIT 11",
                arguments: [needle, needle + "\u{7F}"]
            )
        }
        if matches.contains(needle) { return RecordID(needle)! }
        switch matches.count {
        case 0:
            throw StoreError(.notFound, "no \(singular) with id \(prefix)")
        case 1:
            return RecordID(matches[0])!
        default:
            let shown = matches.prefix(10).joined(separator: ", ")
            let more = matches.count > 10 ? " and more" : ""
            throw StoreError(.ambiguous, "id prefix \(prefix) matches several \(table): \(shown)\(more)")
        }
    }

    /// The rows that pass `filter`, ordered by id.
    public func list(_ schema: EntitySchema, filter: RecordFilter = RecordFilter()) throws -> [EntityRow] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if !filter.includeDeleted { conditions.append("deleted = 0") }
        for (name, value) in filter.equals.sorted(by: { $0.key < $1.key }) {
            guard schema.field(named: name) != nil else {
                throw StoreError(.invalid, "\(name) is not a field of \(schema.name)")
            }
            if value == .null {
                conditions.append("\(name) IS NULL")
            } else {
                conditions.append("\(name) = ? COLLATE NOCASE")
                arguments.append(value)
            }
        }
        for tag in filter.tags {
            conditions.append("(';' || tags || ';') LIKE ? ESCAPE '\\'")
            arguments.append("%;" + escapeLike(tag) + ";%")
        }
        if let period = filter.period {
            conditions.append("period_start IS NOT NULL AND period_start <= ? AND coalesce(period_end, period_start) >= ?")
            arguments.append(period.upperBound)
            arguments.append(period.lowerBound)
        }
        if let search = filter.search, let query = Self.ftsQuery(search) {
            guard schema == .commitments else { throw StoreError(.invalid, "--search applies to commitments only") }
            conditions.append("rowid IN (SELECT rowid FROM commitments_fts WHERE commitments_fts MATCH ?)")
            arguments.append(query)
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try reading { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM \(schema.name)\(whereClause) ORDER BY id",
                arguments: StatementArguments(arguments.map { $0.databaseValue })
            ).map { Self.makeRecord($0, schema) }
        }
    }

    /// Each word quoted (so FTS syntax in the analyst's text is literal) and matched as a prefix.
    static func ftsQuery(_ search: String) -> String? {
        let words = search.split(whereSeparator: { $0.isWhitespace }).map {
            "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
        }
        return words.isEmpty ? nil : words.joined(separator: " AND ")
    }

    /// Calls `body` with every live row, ordered by id, reading one row at a time.
    public func forEachLiveRecord(_ schema: EntitySchema, _ body: (EntityRow) throws -> Void) throws {
        try reading { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(schema.name) WHERE deleted = 0 ORDER BY id")
            while let row = try rows.next() {
                try body(Self.makeRecord(row, schema))
            }
        }
    }
}

private func escapeLike(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_")
}
