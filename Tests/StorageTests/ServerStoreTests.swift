import Domain
import GRDB
import Testing
import TestSupport
@testable import Storage

@Suite struct ServerStoreTests {
    let alice = ServerStore.Pusher(replicaID: "a-replica", analyst: "alice")
    let bob = ServerStore.Pusher(replicaID: "b-replica", analyst: "bob")
    let row = RecordID("01980c08-5eed-7000-8000-000000000008")!
    let t1 = HLCTimestamp(wallMillis: 1_752_130_800_000, counter: 0)
    let t2 = HLCTimestamp(wallMillis: 1_752_130_900_000, counter: 0)

    func change(_ local: Int64, _ field: String, _ value: FieldValue, base: Int64 = 0, alive: Int64 = 0,
                at hlc: HLCTimestamp, entity: String = "commitments", id: RecordID? = nil) -> PushedChange {
        PushedChange(localSeq: local, change: FieldChange(entity: entity, id: id ?? row, field: field, value: value, hlc: hlc),
                     baseSeq: base, aliveBaseSeq: alive)
    }

    func value(_ store: ServerStore, _ field: String, entity: String = "commitments", id: RecordID? = nil) throws -> FieldValue? {
        try stored(store, field, entity: entity, id: id ?? row)?["value"]
    }

