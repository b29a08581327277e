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

    /// What a sync does when the server accepts everything waiting in the outbox: the entries
    /// are sent and leave the outbox, and each field takes the server sequence it was written
    /// at, from `firstSeq` on. Returns what was pushed.
    @discardableResult
    func pushAccepted(firstSeq: Int64 = 1) throws -> [PushedChange] {
        let pushed = try beginPush(limit: 1_000)
        let replica = try identity()
        try applyAcknowledgements(pushed.enumerated().map { index, change in
            let seq = firstSeq + Int64(index)
            return PushResult(localSeq: change.localSeq, outcome: .accepted, seq: seq, current: PulledField(
                value: change.change.value, seq: seq, hlc: change.change.hlc, replicaID: replica.replicaID, analyst: replica.analyst))
        })
        return pushed
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
    @Test("insert writes the row, one outbox entry for it, and one history entry; its fields' versions are the entry's")
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
        #expect(outbox.map(\.field) == ["*"])
        #expect(outbox.allSatisfy { $0.baseSeq == 0 && !$0.sent && $0.value == .null })
        #expect(try store.count("field_versions") == 0)
        #expect(try store.status().pendingChanges == 4)
        let versions = try store.versions(.commitments, id: id)
        #expect(Set(versions.keys) == ["title", "party", "amount", "currency"])
        #expect(versions["amount"]?.analyst == "alice")
        #expect(versions["amount"]?.hlc.rawValue == outbox[0].hlc)
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
        #expect(try store.count("outbox") == 3)
        // A new row goes whole: the first row's title, party and notes, not the second's.
        let first = try store.beginPush(limit: 100, maxBytes: 10_000)
        #expect(first.map(\.change.field).sorted() == ["notes", "party", "title"])
        // Unacknowledged entries go again first; one change always goes, however large.
        #expect(try store.beginPush(limit: 100, maxBytes: 1).map(\.localSeq) == [first[0].localSeq])
        let unsent = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT field FROM outbox WHERE sent = 0") }
        #expect(unsent == ["*", "*"])
    }

    @Test("a new row with more fields than a batch holds is split: its fields get entries of their own and go in order")
    func newRowLargerThanABatch() throws {
        let store = try ReplicaStore.inMemory(analyst: "alice")
        var values = minimal
        values["notes"] = .text("three fields")
        let id = try store.insert(.commitments, values: values)
        let first = try store.beginPush(limit: 2)
        #expect(first.count == 2)
        let entries = try store.outbox(id)
        #expect(entries.map(\.field) == ["title", "party", "notes"] && entries.map(\.sent) == [true, true, false])
        let second = try store.beginPush(limit: 2, after: first.last!.localSeq)
        #expect(second.map(\.change.field) == ["notes"] && second[0].localSeq > first.last!.localSeq)
        #expect(second[0].change.value == .text("three fields") && second[0].baseSeq == 0)
    }

    @Test("repeated edits of one field collapse into one entry: latest value, first base")
    func outboxCollapse() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        try store.pushAccepted()
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
        try store.pushAccepted()
        try store.writer.write { db in
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
        _ = try store.beginPush(limit: 100)
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
        #expect(try store.count("outbox") == 1)
        #expect(try store.count("history") == 1)
        #expect(try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") } == before)
    }

    @Test("delete writes a tombstone that syncs; the row stays; a second delete is refused")
    func deleteIsATombstone() throws {
        let store = try ReplicaStore.inMemory()
        let id = try store.insert(.commitments, values: minimal)
        try store.pushAccepted()
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

    @Test("a row created here and changed before its push sends each field set or edited once, as it stands, with the time of its last edit")
    func newRowSendsLatestValues() throws {
        let clock = ManualClock()
        let store = try ReplicaStore.inMemory(analyst: "alice", wallClock: clock.reader)
        var values = minimal
        values["notes"] = .text("first")
        values["status"] = .text("pledged")
        let id = try store.insert(.commitments, values: values)
        let created = try #require(try store.outbox(id).first).hlc
        clock.now += 1000
        try store.update(.commitments, id: id, changes: ["notes": .text("second"), "status": .null])
        clock.now += 1000
        try store.delete(.commitments, id: id)
        // The edits wrote no entries of their own: the row's one entry sends what it holds.
        #expect(try store.outbox(id).map(\.field) == ["*"])
        // The status it cleared goes too, as a field entry collapsing its edits would have.
        #expect(try store.status().pendingChanges == 5)
        let pushed = try store.beginPush(limit: 100)
        let sent = Dictionary(uniqueKeysWithValues: pushed.map { ($0.change.field, $0) })
        #expect(Set(sent.keys) == ["title", "party", "notes", "status", "deleted"])
        #expect(sent["notes"]?.change.value == .text("second") && sent["deleted"]?.change.value == .integer(1))
        #expect(sent["status"]?.change.value == .null)
        #expect(sent["title"]?.change.hlc.rawValue == created)
        #expect(sent["notes"]!.change.hlc > sent["title"]!.change.hlc && sent["deleted"]!.change.hlc > sent["notes"]!.change.hlc)
        #expect(pushed.allSatisfy { $0.baseSeq == 0 && $0.aliveBaseSeq == 0 })
        // In outbox order, within the numbers the row's entry kept below itself.
        let number = try #require(try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") })
        #expect(pushed.map(\.localSeq) == pushed.map(\.localSeq).sorted())
        #expect(pushed.allSatisfy { $0.localSeq > number - NewRowEntry.span && $0.localSeq <= number })
        // They are now the sent entries of those fields; the row's entry is gone.
        #expect(try store.outbox(id).map(\.field) == pushed.map(\.change.field))
        #expect(try store.outbox(id).allSatisfy(\.sent))
        // The next row's entry is numbered above every number this one kept.
        let next = try store.insert(.commitments, values: minimal)
        #expect(try store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT local_seq FROM outbox WHERE row_id = ?", arguments: [next]) }
                    == number + NewRowEntry.span)
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
