import Domain
import Foundation
import GRDB
import Testing
import TestSupport
@testable import Storage

@Suite struct ReplicaStoreTests {
    @Test("create makes a replica with an identity, and refuses a path that exists")
    func createAndRefuseExisting() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.db")
        let store = try ReplicaStore.create(at: path, analyst: "alice", server: "127.0.0.1:7420", token: "t0k")
        let identity = try store.identity()
        #expect(identity.analyst == "alice")
        #expect(identity.server == "127.0.0.1:7420")
        #expect(identity.token == "t0k")
        #expect(RecordID(identity.replicaID) != nil)
        #expect(identity.cursor == 0)

        let before = fileBytes(path)
        let error = #expect(throws: StoreError.self) { try ReplicaStore.create(at: path, analyst: "bob") }
        #expect(error?.code == .alreadyExists)
        #expect(fileBytes(path) == before)
    }

    @Test("a replica file is opened in WAL mode with synchronous NORMAL, and its log is folded in when it closes")
    func walWithNormalSynchronous() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.db")
        do {
            let store = try ReplicaStore.create(at: path, analyst: "alice")
            _ = try store.insert(.commitments, values: ["title": .text("t"), "party": .text("UK")])
            // 1 is NORMAL; SQLite's default, FULL (2), synced the log at every commit.
            #expect(try store.reading { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
            #expect(try store.reading { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        }
        // The last connection closed: the commit is in the file itself, not only in its log.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try ReplicaStore.open(at: path).reading { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM commitments") } == 1)
    }

    @Test("create leaves nothing behind when the directory does not exist")
    func createInMissingDirectory() throws {
        let directory = try TemporaryDirectory()
        let error = #expect(throws: StoreError.self) {
            try ReplicaStore.create(at: directory.file("missing/a.db"), analyst: "alice")
        }
        #expect(error?.code == .notFound)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("open refuses a missing file, a non-SQLite file and a foreign SQLite file, unchanged")
    func openRefusesNonReplicas() throws {
        let directory = try TemporaryDirectory()
        let missing = #expect(throws: StoreError.self) { try ReplicaStore.open(at: directory.file("none.db")) }
        #expect(missing?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: directory.file("none.db")))

        let text = try directory.write("notes.db", "just some text\n")
        let notSQLite = #expect(throws: StoreError.self) { try ReplicaStore.open(at: text) }
        #expect(notSQLite?.code == .notAReplica)
        #expect(try directory.read("notes.db") == "just some text\n")

        let foreign = directory.file("foreign.db")
        let queue = try DatabaseQueue(path: foreign)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t(a); INSERT INTO t VALUES (1)") }
        try queue.close()
        let before = fileBytes(foreign)
        let notAccord = #expect(throws: StoreError.self) { try ReplicaStore.open(at: foreign) }
        #expect(notAccord?.code == .notAReplica)
        #expect(fileBytes(foreign) == before)
    }

    @Test("reopening an existing replica keeps its identity and data and runs no migration again")
    func reopenExisting() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.db")
        let id: RecordID
        let replicaID: String
        do {
            let store = try ReplicaStore.create(at: path, analyst: "alice")
            id = try store.insert(.commitments, values: ["title": .text("T"), "party": .text("P")])
            replicaID = try store.identity().replicaID
        }
        let reopened = try ReplicaStore.open(at: path)
        #expect(try reopened.identity().replicaID == replicaID)
        #expect(try reopened.record(.commitments, id: id)?["title"] == .text("T"))
        let applied = try reopened.writer.read { db in try ReplicaStore.migrator.appliedIdentifiers(db) }
        #expect(applied == ["v1-replica"])
        let journal = try reopened.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test("a replica written by a newer Accord is refused, not migrated")
    func refusesNewerReplica() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.db")
        _ = try ReplicaStore.create(at: path, analyst: "alice")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v999-future')") }
        try queue.close()
        let error = #expect(throws: StoreError.self) { try ReplicaStore.open(at: path) }
        #expect(error?.code == .tooNew)
    }

    @Test("the analyst's tables have exactly the snake_case columns of the design")
    func plainColumns() throws {
        let store = try ReplicaStore.inMemory()
        let columns = try store.writer.read { db in
            (try db.columns(in: "commitments").map(\.name), try db.columns(in: "meetings").map(\.name))
        }
        #expect(columns.0 == ["id", "title", "party", "beneficiary", "kind", "amount", "currency", "qualifier",
                              "disbursed", "status", "meeting_id", "date", "period_start", "period_end", "progress",
                              "source_url", "source_quote", "tags", "notes", "deleted"])
        #expect(columns.1 == ["id", "name", "series", "location", "start_date", "end_date", "notes", "deleted"])
    }
}
