import Domain
import Foundation
import GRDB

/// An analyst's local replica: the commitments and meetings tables plus the sync metadata
/// beside them, in one SQLite file in WAL mode.
///
/// Every method that writes does so in one transaction: the user table, the field versions,
/// the outbox and the history change together or not at all.
///
/// ```swift
/// let store = try ReplicaStore.create(at: "accord.db", analyst: "alice")
/// let id = try store.insert(.commitments, values: ["title": .text("£17m"), "party": .text("UK")])
/// ```
public struct ReplicaStore: Sendable {
    /// The database. Exposed for tests and tools; use the store's methods to change data.
    public let writer: any DatabaseWriter
    /// Milliseconds since 1970, injected so that tests control the clock.
    let wallClock: @Sendable () -> Int64
    /// New row ids, injected so that a seeded simulation replays exactly.
    let newID: @Sendable () -> RecordID

    init(writer: any DatabaseWriter, wallClock: @escaping @Sendable () -> Int64, newID: @escaping @Sendable () -> RecordID) {
        self.writer = writer
        self.wallClock = wallClock
        self.newID = newID
    }

    /// Who this replica is and where it syncs.
    public struct Identity: Sendable, Hashable {
        public var replicaID: String
        public var analyst: String
        public var createdAt: String
        public var server: String?
        public var token: String?
        public var serverIdentity: String?
        public var cursor: Int64
        public var lastSyncAt: String?
    }

    /// Creates a new replica file; fails if anything already exists at `path`.
    ///
    /// The file is built under a temporary name and moved into place only when complete, so an
    /// interrupted `init` leaves no half-made replica behind.
    public static func create(
        at path: String,
        analyst: String,
        server: String? = nil,
        token: String? = nil,
        wallClock: @escaping @Sendable () -> Int64 = HybridLogicalClock.wallMillisNow,
        newID: @escaping @Sendable () -> RecordID = { RecordID.generate() }
    ) throws -> ReplicaStore {
        let url = URL(fileURLWithPath: path)
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: path) {
            throw StoreError(.alreadyExists, "\(path) already exists; choose another path or remove it first")
        }
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError(.notFound, "no such directory: \(directory)")
        }
        let temporary = directory + "/.\(url.lastPathComponent).\(UUID().uuidString).tmp"
        do {
            let queue = try DatabaseQueue(path: temporary)
            try migrator.migrate(queue)
            try queue.write { db in
                try insertIdentity(db, replicaID: newID(), analyst: analyst, server: server, token: token, wallMillis: wallClock())
            }
            try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try queue.close()
            // The replica holds the analyst's server token: readable by its owner only.
            try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
            try fileManager.moveItem(atPath: temporary, toPath: path)
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                try? fileManager.removeItem(atPath: temporary + suffix)
            }
            throw error
        }
        return try open(at: path, wallClock: wallClock, newID: newID)
    }

    /// Opens an existing replica. A missing file, a file that is not SQLite, and an SQLite file
    /// that is not an Accord replica are refused before anything is written to them.
    public static func open(
        at path: String,
        wallClock: @escaping @Sendable () -> Int64 = HybridLogicalClock.wallMillisNow,
        newID: @escaping @Sendable () -> RecordID = { RecordID.generate() }
    ) throws -> ReplicaStore {
        try checkIsReplica(at: path)
        // One connection: a command is one process doing one thing at a time. The file is in
        // WAL mode since `create`; a DatabasePool would also write a probe table on every open,
        // and a command that fails must leave the file byte-for-byte as it was.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // WAL's usual setting, as GRDB gives the server's pool: a commit is not synced to disk
        // (SQLite's FULL synced the log at every one of a sync's transactions, and 20 replicas
        // syncing at once waited on the disk), the log is synced when it is checkpointed, and
        // closing the replica at the end of every command checkpoints it. A power cut before
        // then can roll back the last transactions, never corrupt the file: a command that had
        // not finished, or a sync's steps, which the next sync does again (an unsent entry the
        // server had applied is renumbered by `renumberOutbox`, as for a replica restored from
        // a copy). A crash of the process alone loses nothing.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let migrator = migrator
        let upToDate = try queue.read { db in try migrator.hasCompletedMigrations(db) }
        if !upToDate { try migrator.migrate(queue) }
        return ReplicaStore(writer: queue, wallClock: wallClock, newID: newID)
    }

    /// A replica in memory, for tests.
    public static func inMemory(
        analyst: String = "tester",
        wallClock: @escaping @Sendable () -> Int64 = HybridLogicalClock.wallMillisNow,
        newID: @escaping @Sendable () -> RecordID = { RecordID.generate() }
    ) throws -> ReplicaStore {
        let queue = try DatabaseQueue()
        try migrator.migrate(queue)
        try queue.write { db in
            try insertIdentity(db, replicaID: newID(), analyst: analyst, server: nil, token: nil, wallMillis: wallClock())
        }
        return ReplicaStore(writer: queue, wallClock: wallClock, newID: newID)
    }

    private static func insertIdentity(
        _ db: Database, replicaID: RecordID, analyst: String, server: String?, token: String?, wallMillis: Int64
    ) throws {
        try db.execute(
            sql: "INSERT INTO replica (singleton, replica_id, analyst, created_at, server, token) VALUES (1, ?, ?, ?, ?, ?)",
            arguments: [replicaID.text, analyst, isoTimestamp(millis: wallMillis), server, token]
        )
    }

    private static func checkIsReplica(at path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(.notFound, "no replica at \(path) (create one with `accord init`)")
        }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StoreError(.notAReplica, "\(path) is not an SQLite database, so not an Accord replica")
        }
        var configuration = Configuration()
        configuration.readonly = true
        // Waits, as the store itself does, for a lock held elsewhere (another command, `sqlite3`,
        // a reader recovering the journal after a killed sync): busy is not "unreadable".
        configuration.busyMode = .timeout(10)
        let (applicationID, superseded): (Int32, Bool)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            (applicationID, superseded) = try queue.read { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                return (id, id == Self.applicationID ? try migrator.hasBeenSuperseded(db) : false)
            }
            try queue.close()
        } catch {
            throw StoreError(.notAReplica, "\(path) cannot be read as an SQLite database")
        }
        guard applicationID == Self.applicationID else {
            throw StoreError(.notAReplica, "\(path) is an SQLite database but not an Accord replica")
        }
        if superseded {
            throw StoreError(.tooNew, "\(path) was written by a newer version of Accord; upgrade to open it")
        }
    }

    /// This replica's identity and sync state.
    public func identity() throws -> Identity {
        try reading { db in try Self.identity(db) }
    }

    /// Reads in one deferred transaction, as `writer.read` does, but without the
    /// `PRAGMA query_only` that GRDB sets around a `DatabaseQueue`'s reads: SQLite expires every
    /// prepared statement of the connection when that flag changes, so each such read made
    /// every cached statement compile again at its next use (an eighth of a sync's time).
    public func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.deferred) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    static func identity(_ db: Database) throws -> Identity {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM replica WHERE singleton = 1")) else {
            throw StoreError(.notAReplica, "the replica has no identity row")
        }
        return Identity(
            replicaID: row["replica_id"], analyst: row["analyst"], createdAt: row["created_at"],
            server: row["server"], token: row["token"], serverIdentity: row["server_identity"],
            cursor: row["cursor"], lastSyncAt: row["last_sync_at"]
        )
    }
}

/// `2025-07-10T08:30:00.000Z` for a time in milliseconds since 1970.
func isoTimestamp(millis: Int64) -> String {
    HLCTimestamp(wallMillis: millis, counter: 0).description
}
