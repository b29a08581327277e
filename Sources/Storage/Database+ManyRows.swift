import Domain
import GRDB

/// Values of rows for `Database.insertRows` and `updateRows`, column after column. Existentials,
/// not `DatabaseValue`s: GRDB makes `StatementArguments` from a sequence of concrete values by
/// mapping each through a key path (8.5% of a clone's time), from existentials through a closure
/// (6.9%).
typealias RowValues = [(any DatabaseValueConvertible)?]

extension Database {
    /// Rows to a statement: well under SQLite's 32,766 parameters for the widest table.
    static let rowsPerInsert = 200

    /// `INSERT INTO table (columns) VALUES (…), (…) suffix` for `values`, the rows' columns one
    /// after another: `rowsPerInsert` rows to a cached statement, the rest in one more. With
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
    /// statement, the rest in one more.
    private func executeRows(_ values: RowValues, width: Int, sql: (String) -> String) throws {
        let rows = values.count / width
        guard rows > 0 else { return }
        let tuple = "(" + databaseQuestionMarks(count: width) + ")"
        func statementSQL(_ count: Int) -> String { sql(repeatElement(tuple, count: count).joined(separator: ", ")) }
        // The SQL of a full statement, built once a call (the statement is cached).
        let full = rows >= Self.rowsPerInsert ? statementSQL(Self.rowsPerInsert) : ""
        var start = 0
        while start < rows {
            let count = min(Self.rowsPerInsert, rows - start)
            let statement = count == Self.rowsPerInsert ? try cachedStatement(sql: full) : try makeStatement(sql: statementSQL(count))
            try statement.execute(arguments: StatementArguments(values[(start * width)..<((start + count) * width)]))
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
