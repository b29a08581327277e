import Domain
import GRDB

/// A conflict as `accord conflicts` shows it.
public struct ConflictRecord: Sendable, Hashable {
    public var id: RecordID
    public var entity: String
    public var rowID: String
    public var field: String
    public var standingValue: FieldValue
    public var standingHLC: HLCTimestamp
    public var standingAnalyst: String
    public var otherValue: FieldValue
    public var otherHLC: HLCTimestamp
    public var otherAnalyst: String
}

extension ReplicaStore {
    /// The open conflicts whose records have fully arrived, oldest first.
    public func openConflicts() throws -> [ConflictRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM conflicts WHERE status = 'open' AND entity IS NOT NULL AND field IS NOT NULL
                ORDER BY standing_hlc, id
                """).map { row in
                ConflictRecord(
                    id: row["id"], entity: row["entity"], rowID: row["row_id"], field: row["field"],
                    standingValue: row["standing_value"] ?? .null, standingHLC: HLCTimestamp(rawValue: row["standing_hlc"] ?? 0),
                    standingAnalyst: row["standing_analyst"] ?? "?",
                    otherValue: row["other_value"] ?? .null, otherHLC: HLCTimestamp(rawValue: row["other_hlc"] ?? 0),
                    otherAnalyst: row["other_analyst"] ?? "?"
                )
            }
        }
    }
}
