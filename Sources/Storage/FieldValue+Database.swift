import Domain
import GRDB
import GRDBSQLite

// The types Accord stores in columns. Each reads straight from a statement's column
// (`StatementColumnConvertible`) as well as from a `DatabaseValue`: a row's `row[i]` then takes
// GRDB's fast path instead of making a `DatabaseValue` of each column first and converting it
// through generic code (14% of a server's CPU serving a clone).

extension FieldValue: DatabaseValueConvertible, StatementColumnConvertible {
    public var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .text(let text): text.databaseValue
        case .integer(let number): number.databaseValue
        }
    }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> FieldValue? {
        switch dbValue.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .string(let text): .text(text)
        case .double(let number): .text(String(number))
        case .blob: nil
        }
    }

    public init?(sqliteStatement: SQLiteStatement, index: CInt) {
        switch sqlite3_column_type(sqliteStatement, index) {
        case SQLITE_NULL: self = .null
        case SQLITE_INTEGER: self = .integer(sqlite3_column_int64(sqliteStatement, index))
        case SQLITE_TEXT: self = .text(String(columnText: sqliteStatement, index))
        case SQLITE_FLOAT: self = .text(String(sqlite3_column_double(sqliteStatement, index)))
        default: return nil
        }
    }
}

extension RecordID: DatabaseValueConvertible, StatementColumnConvertible {
    public var databaseValue: DatabaseValue { text.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> RecordID? {
        String.fromDatabaseValue(dbValue).flatMap(RecordID.init)
    }

    public init?(sqliteStatement: SQLiteStatement, index: CInt) {
        guard sqlite3_column_type(sqliteStatement, index) == SQLITE_TEXT else { return nil }
        self.init(String(columnText: sqliteStatement, index))
    }
}

extension HLCTimestamp: DatabaseValueConvertible, StatementColumnConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> HLCTimestamp? {
        Int64.fromDatabaseValue(dbValue).map(HLCTimestamp.init(rawValue:))
    }

    /// As GRDB reads an `Int64`.
    public init?(sqliteStatement: SQLiteStatement, index: CInt) {
        self.init(rawValue: sqlite3_column_int64(sqliteStatement, index))
    }
}

extension String {
    /// A text column's value, read with its length (the column may hold a NUL byte).
    init(columnText sqliteStatement: SQLiteStatement, _ index: CInt) {
        // The text first: asking for the length first could measure another representation.
        guard let text = sqlite3_column_text(sqliteStatement, index) else {
            self = ""
            return
        }
        self = String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(sqliteStatement, index))), as: UTF8.self)
    }
}
