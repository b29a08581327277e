import Domain
import GRDB
import GRDBSQLite

/// Values of rows for `Database.insertRows` and `updateRows`, column after column. They are bound
/// to the statement one by one (`executeRows`): making `StatementArguments` of them (a `map` of
/// every value, then a second array to validate them) was 7–8% of a clone and of a push.
typealias RowValues = [DatabaseValue]

extension Database {
    /// Rows to a statement: well under SQLite's 32,766 parameters for the widest table.
    static let rowsPerInsert = 200

    /// `INSERT INTO table (columns) VALUES (…), (…) suffix` for `values`, the rows' columns one
    /// after another: `rowsPerInsert` rows to a cached statement (`executeRows`). With
    /// SQLite 3.40 each statement that writes `commitments` makes FTS5 flush its pending index
    /// to disk, so a statement per row cost a third of a clone or an import.
    func insertRows(into table: String, columns: [String], values: RowValues, suffix: String = "") throws {
        try executeRows(values, width: columns.count) { tuples in
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples) \(suffix)"
        }
    }

    /// Sets `columns` of many rows of `table`, `rowsPerInsert` rows to a statement:
    /// `UPDATE table SET column = v.columnN, … FROM (VALUES (id, …), …) AS v WHERE id = v.column1`.
    /// `values` holds each row's id and then its new values, row after row. For FTS5 again: an
    /// `UPDATE` a row made pulling or importing 10,000 edited rows three times slower.
    func updateRows(in table: String, columns: [String], values: RowValues) throws {
        guard !columns.isEmpty else { return }
        let assignments = columns.enumerated().map { "\($1) = v.column\($0 + 2)" }.joined(separator: ", ")
        try executeRows(values, width: columns.count + 1) { tuples in
            "UPDATE \(table) SET \(assignments) FROM (VALUES \(tuples)) AS v WHERE \(table).id = v.column1"
        }
    }

    /// Runs `sql(tuples)` over `values`, `width` of them a row: `rowsPerInsert` rows to a cached
    /// statement, the rest in cached statements of a power of two rows each.
    private func executeRows(_ values: RowValues, width: Int, sql: (String) -> String) throws {
        let rows = values.count / width
        guard rows > 0 else { return }
        let tuple = "(" + databaseQuestionMarks(count: width) + ")"
        func statementSQL(_ count: Int) -> String { sql(repeatElement(tuple, count: count).joined(separator: ", ")) }
        // The SQL of a full statement, built once a call.
        let full = rows >= Self.rowsPerInsert ? statementSQL(Self.rowsPerInsert) : ""
        var text = BoundText()
        var start = 0
        while start < rows {
            // Full statements, then the rest in statements of 128, 64, … 1 rows: every statement
            // is one of nine a table, cached. Preparing a statement of the rest's exact size each
            // time was 6% of a server's push (a 136-row INSERT of 8 columns takes 0.8 ms to parse).
            let rest = rows - start
            let count = rest >= Self.rowsPerInsert ? Self.rowsPerInsert : 1 << (Int.bitWidth - 1 - rest.leadingZeroBitCount)
            let statement = try cachedStatement(sql: count == Self.rowsPerInsert ? full : statementSQL(count))
            // Reset, and clear the last bindings; the statement has exactly count * width
            // parameters, one for each value below.
            statement.setUncheckedArguments([])
            try text.bind(values[(start * width)..<((start + count) * width)], to: statement) {
                try statement.execute()
            }
            start += count
        }
    }
}

/// The text values of one statement's rows, copied one after another into a buffer that
/// outlives the statement's execution, so SQLite takes them where they are
/// (`SQLITE_STATIC`). `DatabaseValue.bind(to:at:)` hands SQLite each `String` as a new
/// NUL-terminated copy, which SQLite then copies again (`SQLITE_TRANSIENT`): two allocations
/// a value, a tenth of a clone.
private struct BoundText {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    /// Binds `values` to the statement's parameters 1, 2, … and runs `body` while the text is
    /// bound; the bindings are cleared before the buffer is reused.
    mutating func bind(_ values: ArraySlice<DatabaseValue>, to statement: Statement, body: () throws -> Void) throws {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        for value in values {
            if case .string(var string) = value.storage { string.withUTF8 { bytes.append(contentsOf: $0) } }
            ends.append(bytes.count)
        }
        // A byte past the last, so that even no text at all has an address (and an empty
        // string is bound as "", not as NULL).
        bytes.append(0)
        let sqliteStatement = statement.sqliteStatement
        defer { sqlite3_clear_bindings(sqliteStatement) }
        try bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var start = 0
            for (index, (value, end)) in zip(CInt(1)..., zip(values, ends)) {
                let code: CInt
                if case .string = value.storage {
                    code = sqlite3_bind_text(sqliteStatement, index, base + start, CInt(end - start), nil /* SQLITE_STATIC */)
                } else {
                    code = value.bind(to: sqliteStatement, at: index)
                }
                start = end
                guard code == SQLITE_OK else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "binding parameter \(index) failed", sql: statement.sql)
                }
            }
            try body()
        }
    }
}

/// Rows already in their tables, gathered to be set by `Database.updateRows`: those that changed
/// the same fields of one table share statements, written in primary-key order.
struct RowUpdates {
    private struct Group: Hashable {
        var table: String
        var fields: [String]
    }
    private var groups: [Group: [(id: RecordID, values: RowValues)]] = [:]

    /// `values`: the row's new values of `fields`, in that order.
    mutating func add(_ table: String, id: RecordID, fields: [String], values: RowValues) {
        groups[Group(table: table, fields: fields), default: []].append((id, values))
    }

    func write(_ db: Database) throws {
        let ordered = groups.sorted { a, b in
            (a.key.table, a.key.fields.joined(separator: " ")) < (b.key.table, b.key.fields.joined(separator: " "))
        }
        for (group, rows) in ordered {
            var values: RowValues = []
            values.reserveCapacity(rows.count * (group.fields.count + 1))
            for row in rows.sorted(by: { $0.id.text < $1.id.text }) { values += [row.id.databaseValue] + row.values }
            try db.updateRows(in: group.table, columns: group.fields, values: values)
        }
    }
}
