import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct DatabaseManyRowsTests {
    /// Rows of every kind of value, text of every length: more rows than one full statement
    /// holds, so the rest goes through the smaller cached statements too.
    private static func sampleRows(_ count: Int, salt: String) -> [[DatabaseValue]] {
        let texts = ["", "a", "Kuala Lumpur", "é ü ñ", "🎉 pledge", String(repeating: "£17 million; ", count: 40), "x\ny"]
        return (0..<count).map { index in
            [
                "id-\(salt)-\(index)".databaseValue,
                texts[index % texts.count].databaseValue,
                index % 5 == 0 ? DatabaseValue.null : (index * 7 - 3).databaseValue,
                (Double(index) / 8).databaseValue,
                index % 3 == 0 ? Data([0, 1, 2, UInt8(index % 256)]).databaseValue : (salt + texts[(index + 3) % texts.count]).databaseValue,
            ]
        }
    }

    private static let columns = ["id", "name", "number", "ratio", "extra"]

    private static func makeTable(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, name TEXT, number INTEGER, ratio REAL, extra)")
    }

    private static func insert(_ rows: [[DatabaseValue]], _ db: Database) throws {
        try db.insertRows(into: "t", columns: columns, values: rows.flatMap { $0 })
    }

    private static func stored(_ db: Database) throws -> [[DatabaseValue]] {
        try Row.fetchAll(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM t ORDER BY rowid").map { row in
            columns.indices.map { row[$0] as DatabaseValue }
        }
    }

    @Test("insertRows stores every value as given: empty text as text, not NULL; NULLs, numbers, blobs, long and non-ASCII text")
    func insertRowsKeepsEveryValue() throws {
        let queue = try DatabaseQueue()
        let rows = Self.sampleRows(Database.rowsPerInsert + 77, salt: "first")
        try queue.write { db in
            try Self.makeTable(db)
            try Self.insert(rows, db)
            #expect(try Self.stored(db) == rows)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t WHERE name = ''") == rows.filter { $0[1] == "".databaseValue }.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t WHERE name IS NULL") == 0)
        }
    }

    @Test("a second call through the same cached statements binds its own values, not the last call's")
    func cachedStatementsTakeNewValues() throws {
        let queue = try DatabaseQueue()
        let first = Self.sampleRows(Database.rowsPerInsert + 5, salt: "first")
        let second = Self.sampleRows(Database.rowsPerInsert + 5, salt: "second")
        try queue.write { db in
            try Self.makeTable(db)
            try Self.insert(first, db)
            try Self.insert(second, db)
            #expect(try Self.stored(db) == first + second)
        }
    }

    @Test("updateRows sets the given columns of each row by id and leaves the others")
    func updateRowsSetsColumns() throws {
        let queue = try DatabaseQueue()
        let rows = Self.sampleRows(Database.rowsPerInsert + 33, salt: "first")
        try queue.write { db in
            try Self.makeTable(db)
            try Self.insert(rows, db)
            let renamed = rows.enumerated().map { index, row in [row[0], (index % 4 == 0 ? "" : "renamed \(index) ✓").databaseValue] }
            try db.updateRows(in: "t", columns: ["name"], values: renamed.flatMap { $0 })
            let expected = zip(rows, renamed).map { row, update in [row[0], update[1]] + row[2...] }
            #expect(try Self.stored(db) == expected)
        }
    }
}
