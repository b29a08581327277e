import Domain
import Foundation
import GRDB
import Testing
import TestSupport
@testable import Storage

/// A replica file written by the first released schema (`v1-replica`), kept as it was made:
/// an analyst "fixture" added a meeting and two commitments, edited one, deleted the other,
/// then the file was VACUUMed. Every later migration must open it without losing anything.
@Suite struct ReplicaStoreFixtureTests {
    let meeting = RecordID("01a227dc-fc83-7dcc-84c5-bb39f433805f")!
    let fund = RecordID("01a227dc-fda4-7e34-9ef5-a168518f31de")!
    let progress = RecordID("01a227dc-fec7-76c2-a4cd-e5c88ed7986d")!

    /// Runs `body` on a fresh copy of the fixture, in a directory that lives until it returns.
    func withFixture(_ body: (ReplicaStore) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        let source = try #require(Bundle.module.url(forResource: "replica-v1", withExtension: "sqlite", subdirectory: "Fixtures"))
        let path = directory.file("replica.db")
        try FileManager.default.copyItem(atPath: source.path, toPath: path)
        try withExtendedLifetime(directory) { try body(try ReplicaStore.open(at: path)) }
    }

    @Test("a v1 replica file opens with its identity, rows, versions, outbox and history intact")
    func opensV1File() throws { try withFixture { store in
        let identity = try store.identity()
        #expect(identity.analyst == "fixture")
        #expect(identity.replicaID == "01a227dc-fb8c-7752-809c-59be517cd57c")
        let row = try #require(try store.record(.commitments, id: fund))
        #expect(row["amount"] == .text("17000000") && row["status"] == .text("delivered") && row["tags"] == .text("uk"))
        #expect(row["meeting_id"] == .text(meeting.text))
        #expect(try store.record(.commitments, id: progress)?.deleted == true)
        #expect(try store.versions(.commitments, id: fund)["status"]?.pending == true)
        #expect(try store.history(.commitments, id: fund).map(\.field) == ["*", "status"])
        #expect(try store.status().pendingChanges == 17)
        let applied = try store.writer.read { db in try ReplicaStore.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(ReplicaStore.migrator.migrations))
    } }

    @Test("a v1 replica file, VACUUMed, keeps its full-text index in step and takes new edits")
    func v1FileStaysUsable() throws { try withFixture { store in
        var filter = RecordFilter()
        filter.search = "green finance"
        #expect(try store.list(.commitments, filter: filter).map(\.id) == [fund])
        try store.update(.commitments, id: fund, changes: ["title": .text("UK concessional finance")])
        filter.search = "concessional"
        #expect(try store.list(.commitments, filter: filter).map(\.id) == [fund])
        let integrity = try store.writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        // FTS5's own check that the index matches the commitments table (throws if not).
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO commitments_fts(commitments_fts) VALUES ('integrity-check')")
        }
    } }
}
