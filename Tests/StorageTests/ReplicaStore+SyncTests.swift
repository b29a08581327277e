import Domain
import Foundation
import GRDB
import Testing
import TestSupport
@testable import Storage

@Suite struct ReplicaStoreSyncTests {
    /// The server's answer that alice's change stands at `seq`.
    func accepted(_ pushed: PushedChange, seq: Int64) -> PushResult {
        PushResult(localSeq: pushed.localSeq, outcome: .accepted, seq: seq,
                   current: PulledField(value: pushed.change.value, seq: seq, hlc: pushed.change.hlc, replicaID: "r-alice", analyst: "alice"))
    }

    /// The lines of SQLite's query plan of `sql` that scan the outbox table.
    func outboxScans(_ sql: String, in store: ReplicaStore) throws -> [String] {
        try store.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
        }.filter { $0.hasPrefix("SCAN outbox") }
    }

    @Test("a pulled batch inserts new rows whole with one history entry each, and changes known rows field by field")
    func pulledRowsNewAndKnown() throws {
        let store = try ReplicaStore.inMemory(analyst: "carol")
        let field = { (value: FieldValue, seq: Int64, hlc: Int64, analyst: String) in
            PulledField(value: value, seq: seq, hlc: HLCTimestamp(rawValue: hlc << 16), replicaID: "r-\(analyst)", analyst: analyst)
        }
        let a = try #require(RecordID("01890a5d-ac96-774b-bcce-b302099a8057"))
        let b = try #require(RecordID("01890a5d-ac96-774b-bcce-b302099a8058"))
        // `b` comes in two parts of one batch, as a row whose fields span two server writes.
        let first = try store.applyPulled([
            PulledRow(entity: "commitments", id: b, fields: ["title": field(.text("Fund B"), 1, 300, "bob")]),
            PulledRow(entity: "commitments", id: a, fields: ["title": field(.text("£17m fund"), 2, 200, "bob"),
                                                              "party": field(.text("UK"), 3, 100, "alice"),
                                                              "notes": field(.null, 4, 150, "bob")]),
            PulledRow(entity: "commitments", id: b, fields: ["party": field(.text("ASEAN"), 5, 400, "dave")]),
        ], cursor: 5)
        #expect(first == PullApplied(fields: 5, skipped: 0))
        #expect(try store.record(.commitments, id: a)?.values["title"] == .text("£17m fund"))
        #expect(try store.record(.commitments, id: b)?.values["title"] == .text("Fund B"))
        #expect(try store.record(.commitments, id: b)?.values["party"] == .text("ASEAN"))
        #expect(try store.record(.commitments, id: b)?.deleted == false)
        let created = try store.history(.commitments, id: a)
        #expect(created.map(\.field) == ["*"])
        #expect(created.first?.analyst == "alice" && created.first?.origin == "sync")
        #expect(created.first?.newValue.text?.contains("\"party\":\"UK\"") == true)
        #expect(try store.history(.commitments, id: b).map(\.field) == ["*"])
        #expect(try store.cursor() == 5)
        let versions = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM field_versions") }
        #expect(versions == 5)

        // A known row: a history entry per changed field; a field with a local edit waiting is left alone.
        try store.update(.commitments, id: a, changes: ["notes": .text("carol's note")])
        let second = try store.applyPulled([
            PulledRow(entity: "commitments", id: a, fields: ["title": field(.text("£17m green fund"), 6, 500, "bob"),
                                                              "notes": field(.text("bob's note"), 7, 500, "bob")]),
        ], cursor: 7)
        #expect(second == PullApplied(fields: 1, skipped: 1))
        #expect(try store.record(.commitments, id: a)?.values["notes"] == .text("carol's note"))
        let history = try store.history(.commitments, id: a)
        #expect(history.map(\.field) == ["*", "notes", "title"])
        #expect(history.last?.oldValue == .text("£17m fund") && history.last?.newValue == .text("£17m green fund"))
    }

    @Test("a pulled batch updates the known rows that changed the same fields in one statement, and search finds their new words")
    func pulledUpdatesShareStatements() throws {
        let store = try ReplicaStore.inMemory(analyst: "carol")
        let field = { (value: String, seq: Int64) in
            PulledField(value: .text(value), seq: seq, hlc: HLCTimestamp(rawValue: seq << 16), replicaID: "r-bob", analyst: "bob")
        }
        let ids = try (0..<3).map { try #require(RecordID("01890a5d-ac96-774b-bcce-b302099a805\($0)")) }
        _ = try store.applyPulled(ids.enumerated().map { index, id in
            PulledRow(entity: "commitments", id: id, fields: ["title": field("Fund \(index) mangrove", Int64(index * 2 + 1)),
                                                               "notes": field("first", Int64(index * 2 + 2))])
        }, cursor: 6)
        // Rows 0 and 1 change notes and title (row 0 in two parts), row 2 only its notes.
        let batch = [
            PulledRow(entity: "commitments", id: ids[0], fields: ["notes": field("second", 7)]),
            PulledRow(entity: "commitments", id: ids[2], fields: ["notes": field("second", 8), "title": field("Fund 2 mangrove", 3)]),
            PulledRow(entity: "commitments", id: ids[1], fields: ["notes": field("second", 9), "title": field("Fund 1 seagrass", 10)]),
            PulledRow(entity: "commitments", id: ids[0], fields: ["title": field("Fund 0 seagrass", 11)]),
        ]
        var applied = PullApplied()
        let traced = try store.statements { applied = try store.applyPulled(batch, cursor: 11) }
        #expect(applied == PullApplied(fields: 6, skipped: 0))
        let updates = traced.filter { $0.sql.hasPrefix("UPDATE commitments") }
        #expect(updates.count == 2, "\(updates.map(\.expanded))")
        #expect(try ids.map { try store.record(.commitments, id: $0)?.values["notes"] } == Array(repeating: .text("second"), count: 3))
        #expect(try ids.map { try store.record(.commitments, id: $0)?.values["title"] }
            == [.text("Fund 0 seagrass"), .text("Fund 1 seagrass"), .text("Fund 2 mangrove")])
        func found(_ words: String) throws -> [RecordID] {
            var filter = RecordFilter()
            filter.search = words
            return try store.list(.commitments, filter: filter).map(\.id).sorted { $0.text < $1.text }
        }
        #expect(try found("seagrass") == [ids[0], ids[1]])
        #expect(try found("mangrove") == [ids[2]])
        #expect(try found("second") == ids)
        #expect(try found("first").isEmpty)
        // FTS5's own check throws if the index and the table disagree.
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO commitments_fts(commitments_fts, rank) VALUES ('integrity-check', 1)")
        }
        #expect(try store.history(.commitments, id: ids[0]).map(\.field) == ["*", "notes", "title"])
        #expect(try store.history(.commitments, id: ids[2]).map(\.field) == ["*", "notes"])
    }

    // Regression: the pending-edit check of every pulled or acknowledged field named no `sent`,
    // so neither partial index of the outbox served it and each field scanned the whole outbox.
    // A 20,000-row import (160,000 entries) pushed one 500-change batch in about 20 seconds.
    @Test("applying a pull or a push acknowledgement finds pending edits through an index, never a scan of the outbox")
    func pendingLookupsUseAnIndex() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        let ids = try (0..<20).map { index in
            try store.insert(.commitments, values: ["title": .text("Row \(index)"), "party": .text("Party"), "status": .text("pledged")])
        }
        // One batch acknowledged, one sent and waiting for its acknowledgement, the rest unsent.
        let acknowledged = try store.beginPush(limit: 10)
        let inFlight = try store.beginPush(limit: 20).filter { $0.localSeq > acknowledged.last!.localSeq }
        let results = acknowledged.enumerated().map { index, pushed in
            accepted(pushed, seq: Int64(index + 1))
        }
        let bob = { (value: String, seq: Int64) in
            PulledField(value: .text(value), seq: seq, hlc: HLCTimestamp(rawValue: 1 << 20), replicaID: "r-bob", analyst: "bob")
        }
        let pulled = ids.map { PulledRow(entity: "commitments", id: $0, fields: ["status": bob("delivered", 100), "notes": bob("bob's", 101)]) }
        let executed = try store.statements {
            try store.applyAcknowledgements(results)
            _ = try store.applyPulled(pulled, cursor: 101)
        }
        let outboxStatements = executed.filter { $0.sql.contains("outbox") }
        #expect(outboxStatements.contains { $0.sql == ReplicaStore.pendingEntrySQL })
        for statement in outboxStatements {
            #expect(try outboxScans(statement.expanded, in: store).isEmpty, "\(statement.sql)")
        }

        // The lookup still tells pending fields, sent or not, from free ones.
        let sentStatus = try #require(inFlight.first { $0.change.field == "status" }?.change.id)
        let acknowledgedStatus = try #require(acknowledged.first { $0.change.field == "status" }?.change.id)
        for (id, status) in [(acknowledgedStatus, "delivered"), (sentStatus, "pledged"), (ids.last!, "pledged")] {
            let row = try #require(try store.record(.commitments, id: id))
            #expect(row["status"] == .text(status))
            #expect(row["notes"] == .text("bob's"))
        }
    }

    @Test("a pull that reaches a row created here and not pushed yet keeps the fields its entry sends and takes the others")
    func pullReachesANewRow() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        // The sample's ids are fixed: bob's replica pushed the same row first.
        let id = try #require(RecordID("01890a5d-ac96-774b-bcce-b302099a8057"))
        try store.insert(.commitments, id: id, values: ["title": .text("Fund"), "party": .text("UK")])
        let number = try #require(try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT local_seq FROM outbox") })
        let bob = { (value: String, seq: Int64) in
            PulledField(value: .text(value), seq: seq, hlc: HLCTimestamp(rawValue: 1 << 20), replicaID: "r-bob", analyst: "bob")
        }
        let applied = try store.applyPulled([PulledRow(entity: "commitments", id: id, fields: [
            "title": bob("Bob's fund", 10), "party": bob("UK", 11), "notes": bob("from bob", 12),
        ])], cursor: 12)
        #expect(applied.fields == 1 && applied.skipped == 2)
        let row = try #require(try store.record(.commitments, id: id))
        #expect(row["title"] == .text("Fund") && row["notes"] == .text("from bob"))
        // The row's entry became an unsent entry for each field it stands for, in its numbers.
        let entries = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT local_seq, field, value, sent FROM outbox ORDER BY local_seq")
        }
        #expect(entries.map { $0["field"] as String } == ["title", "party"])
        #expect(entries.allSatisfy { ($0["local_seq"] as Int64) > number - NewRowEntry.span && ($0["local_seq"] as Int64) < number })
        #expect(entries.allSatisfy { ($0["sent"] as Bool) == false })
        let versions = try store.versions(.commitments, id: id)
        #expect(versions["notes"]?.serverSeq == 12 && versions["notes"]?.pending == false)
        #expect(versions["title"]?.serverSeq == nil && versions["title"]?.analyst == "alice" && versions["title"]?.pending == true)
        // The push sends them based on nothing, for the server to judge against bob's.
        let pushed = try store.beginPush(limit: 100)
        #expect(pushed.map(\.change.field) == ["title", "party"] && pushed.allSatisfy { $0.baseSeq == 0 })
    }

    @Test("entries numbered at or below the server's mark move above it, and a new row's entry moves when its fields' numbers reach it")
    func renumberAboveHighWater() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        let first = try store.insert(.commitments, values: ["title": .text("Fund"), "party": .text("UK")])
        try store.pushAccepted()
        try store.update(.commitments, id: first, changes: ["notes": .text("edited")])
        let second = try store.insert(.commitments, values: ["title": .text("Programme"), "party": .text("UK")])
        let numbers = try store.writer.read { db in try Int64.fetchAll(db, sql: "SELECT local_seq FROM outbox ORDER BY local_seq") }
        // The edit's entry, then the new row's, which keeps the numbers below it for its fields.
        #expect(numbers.count == 2 && numbers[1] == numbers[0] + NewRowEntry.span)
        // A mark below the new row's entry but above the lowest number it keeps moves both.
        let mark = numbers[1] - 2
        #expect(try store.renumberOutbox(aboveServerHighWater: mark) == 2)
        let pushed = try store.beginPush(limit: 100)
        #expect(pushed.map(\.change.id) == [first, second, second])
        #expect(pushed.allSatisfy { $0.localSeq > mark })
        #expect(pushed.map(\.localSeq) == pushed.map(\.localSeq).sorted())
        // Nothing is left at or below it: a second call moves nothing.
        #expect(try store.renumberOutbox(aboveServerHighWater: mark) == 0)
        #expect(try store.count("outbox") == 3)
    }

    @Test("a batch begun after one still in flight takes the entries after it; a later sync sends both again, frozen")
    func pushAfterABatchInFlight() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        for title in ["Fund", "Programme"] {
            try store.insert(.commitments, values: ["title": .text(title), "party": .text("UK"), "status": .text("pledged")])
        }
        let all = try store.beginPush(limit: 100)
        #expect(all.count == 6)
        // A fresh sync: two batches on their way, the second begun after the first.
        let first = try store.beginPush(limit: 2)
        let second = try store.beginPush(limit: 2, after: first.last!.localSeq)
        #expect((first + second).map(\.localSeq) == Array(all.map(\.localSeq).prefix(4)))
        #expect(try store.beginPush(limit: 100, after: all.last!.localSeq).isEmpty)
        // Both were cut off: an edit of a field in the second batch gets an entry of its own, and
        // the next sync sends everything again from the first entry, the edit last.
        let field = second[0].change.field
        _ = try store.update(.commitments, id: second[0].change.id, changes: [field: field == "status" ? .text("delivered") : .text("Edited")])
        let again = try store.beginPush(limit: 100)
        #expect(again.count == all.count + 1)
        #expect(Array(again.prefix(all.count)).map(\.localSeq) == all.map(\.localSeq))
        #expect(again.last!.change.field == field && again.last!.localSeq > all.last!.localSeq)
    }

    @Test("an accepted change takes the server's sequence without reading its row or writing history; an overruled one is written as pulled")
    func acceptedAcknowledgementsWriteOnlyVersions() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        let standing = try store.insert(.commitments, values: ["title": .text("Fund"), "party": .text("UK"), "status": .text("pledged")])
        let overruled = try store.insert(.commitments, values: ["title": .text("Plan"), "party": .text("ASEAN"), "status": .text("pledged")])
        let batch = try store.beginPush(limit: 100)
        let historyBefore = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM history") }
        var seq: Int64 = 40
        let results = batch.map { pushed in
            seq += 1
            guard pushed.change.id == overruled && pushed.change.field == "status" else {
                return accepted(pushed, seq: seq)
            }
            // Bob's later status stands; alice's is kept in a conflict record.
            return PushResult(localSeq: pushed.localSeq, outcome: .conflict, current: PulledField(
                value: .text("delivered"), seq: 7, hlc: HLCTimestamp(rawValue: pushed.change.hlc.rawValue + 1), replicaID: "r-bob", analyst: "bob"))
        }
        let executed = try store.statements { try store.applyAcknowledgements(results) }
        // One row read, the overruled one's; one history line, its status.
        let rowReads = executed.filter { $0.sql.hasPrefix("SELECT") && $0.sql.contains("FROM commitments WHERE id") }
        #expect(rowReads.map(\.expanded).map { $0.contains(overruled.text) } == [true])
        try store.writer.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM history") == historyBefore! + 1)
            #expect(try String.fetchOne(db, sql: "SELECT origin FROM history ORDER BY seq DESC LIMIT 1") == "overruled")
            let versions = try Row.fetchAll(db, sql: "SELECT row_id, field, server_seq, replica_id FROM field_versions ORDER BY row_id, field")
            #expect(versions.count == 6)
            for version in versions {
                let index = try #require(batch.firstIndex { $0.change.id.text == version["row_id"] && $0.change.field == version["field"] })
                let bobs = batch[index].change.id == overruled && batch[index].change.field == "status"
                #expect(version["server_seq"] == (bobs ? 7 : Int64(41 + index)))
                #expect(version["replica_id"] == (bobs ? "r-bob" : "r-alice"))
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") == 0)
        }
        #expect(try store.record(.commitments, id: standing)?.values["status"] == .text("pledged"))
        #expect(try store.record(.commitments, id: overruled)?.values["status"] == .text("delivered"))
    }

    @Test("an entry inside an acknowledged batch's range that the answer leaves out stays in the outbox")
    func entriesLeftOutOfAnAnswerStay() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        try store.insert(.commitments, values: ["title": .text("Fund"), "party": .text("UK"), "status": .text("pledged")])
        let batch = try store.beginPush(limit: 100)
        #expect(batch.count == 3)
        let answered = [batch[0], batch[2]].enumerated().map { index, pushed in
            accepted(pushed, seq: Int64(index + 1))
        }
        try store.applyAcknowledgements(answered)
        let left = try store.writer.read { db in try Int64.fetchAll(db, sql: "SELECT local_seq FROM outbox") }
        #expect(left == [batch[1].localSeq])
    }

    @Test("an acknowledgement takes each field's last answer in the batch, and leaves alone a field edited since it was sent")
    func acknowledgementsOfAResentBatch() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        let id = try store.insert(.commitments, values: ["title": .text("Fund"), "party": .text("UK"), "status": .text("pledged")])
        let other = try store.insert(.commitments, values: ["title": .text("Other"), "party": .text("ASEAN"), "status": .text("pledged")])
        // The first push is cut before its answer; the title is edited again; the next push
        // resends the first batch with the new edit behind it.
        let cut = try store.beginPush(limit: 100)
        _ = try store.update(.commitments, id: id, changes: ["title": .text("Green Fund")])
        let resent = try store.beginPush(limit: 100)
        #expect(resent.count == cut.count + 1)
        // Meanwhile the other row's party is edited: that entry is not in the batch.
        _ = try store.update(.commitments, id: other, changes: ["party": .text("ASEAN-UK")])
        var seq: Int64 = 0
        let results = resent.map { pushed in
            seq += 1
            // The other row's title is answered with no current version (as for a change the
            // server had no field for): the replica keeps what it has.
            let current = pushed.change.id == other && pushed.change.field == "title" ? nil
                : PulledField(value: pushed.change.value, seq: seq, hlc: pushed.change.hlc, replicaID: "r-alice", analyst: "alice")
            return PushResult(localSeq: pushed.localSeq, outcome: .accepted, seq: seq, current: current)
        }
        try store.applyAcknowledgements(results)

        let lastTitle = try #require(resent.last { $0.change.id == id && $0.change.field == "title" })
        #expect(lastTitle.change.value == .text("Green Fund"))
        let version = { (row: RecordID, field: String) in
            try store.writer.read { db in
                try Int64.fetchOne(db, sql: "SELECT server_seq FROM field_versions WHERE entity = 'commitments' AND row_id = ? AND field = ?",
                                   arguments: [row.text, field])
            }
        }
        // The title's version is its last answer's, not the resent first one's.
        let lastTitleSeq = Int64(try #require(resent.firstIndex { $0.localSeq == lastTitle.localSeq })) + 1
        #expect(try version(id, "title") == lastTitleSeq)
        #expect(try store.record(.commitments, id: id)?.values["title"] == .text("Green Fund"))
        #expect(try version(other, "title") == nil)
        // The other row's party waits to be pushed: its local value and no version from this answer.
        #expect(try store.record(.commitments, id: other)?.values["party"] == .text("ASEAN-UK"))
        #expect(try version(other, "party") == nil)
        #expect(try version(other, "status") != nil)
        // Only the party's new entry is left in the outbox.
        let left = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT row_id || '/' || field FROM outbox") }
        #expect(left == [other.text + "/party"])
    }
}

extension ReplicaStore {
    /// Every statement `body` runs on the store's connection: its SQL, and its SQL with the values.
    func statements(_ body: () throws -> Void) throws -> [(sql: String, expanded: String)] {
        let traced = StatementLog()
        writer.writeWithoutTransaction { db in db.trace { traced.append($0) } }
        defer { writer.writeWithoutTransaction { db in db.trace(options: []) } }
        try body()
        return traced.statements
    }
}

/// Statements traced from the database's thread, read by the test afterwards.
/// `@unchecked Sendable`: the array is guarded by `lock`.
final class StatementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [(sql: String, expanded: String)] = []

    func append(_ event: Database.TraceEvent) {
        guard case .statement(let statement) = event else { return }
        let entry = (sql: statement.sql, expanded: statement.expandedSQL)
        lock.withLock { log.append(entry) }
    }

    var statements: [(sql: String, expanded: String)] { lock.withLock { log } }
}
