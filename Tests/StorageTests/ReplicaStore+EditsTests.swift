import Domain
import GRDB
import Testing
import TestSupport
@testable import Storage

/// One outbox entry as stored.
struct OutboxEntry: Equatable {
    var field: String
    var value: FieldValue
    var baseSeq: Int64
    var hlc: Int64
    var sent: Bool
}

extension ReplicaStore {
    func outbox(_ id: RecordID) throws -> [OutboxEntry] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE row_id = ? ORDER BY local_seq", arguments: [id]).map {
                OutboxEntry(field: $0["field"], value: $0["value"] ?? .null, baseSeq: $0["base_seq"], hlc: $0["hlc"], sent: $0["sent"])
            }
        }
    }

    func count(_ table: String) throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    /// What sync will do when the server acknowledges a field: record its server sequence.
    func setServerSeq(_ id: RecordID, _ field: String, _ seq: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE field_versions SET server_seq = ? WHERE row_id = ? AND field = ?", arguments: [seq, id, field])
        }
    }
}

let minimal: [String: FieldValue] = ["title": .text("£17m to the ASEAN Green Finance Fund"), "party": .text("United Kingdom")]

@Suite struct ReplicaStoreEditsTests {
    @Test("insert writes the row, a version and an outbox entry per set field, and one history entry")
    func insertBookkeeping() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        var values = minimal
        values["amount"] = .text("17000000")
        values["currency"] = .text("GBP")
        let id = try store.insert(.commitments, values: values)
        let row = try #require(try store.record(.commitments, id: id))
        #expect(row["amount"] == .text("17000000"))
        #expect(row.deleted == false)
        let outbox = try store.outbox(id)
        #expect(Set(outbox.map(\.field)) == ["title", "party", "amount", "currency"])
        #expect(outbox.allSatisfy { $0.baseSeq == 0 && !$0.sent })
        let versions = try store.versions(.commitments, id: id)
        #expect(versions.count == 4)
        #expect(versions["amount"]?.analyst == "alice")
        #expect(versions["amount"]?.serverSeq == nil)
        #expect(versions["amount"]?.pending == true)
        let history = try store.history(.commitments, id: id)
        #expect(history.map(\.field) == ["*"])
        #expect(history.first?.origin == "created" && history.first?.analyst == "alice")
    }

    @Test("a push batch is cut by bytes as well as by count, never empty, and the rest waits unsent")
    func pushBatchByBytes() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        let long = String(repeating: "é", count: 3990) // about 8,000 bytes
        for index in 1...3 {
            var values = minimal
            values["notes"] = .text(long + "\(index)")
            try store.insert(.commitments, values: values)
        }
        #expect(try store.count("outbox") == 9)
        let first = try store.beginPush(limit: 100, maxBytes: 10_000)
        #expect(first.count < 9 && first.filter { $0.change.field == "notes" }.count == 1)
        // Unacknowledged entries go again first; one change always goes, however large.
        #expect(try store.beginPush(limit: 100, maxBytes: 1).map(\.localSeq) == [first[0].localSeq])
        let unsent = try store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE sent = 0") }
        #expect(unsent == 9 - first.count)
    }

    @Test("repeated edits of one field collapse into one entry: latest value, first base")
    func outboxCollapse() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        try store.writer.write { db in try db.execute(sql: "DELETE FROM outbox") } // as if pushed
        try store.setServerSeq(id, "title", 5)
        try store.update(.commitments, id: id, changes: ["title": .text("first")])
        try store.setServerSeq(id, "title", 9) // even if the known sequence moved meanwhile
        try store.update(.commitments, id: id, changes: ["title": .text("second")])
        try store.update(.commitments, id: id, changes: ["title": .text("third")])
        let outbox = try store.outbox(id)
        #expect(outbox.count == 1)
        #expect(outbox.first?.value == .text("third"))
        #expect(outbox.first?.baseSeq == 5)
    }

    @Test("an edit records the row's deleted-field sequence as known then, for the server's delete check")
    func aliveBaseIsCapturedAtEdit() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        try store.writer.write { db in
            try db.execute(sql: "DELETE FROM outbox")
            try db.execute(sql: "INSERT INTO field_versions VALUES ('commitments', ?, 'deleted', 7, 0, 'r', 'a')", arguments: [id])
        }
        try store.update(.commitments, id: id, changes: ["status": .text("pledged")])
        // Later knowledge of the row (a pull) must not change what the edit was based on.
        try store.setServerSeq(id, "deleted", 9)
        let alive = try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT alive_base_seq FROM outbox WHERE field = 'status'") }
        #expect(alive == 7)
    }

    @Test("an outbox entry that has been sent is frozen; a later edit gets a new entry")
    func sentEntryIsFrozen() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        try store.writer.write { db in try db.execute(sql: "UPDATE outbox SET sent = 1 WHERE field = 'title'") }
        try store.update(.commitments, id: id, changes: ["title": .text("after send")])
        let titles = try store.outbox(id).filter { $0.field == "title" }
        #expect(titles.count == 2)
        #expect(titles[0].value == minimal["title"] && titles[0].sent)
        #expect(titles[1].value == .text("after send") && !titles[1].sent)
    }

    @Test("an edit that changes nothing writes nothing")
    func noOpEdit() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        let changed = try store.update(.commitments, id: id, changes: ["party": .text("United Kingdom")])
        #expect(changed.isEmpty)
        #expect(try store.count("history") == 1)
    }

    @Test("a rejected edit leaves row, versions, outbox, history and clock as they were")
    func rejectedEditIsAtomic() throws {
        let clock = ManualClock()
        let store = try ReplicaStore.inMemory(wallClock: clock.reader)
        let id = try store.insert(.commitments, values: minimal)
        let before = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") }
        clock.now += 1000
        let error = #expect(throws: StoreError.self) {
            // amount without currency: the amount would be written before the row is checked
            try store.update(.commitments, id: id, changes: ["amount": .text("5"), "title": .text("changed")])
        }
        #expect(error?.code == .invalid)
        #expect(error?.message.contains("currency") == true)
        #expect(try store.record(.commitments, id: id)?["title"] == minimal["title"])
        #expect(try store.count("outbox") == 2)
        #expect(try store.count("history") == 1)
        #expect(try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") } == before)
    }

    @Test("delete writes a tombstone that syncs; the row stays; a second delete is refused")
    func deleteIsATombstone() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        try store.delete(.commitments, id: id)
        let row = try #require(try store.record(.commitments, id: id))
        #expect(row.deleted)
        #expect(row["title"] == minimal["title"])
        #expect(try store.outbox(id).last == OutboxEntry(field: "deleted", value: .integer(1), baseSeq: 0,
                                                        hlc: try store.outbox(id).last!.hlc, sent: false))
        #expect(try store.list(.commitments).isEmpty)
        #expect(try store.list(.commitments, filter: { var f = RecordFilter(); f.includeDeleted = true; return f }()).count == 1)
        #expect(throws: StoreError.self) { try store.delete(.commitments, id: id) }
        let editDeleted = #expect(throws: StoreError.self) { try store.update(.commitments, id: id, changes: ["title": .text("x")]) }
        #expect(editDeleted?.code == .deleted)
    }

    @Test("unknown ids are refused")
    func unknownID() throws {
        let store = try ReplicaStore.inMemory()
        let id = RecordID.generate()
        #expect((#expect(throws: StoreError.self) { try store.update(.commitments, id: id, changes: minimal) })?.code == .notFound)
        #expect((#expect(throws: StoreError.self) { try store.delete(.commitments, id: id) })?.code == .notFound)
    }

    @Test("a commitment may name a meeting not yet here: sync may bring it later")
    func danglingMeetingReference() throws {
        let store = try ReplicaStore.inMemory()
        var values = minimal
        let meeting = RecordID.generate()
        values["meeting_id"] = .text(meeting.text)
        let id = try store.insert(.commitments, values: values)
        #expect(try store.record(.commitments, id: id)?["meeting_id"] == .text(meeting.text))
    }

    @Test("an edit checks only what it changes, so a row that sync merged into breaking a rule stays editable")
    func editChecksOnlyChangedFields() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        // As if A set an amount while B cleared the currency: the merge breaks "amount needs a currency".
        try store.writer.write { db in try db.execute(sql: "UPDATE commitments SET amount = '5' WHERE id = ?", arguments: [id]) }
        #expect(try store.update(.commitments, id: id, changes: ["status": .text("pledged")]) == ["status"])
        let touchingTheRule = #expect(throws: StoreError.self) {
            try store.update(.commitments, id: id, changes: ["amount": .text("6")])
        }
        #expect(touchingTheRule?.message.contains("currency") == true)
        #expect(try store.update(.commitments, id: id, changes: ["amount": .text("6"), "currency": .text("EUR")]) == ["amount", "currency"])
    }

    @Test("a command that changes nothing commits nothing, not even the clock")
    func noOpCommitsNothing() throws {
        let clock = ManualClock()
        let store = try ReplicaStore.inMemory(wallClock: clock.reader)
        let id = try store.insert(.commitments, values: minimal)
        let before = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") }
        clock.now += 5000
        #expect(try store.update(.commitments, id: id, changes: minimal).isEmpty)
        #expect(try store.importSample().inserted > 0)
        let afterSample = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") }
        #expect(afterSample != before)
        clock.now += 5000
        #expect(try store.importSample().inserted == 0)
        #expect(try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") } == afterSample)
    }

    @Test("the clock never goes backwards, even when the wall clock does, across commands")
    func clockIsMonotonic() throws {
        let clock = ManualClock(millis: 2_000_000)
        let store = try ReplicaStore.inMemory(wallClock: clock.reader)
        let id = try store.insert(.commitments, values: minimal)
        clock.now = 1_000_000 // wall clock set back
        try store.update(.commitments, id: id, changes: ["title": .text("b")])
        try store.update(.commitments, id: id, changes: ["title": .text("c")])
        let stamps = try store.history(.commitments, id: id).map(\.hlc)
        #expect(stamps.count == 3)
        #expect(stamps[1] > stamps[0] && stamps[2] > stamps[1])
        #expect(stamps[2].wallMillis == 2_000_000)
    }
}
