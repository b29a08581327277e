import Domain
import Foundation
import GRDB

/// The sync server's store: every field of every row with its version, a global sequence, the
/// replicas' high-water marks, the audit history, the tokens and the server's identity. One
/// SQLite file in WAL mode, so pulls read while a push writes.
///
/// Each push batch and each import is one transaction.
public struct ServerStore: Sendable {
    public let writer: any DatabaseWriter
    let wallClock: @Sendable () -> Int64
    /// New ids (the store's identity, conflict records), injected so that a seeded simulation
    /// replays exactly.
    let newID: @Sendable () -> RecordID

    init(writer: any DatabaseWriter, wallClock: @escaping @Sendable () -> Int64, newID: @escaping @Sendable () -> RecordID) {
        self.writer = writer
        self.wallClock = wallClock
        self.newID = newID
    }

    /// Opens the store at `path`, creating it (with a new identity) when there is no file.
    /// A file that is not an Accord server store is refused.
    public static func open(
        at path: String,
        wallClock: @escaping @Sendable () -> Int64 = HybridLogicalClock.wallMillisNow,
        newID: @escaping @Sendable () -> RecordID = { RecordID.generate() }
    ) throws -> ServerStore {
        if FileManager.default.fileExists(atPath: path) {
            var configuration = Configuration()
            configuration.readonly = true
            // Waits for a lock held elsewhere (`sqlite3 .backup`, a command): busy is not "unreadable".
            configuration.busyMode = .timeout(10)
            let id: Int32
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                id = try queue.read { db in try Int32.fetchOne(db.cachedStatement(sql: "PRAGMA application_id")) ?? 0 }
                try queue.close()
            } catch {
                throw StoreError(.notAReplica, "\(path) is not an SQLite database, so not an Accord server store")
            }
            guard id == applicationID else {
                throw StoreError(.notAReplica, "\(path) is not an Accord server store")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // The push that grows the log past this many pages copies it into the database, with two
        // syncs to disk, while every other push waits for the writer: at SQLite's 1,000 pages
        // (4 MB) that was every few hundred milliseconds of pushing, and the cores sat idle.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try prepare(pool, wallMillis: wallClock(), newID: newID)
        return ServerStore(writer: pool, wallClock: wallClock, newID: newID)
    }

    /// A store in memory, for tests.
    public static func inMemory(
        wallClock: @escaping @Sendable () -> Int64 = HybridLogicalClock.wallMillisNow,
        newID: @escaping @Sendable () -> RecordID = { RecordID.generate() }
    ) throws -> ServerStore {
        let queue = try DatabaseQueue()
        try prepare(queue, wallMillis: wallClock(), newID: newID)
        return ServerStore(writer: queue, wallClock: wallClock, newID: newID)
    }

    private static func prepare(_ writer: any DatabaseWriter, wallMillis: Int64, newID: () -> RecordID) throws {
        if try writer.read({ db in try migrator.hasBeenSuperseded(db) }) {
            throw StoreError(.tooNew, "the server store was written by a newer version of Accord")
        }
        try migrator.migrate(writer)
        try writer.write { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM server")) == 0 {
                try db.execute(
                    sql: "INSERT INTO server (singleton, identity, created_at) VALUES (1, ?, ?)",
                    arguments: [newID().text, isoTimestamp(millis: wallMillis)]
                )
            }
        }
    }

    /// The store's identity, which replicas check before they sync.
    public func identity() throws -> String {
        try writer.read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT identity FROM server")) ?? "" }
    }

    /// The highest sequence written so far (0 for an empty store).
    public func lastSeq() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_seq FROM server")) ?? 0 }
    }
}
