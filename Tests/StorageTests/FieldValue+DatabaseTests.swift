import Domain
import GRDB
import Testing
@testable import Storage

@Suite struct FieldValueDatabaseTests {
    /// Each kind of column value, as SQL, and what a `FieldValue` of it is.
    private static let samples: [(sql: String, value: FieldValue)] = [
        ("NULL", .null),
        ("42", .integer(42)),
        ("-9007199254740993", .integer(-9_007_199_254_740_993)),
        ("''", .text("")),
        ("'£17 million, ASEAN–UK 🎉'", .text("£17 million, ASEAN–UK 🎉")),
        ("2.5", .text("2.5")),
    ]

    @Test("a FieldValue read from a statement's column equals one read through a DatabaseValue, for every kind of column")
    func columnAndDatabaseValueAgree() throws {
        let queue = try DatabaseQueue()
        try queue.read { db in
            for sample in Self.samples {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT \(sample.sql), \(sample.sql)"))
                let fromColumn: FieldValue? = row[0]
                let fromDatabaseValue = FieldValue.fromDatabaseValue(row[1] as DatabaseValue)
                #expect((fromColumn ?? .null) == sample.value, "\(sample.sql)")
                #expect(fromDatabaseValue == sample.value, "\(sample.sql)")
                #expect(try FieldValue.fetchOne(db, sql: "SELECT \(sample.sql)") == (sample.value == .null ? nil : sample.value))
            }
        }
    }

    @Test("text is read with its length: a NUL byte inside it does not end it")
    func textWithNulByte() throws {
        let queue = try DatabaseQueue()
        let value = try queue.read { db in try FieldValue.fetchOne(db, sql: "SELECT 'a' || char(0) || 'b'") }
        #expect(value == .text("a\u{0}b"))
    }

    @Test("a RecordID is read from text, lowercased, and a column that is not a UUID is refused")
    func recordIDFromColumn() throws {
        let queue = try DatabaseQueue()
        try queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT '01980C08-5EED-7000-8000-000000000008', 1234"))
            let id: RecordID = row[0]
            #expect(id.text == "01980c08-5eed-7000-8000-000000000008")
            #expect(throws: (any Error).self) { try RecordID.fetchOne(db, sql: "SELECT 'not-a-uuid'") }
            #expect(throws: (any Error).self) { try RecordID.fetchOne(db, sql: "SELECT 1234") }
        }
    }

    @Test("an HLCTimestamp is read from an integer column")
    func timestampFromColumn() throws {
        let queue = try DatabaseQueue()
        let stamp = try queue.read { db in try HLCTimestamp.fetchOne(db, sql: "SELECT 114841205063680000") }
        #expect(stamp == HLCTimestamp(rawValue: 114_841_205_063_680_000))
    }
}
