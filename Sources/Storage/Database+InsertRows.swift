import GRDB

/// Values of rows for `Database.insertRows`, column after column. Existentials, not
/// `DatabaseValue`s: GRDB makes `StatementArguments` from a sequence of concrete values by mapping
/// each through a key path (8.5% of a clone's time), from existentials through a closure (6.9%).
typealias RowValues = [(any DatabaseValueConvertible)?]

extension Database {
    /// Rows to a statement: well under SQLite's 32,766 parameters for the widest table.
    static let rowsPerInsert = 200

    /// `INSERT INTO table (columns) VALUES (…), (…) suffix` for `values`, the rows' columns one
    /// after another: `rowsPerInsert` rows to a cached statement, the rest in one more. With
    /// SQLite 3.40 each statement that writes `commitments` makes FTS5 flush its pending index
    /// to disk, so a statement per row cost a third of a clone or an import.
    func insertRows(into table: String, columns: [String], values: RowValues, suffix: String = "") throws {
        let width = columns.count
        let rows = values.count / width
        guard rows > 0 else { return }
        let tuple = "(" + databaseQuestionMarks(count: width) + ")"
        func sql(_ count: Int) -> String {
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + repeatElement(tuple, count: count).joined(separator: ", ") + " " + suffix
        }
        // The SQL of a full statement, built once a call (the statement is cached).
        let full = rows >= Self.rowsPerInsert ? sql(Self.rowsPerInsert) : ""
        var start = 0
        while start < rows {
            let count = min(Self.rowsPerInsert, rows - start)
            let statement = count == Self.rowsPerInsert ? try cachedStatement(sql: full) : try makeStatement(sql: sql(count))
            try statement.execute(arguments: StatementArguments(values[(start * width)..<((start + count) * width)]))
            start += count
        }
    }
}
