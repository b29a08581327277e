import Crypto
import Domain
import Foundation
import GRDB

/// What `accord status` reports.
public struct ReplicaStatus: Sendable, Hashable {
    public var identity: ReplicaStore.Identity
    /// Live rows per entity.
    public var liveRows: [String: Int]
    /// Deleted rows (tombstones) per entity.
    public var deletedRows: [String: Int]
    /// Field changes waiting to be pushed (sent but unacknowledged ones included).
    public var pendingChanges: Int
    public var openConflicts: Int
    /// SHA-256 over every row of every entity (tombstones included) and every conflict record,
    /// values only, in canonical order: replicas that hold the same data print the same digest.
    public var digest: String
}

extension ReplicaStore {
    public func status() throws -> ReplicaStatus {
        try reading { db in
            var live: [String: Int] = [:]
            var deleted: [String: Int] = [:]
            for schema in EntitySchema.all {
                live[schema.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(schema.name) WHERE deleted = 0")
                deleted[schema.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(schema.name) WHERE deleted != 0")
            }
            return ReplicaStatus(
                identity: try Self.identity(db),
                liveRows: live,
                deletedRows: deleted,
                pendingChanges: (try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE field != '*'") ?? 0)
                    + (try NewRowEntry.pendingFieldCount(db)),
                openConflicts: try Self.openConflictCount(db),
                digest: try Self.digest(db)
            )
        }
    }

    /// The number of open conflicts, as `status()` counts them, without reading every row for
    /// the digest (which takes seconds on a large replica).
    public func openConflictCount() throws -> Int {
        try reading { db in try Self.openConflictCount(db) }
    }

    static func openConflictCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM conflicts WHERE status = 'open'") ?? 0
    }

    /// The content digest; see `ReplicaStatus.digest`.
    public func digest() throws -> String {
        try reading { db in try Self.digest(db) }
    }

    /// Hashes each entity's rows by id, then the conflicts by id. Each value is written with a
    /// type tag and length, so no two different contents can encode alike.
    static func digest(_ db: Database) throws -> String {
        var hasher = SHA256()
        func feed(_ value: DatabaseValue) {
            switch value.storage {
            case .null: hasher.update(data: Data("n;".utf8))
            case .int64(let number): hasher.update(data: Data("i\(number);".utf8))
            case .double(let number): hasher.update(data: Data("d\(number);".utf8))
            case .string(let text):
                let bytes = Data(text.utf8)
                hasher.update(data: Data("t\(bytes.count):".utf8))
                hasher.update(data: bytes)
            case .blob(let bytes):
                hasher.update(data: Data("b\(bytes.count):".utf8))
                hasher.update(data: bytes)
            }
        }
        let conflictColumns = ["id"] + ConflictSchema.fields + ConflictSchema.localFields
        let tables = EntitySchema.all.map { ($0.name, ["id"] + $0.syncedFieldNames) } + [("conflicts", conflictColumns)]
        for (table, columns) in tables {
            feed(table.databaseValue)
            let rows = try Row.fetchCursor(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY id")
            while let row = try rows.next() {
                for index in columns.indices { feed(row[index] as DatabaseValue) }
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
