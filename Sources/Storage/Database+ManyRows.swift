import Domain
import GRDB

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
            for (index, value) in zip(CInt(1)..., values[(start * width)..<((start + count) * width)]) {
                let code = ResultCode(rawValue: value.bind(to: statement.sqliteStatement, at: index))
                guard code == .SQLITE_OK else { throw DatabaseError(resultCode: code, message: "binding parameter \(index) failed", sql: statement.sql) }
            }
            try statement.execute()
            start += count
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