    /// The `fields` row of one field, read straight from the store's table.
    func stored(_ store: ServerStore, _ field: String, entity: String = "commitments", id: RecordID) throws -> Row? {
        try store.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM fields WHERE entity = ? AND row_id = ? AND field = ?", arguments: [entity, id.text, field])
        }
    }

    func conflicts(_ store: ServerStore) throws -> [PulledRow] {
        try store.pull(after: 0, limit: 10_000).rows.filter { $0.entity == ServerStore.conflictsEntity }
    }

    @Test("tokens: shown once, stored as a hash, checked, listed without the token, revoked at once")
    func tokens() throws {
        let store = try ServerStore.inMemory()
        let token = try store.addToken(name: "alice", role: .editor)
        // "acc_" and 256 random bits in unpadded base64url.
        #expect(token.hasPrefix("acc_") && token.count == 47)
        #expect(token.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(try store.authenticate(token: token)?.name == "alice")
        #expect(try store.authenticate(token: token)?.role == .editor)
        #expect(try store.authenticate(token: token + "x") == nil)
        let stored = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT hash FROM tokens") }
        #expect(stored == [ServerStore.hash(token)] && !stored[0].contains(token))
        #expect((#expect(throws: StoreError.self) { try store.addToken(name: "alice", role: .reader) })?.code == .alreadyExists)
        #expect(try store.tokens().map(\.name) == ["alice"])
        try store.revokeToken(name: "alice")
        #expect(try store.authenticate(token: token) == nil)
        #expect(try store.tokens().first?.revokedAt != nil)
        #expect((#expect(throws: StoreError.self) { try store.revokeToken(name: "nobody") })?.code == .notFound)
        #expect(Role.reader.canPush == false && Role.editor.canPush && Role.admin.canPush)
    }

    @Test("a store made before the audit lost its row index opens migrated, its audit rows kept, and pushes")
    func auditWithoutRowIndex() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("server.db")
        let old = try DatabaseQueue(path: path)
        try ServerStore.migrator.migrate(old, upTo: "v1-server")
        try old.write { db in
            try db.execute(sql: "INSERT INTO server (singleton, identity, created_at) VALUES (1, 'old-store', '2026-12-01T00:00:00.000Z')")
            try db.execute(sql: """
                INSERT INTO audit (seq, entity, row_id, field, new_value, hlc, replica_id, analyst, outcome, at)
                VALUES (1, 'commitments', 'r', 'title', 'x', 1, 'a-replica', 'alice', 'accepted', '2026-12-01T00:00:00.000Z')
                """)
        }
        #expect(try old.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'audit_row'") } == 1)
        try old.close()

        let store = try ServerStore.open(at: path)
        #expect(try store.identity() == "old-store")
        _ = try store.applyPush([change(1, "title", .text("£17m"), at: t1)], from: alice)
        let (index, outcomes, autocheckpoint) = try store.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'audit_row'"),
             try String.fetchAll(db, sql: "SELECT outcome FROM audit ORDER BY id"),
             try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
        }
        #expect(index == 0)
        // The old row, and the title with its row's `deleted` from the push.
        #expect(outcomes == ["accepted", "accepted", "accepted"])
        #expect(autocheckpoint == 10_000)
    }

    @Test("a push is applied in order with gap-free sequences, and a resent batch is not applied twice")
    func pushAndResend() throws {
        let store = try ServerStore.inMemory()
        let batch = [change(1, "title", .text("£17m"), at: t1), change(2, "party", .text("UK"), at: t1)]
        let results = try store.applyPush(batch, from: alice)
        #expect(results.map(\.outcome) == [.accepted, .accepted])
        // title at 1, the row asserted alive at 2, party at 3: one sequence per write, no gaps.
        #expect(results.map(\.seq) == [1, 3])
        #expect(try value(store, "deleted") == .integer(0))
        #expect(try store.lastSeq() == 3)
        let again = try store.applyPush(batch, from: alice)
        #expect(again.map(\.outcome) == [.duplicate, .duplicate])
        #expect(try store.lastSeq() == 3)
    }

    @Test("concurrent edits of one field: the later stands and the other is kept in a conflict record")
    func conflictingPush() throws {
        let store = try ServerStore.inMemory()
        let created = try store.applyPush([change(1, "status", .text("pledged"), at: t1)], from: alice)
        let base = try #require(created[0].seq)
        _ = try store.applyPush([change(2, "status", .text("delivered"), base: base, alive: 2, at: t1)], from: alice)
        let result = try store.applyPush([change(1, "status", .text("lapsed"), base: base, alive: 2, at: t2)], from: bob)
        #expect(result[0].outcome == .conflict && result[0].seq != nil && result[0].conflictID != nil)
        #expect(try value(store, "status") == .text("lapsed"))
        let records = try conflicts(store)
        #expect(records.count == 1)
        let fields = try #require(records.first?.fields)
        #expect(fields["field"]?.value == .text("status"))
        #expect(fields["standing_value"]?.value == .text("lapsed") && fields["standing_analyst"]?.value == .text("bob"))
        #expect(fields["other_value"]?.value == .text("delivered") && fields["other_analyst"]?.value == .text("alice"))
        #expect(fields["status"]?.value == .text("open"))
    }

    @Test("an earlier concurrent edit is kept aside while the current value stands")
    func earlierEditKeptAside() throws {
        let store = try ServerStore.inMemory()
        _ = try store.applyPush([change(1, "amount", .text("17000000"), at: t2)], from: alice)
        let result = try store.applyPush([change(1, "amount", .text("16000000"), at: t1)], from: bob)
        #expect(result[0].outcome == .conflict && result[0].seq == nil)
        #expect(try value(store, "amount") == .text("17000000"))
        #expect(try conflicts(store).first?.fields["other_value"]?.value == .text("16000000"))
    }

    @Test("equal concurrent values and edits of different fields merge without a conflict")
    func silentMerges() throws {
        let store = try ServerStore.inMemory()
        _ = try store.applyPush([change(1, "title", .text("£17m"), at: t1)], from: alice)
        let same = try store.applyPush([change(1, "title", .text("£17m"), at: t2)], from: bob)
        #expect(same[0].outcome == .equal)
        let other = try store.applyPush([change(2, "status", .text("pledged"), at: t2)], from: bob)
        #expect(other[0].outcome == .accepted)
        #expect(try conflicts(store).isEmpty)
        // Bob's edits also stamped the row alive, newer than Alice's knowledge: a delete by
        // Alice based on what she knew is concurrent with them.
        let delete = try store.applyPush([change(2, "deleted", .integer(1), base: 2, at: t1)], from: alice)
        #expect(delete[0].outcome == .conflict)
        #expect(try value(store, "deleted") == .integer(0))
    }

    @Test("a delete and an unseen edit of one row conflict on deleted, in either order")
    func deleteVersusEdit() throws {
        let store = try ServerStore.inMemory()
        let created = try store.applyPush([change(1, "title", .text("t"), at: t1)], from: alice)
        #expect(created[0].seq == 1) // the alive stamp took seq 2
        // Alice deletes knowing the row (alive at 2); Bob, who also knew it at 2, edits later.
        let deleted = try store.applyPush([change(2, "deleted", .integer(1), base: 2, at: t1)], from: alice)
        #expect(deleted[0].outcome == .accepted)
        let edit = try store.applyPush([change(1, "status", .text("pledged"), alive: 2, at: t2)], from: bob)
        #expect(edit[0].outcome == .accepted && edit[0].conflictID != nil)
        #expect(try value(store, "deleted") == .integer(0)) // the later edit stands: the row lives
        #expect(try conflicts(store).first?.fields["field"]?.value == .text("deleted"))

        // The other order: Bob edits (asserting alive), then Alice deletes without having seen it.
        let second = RecordID.generate()
        _ = try store.applyPush([change(3, "title", .text("t"), at: t1, id: second)], from: alice)
        let aliveSeq = try store.lastSeq()
        _ = try store.applyPush([change(2, "status", .text("pledged"), alive: aliveSeq, at: t1, id: second)], from: bob)
        let late = try store.applyPush([change(4, "deleted", .integer(1), base: aliveSeq, at: t2, id: second)], from: alice)
        #expect(late[0].outcome == .conflict)
        #expect(try value(store, "deleted", id: second) == .integer(1))
    }

    @Test("an edit of a row its replica saw deleted (a resolved conflict) stays on the deleted row and does not restore it")
    func editOfSeenDeletion() throws {
        let store = try ServerStore.inMemory()
        _ = try store.applyPush([change(1, "title", .text("t"), at: t1)], from: alice)
        let deleted = try store.applyPush([change(2, "deleted", .integer(1), base: 2, at: t1)], from: alice)
        let deletionSeq = try #require(deleted[0].seq)
        // Bob had pulled the deletion; he resolves a conflict of the title: the title is kept...
        let bobEdit = try store.applyPush([change(1, "title", .text("t2"), base: 1, alive: deletionSeq, at: t2)], from: bob)
        #expect(bobEdit[0].outcome == .accepted && bobEdit[0].conflictID == nil)
        #expect(try value(store, "title") == .text("t2"))
        // ...and the row stays deleted, with no conflict: Bob knew.
        #expect(try value(store, "deleted") == .integer(1))
        #expect(try conflicts(store).isEmpty)
        // The same for Alice, who deleted it herself.
        _ = try store.applyPush([change(3, "party", .text("UK"), alive: 0, at: t2)], from: alice)
        #expect(try value(store, "deleted") == .integer(1))
        // Someone who had not seen the deletion still meets it as a conflict on deleted.
        let carol = ServerStore.Pusher(replicaID: "c-replica", analyst: "carol")
        let unseen = try store.applyPush([change(1, "notes", .text("n"), alive: 2, at: t2)], from: carol)
        #expect(unseen[0].conflictID != nil)
        #expect(try conflicts(store).first?.fields["field"]?.value == .text("deleted"))
    }

    @Test("an invalid change rejects the whole batch, unapplied")
    func invalidBatch() throws {
        let store = try ServerStore.inMemory()
        let batch = [change(1, "title", .text("ok"), at: t1), change(2, "amount", .text("-5"), at: t1)]
        let error = #expect(throws: StoreError.self) { try store.applyPush(batch, from: alice) }
        #expect(error?.message.contains("change 2") == true)
        #expect(try store.lastSeq() == 0)
        #expect(throws: StoreError.self) { try store.applyPush([change(1, "colour", .text("red"), at: t1)], from: alice) }
        #expect(throws: StoreError.self) { try store.applyPush([change(1, "title", .text("x"), at: t1, entity: "people")], from: alice) }
        #expect(throws: StoreError.self) { try store.applyPush([change(1, "deleted", .integer(2), at: t1)], from: alice) }
        // A field that a row rule needs later may arrive first: an amount before its currency.
        #expect(try store.applyPush([change(1, "amount", .text("5"), at: t1)], from: alice)[0].outcome == .accepted)
    }

    @Test("pull returns the fields written after the cursor, latest values only, in batches")
    func pullBatches() throws {
        let store = try ServerStore.inMemory()
        try store.importSample()
        let total = try store.lastSeq()
        var cursor: Int64 = 0
        var seen: [String: FieldValue] = [:]
        var batches = 0
        while true {
            let batch = try store.pull(after: cursor, limit: 100)
            if batch.rows.isEmpty { break }
            #expect(batch.cursor > cursor)
            #expect(batch.rows.flatMap(\.fields.values).count <= 100)
            for row in batch.rows { for (field, pulled) in row.fields { seen[row.entity + row.id.text + field] = pulled.value } }
            cursor = batch.cursor
            batches += 1
        }
        #expect(cursor == total && batches > 1)
        #expect(seen["commitments01980c08-5eed-7000-8000-000000000008amount"] == .text("17000000"))
        let fund = RecordID("01980c08-5eed-7000-8000-000000000008")!
        let known: (Int64, Int64) = (try stored(store, "amount", id: fund)!["seq"], try stored(store, "deleted", id: fund)!["seq"])
        _ = try store.applyPush([change(1, "amount", .text("17500000"), base: known.0, alive: known.1, at: t2, id: fund)], from: alice)
        let incremental = try store.pull(after: cursor, limit: 100)
        #expect(incremental.rows.count == 1)
        #expect(incremental.rows[0].fields["amount"]?.value == .text("17500000"))
        #expect(incremental.rows[0].fields["deleted"]?.value == .integer(0))
        #expect(incremental.rows[0].fields["title"] == nil)
    }

    @Test("importing the sample twice adds nothing the second time")
    func sampleImport() throws {
        let store = try ServerStore.inMemory()
        let first = try store.importSample()
        #expect(first.inserted == 36)
        let again = try store.importSample()
        #expect(again.inserted == 0 && again.skipped == 36)
    }

    @Test("the store keeps its identity across reopening and refuses a file that is not a store")
    func identityAndForeignFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("server.db")
        let identity = try ServerStore.open(at: path).identity()
        #expect(RecordID(identity) != nil)
        #expect(try ServerStore.open(at: path).identity() == identity)
        let text = try directory.write("notes.db", "hello\n")
        #expect(throws: StoreError.self) { try ServerStore.open(at: text) }
        _ = try ReplicaStore.create(at: directory.file("replica.db"), analyst: "a")
        #expect(throws: StoreError.self) { try ServerStore.open(at: directory.file("replica.db")) }
    }
}
