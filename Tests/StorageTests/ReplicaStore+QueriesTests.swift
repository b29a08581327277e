import Domain
import GRDB
import Testing
import TestSupport
@testable import Storage

@Suite struct ReplicaStoreQueriesTests {
    func row(_ title: String, _ party: String, _ extra: [String: FieldValue] = [:]) -> [String: FieldValue] {
        var values: [String: FieldValue] = ["title": .text(title), "party": .text(party)]
        values.merge(extra) { $1 }
        return values
    }

    @Test("an id resolves from a unique prefix; an ambiguous prefix lists the candidates")
    func resolvePrefixes() throws {
        let store = try ReplicaStore.inMemory()
        let a = RecordID("aaaa1111-0000-7000-8000-000000000001")!
        let b = RecordID("aaaa2222-0000-7000-8000-000000000002")!
        try store.insert(.commitments, id: a, values: row("A", "P"))
        try store.insert(.commitments, id: b, values: row("B", "P"))
        #expect(try store.resolveID(.commitments, prefix: "aaaa1") == a)
        #expect(try store.resolveID(.commitments, prefix: "AAAA2222") == b)
        #expect(try store.resolveID(.commitments, prefix: a.text) == a)
        let ambiguous = #expect(throws: StoreError.self) { try store.resolveID(.commitments, prefix: "aaaa") }
        #expect(ambiguous?.code == .ambiguous)
        #expect(ambiguous?.message.contains(a.text) == true && ambiguous?.message.contains(b.text) == true)
        #expect((#expect(throws: StoreError.self) { try store.resolveID(.commitments, prefix: "bbbb") })?.code == .notFound)
        #expect((#expect(throws: StoreError.self) { try store.resolveID(.commitments, prefix: "zz%") })?.code == .notFound)
    }

    @Test("list filters by field, tag, period overlap and full-text search")
    func listFilters() throws {
        let store = try ReplicaStore.inMemory()
        let green = try store.insert(.commitments, values: row("Green Finance Fund", "United Kingdom", [
            "kind": .text("finance"), "tags": .text("green-finance;uk"), "period_start": .integer(2022), "period_end": .integer(2026),
        ]))
        let grid = try store.insert(.commitments, values: row("ASEAN Power Grid", "ASEAN", [
            "kind": .text("programme"), "tags": .text("energy"), "period_start": .integer(2028), "notes": .text("Green grids"),
        ]))
        func ids(_ build: (inout RecordFilter) -> Void) throws -> [RecordID] {
            var filter = RecordFilter()
            build(&filter)
            return try store.list(.commitments, filter: filter).map(\.id)
        }
        #expect(try ids { $0.equals = ["party": .text("united kingdom")] } == [green])
        #expect(try ids { $0.equals = ["kind": .text("programme")] } == [grid])
        #expect(try ids { $0.tags = ["uk"] } == [green])
        #expect(try ids { $0.tags = ["green"] } == [])
        #expect(try ids { $0.period = 2026...2027 } == [green])
        #expect(try ids { $0.period = 2027...2030 } == [grid])
        #expect(try ids { $0.search = "gree" }.sorted() == [green, grid].sorted())
        #expect(try ids { $0.search = "power grid" } == [grid])
        #expect(try ids { $0.search = "\"unbalanced OR" } == [])
        try store.update(.commitments, id: grid, changes: ["title": .text("Interconnector"), "notes": .null])
        #expect(try ids { $0.search = "power" } == [])
        #expect(try ids { $0.search = "interconnector" } == [grid])
    }

    @Test("import is all or nothing: a bad third row leaves the replica untouched and names its line")
    func importAllOrNothing() throws {
        let store = try ReplicaStore.inMemory()
        let id = RecordID.generate().text
        // The third row repeats the first one's id: only the store can see that, after it
        // has written the first two rows in the transaction.
        let text = """
            {"id":"\(id)","title":"one","party":"P"}
            {"title":"two","party":"P"}
            {"id":"\(id)","title":"three","party":"P"}
            """
        let rows = try Interchange.parseJSONLines(text, schema: .commitments)
        let before = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") }
        let error = #expect(throws: StoreError.self) { try store.importRows(.commitments, rows) }
        #expect(error?.message.hasPrefix("line 3:") == true)
        #expect(try store.count("commitments") == 0)
        #expect(try store.count("outbox") == 0)
        #expect(try store.count("history") == 0)
        #expect(try store.count("field_versions") == 0)
        #expect(try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM replica") } == before)
    }

    @Test("an import of more new rows than one write holds is still all or nothing, and lands every row when good")
    func importManyNewRows() throws {
        let store = try ReplicaStore.inMemory()
        let count = ReplicaStore.newRowsPerWrite * 2 + 7
        let ids = (0..<count).map { _ in RecordID.generate().text }
        let lines = ids.enumerated().map { "\($1),Row \($0),P,\($0)" }.joined(separator: "\n")
        // The last line repeats the first id, which only the store can see: the first writes of
        // new rows are done when it reads that line.
        let bad = try Interchange.parseCSV("id,title,party,notes\n\(lines)\n\(ids[0]),Again,P,again\n", schema: .commitments)
        let error = #expect(throws: StoreError.self) { try store.importRows(.commitments, bad) }
        #expect(error?.message.hasPrefix("line \(count + 2):") == true, "\(String(describing: error))")
        for table in ["commitments", "outbox", "history", "field_versions"] { #expect(try store.count(table) == 0) }

        let good = try Interchange.parseCSV("id,title,party,notes\n\(lines)\n", schema: .commitments)
        #expect(try store.importRows(.commitments, good).inserted == count)
        #expect(try store.count("commitments") == count)
        #expect(try store.count("history") == count)
        // One entry a row, standing for its title, party and notes; versions come with the push.
        #expect(try store.count("outbox") == count)
        #expect(try store.status().pendingChanges == count * 3)
        #expect(try store.count("field_versions") == 0)
        let notes = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT notes FROM commitments") }
        #expect(Set(notes) == Set((0..<count).map(String.init)))
    }

    @Test("importing rows with existing ids edits only the fields that differ")
    func importUpdates() throws {
        let store = try ReplicaStore.inMemory()
        let id = RecordID.generate()
        let first = try Interchange.parseCSV("id,title,party\n\(id.text),one,P\n", schema: .commitments)
        #expect(try store.importRows(.commitments, first).inserted == 1)
        let again = try store.importRows(.commitments, first)
        #expect(again.unchanged == 1 && again.inserted == 0)
        let changed = try Interchange.parseCSV("id,title,party\n\(id.text),two,P\n", schema: .commitments)
        #expect(try store.importRows(.commitments, changed).updated == 1)
        #expect(try store.record(.commitments, id: id)?["title"] == .text("two"))
        let twice = try Interchange.parseCSV("id,title,party\n\(id.text),a,P\n\(id.text),b,P\n", schema: .commitments)
        #expect((#expect(throws: StoreError.self) { try store.importRows(.commitments, twice) })?.message.contains("line 3") == true)
    }

    @Test("an import writes the edited rows that changed the same fields in one statement, and search finds their new words")
    func importedEditsShareStatements() throws {
        let store = try ReplicaStore.inMemory()
        let ids = (0..<3).map { _ in RecordID.generate() }
        let header = "id,title,party,notes\n"
        let first = try Interchange.parseCSV(header + ids.map { "\($0.text),Fund mangrove,UK,first\n" }.joined(), schema: .commitments)
        #expect(try store.importRows(.commitments, first).inserted == 3)
        try store.pushAccepted()
        // Rows 0 and 2 change their notes, row 1 its title and notes.
        let edits = try Interchange.parseCSV(header + """
            \(ids[0].text),Fund mangrove,UK,second
            \(ids[1].text),Fund seagrass,UK,second
            \(ids[2].text),Fund mangrove,UK,second

            """, schema: .commitments)
        var summary = ImportSummary()
        let traced = try store.statements { summary = try store.importRows(.commitments, edits) }
        #expect(summary.updated == 3)
        #expect(traced.filter { $0.sql.hasPrefix("UPDATE commitments") }.count == 2, "\(traced.map(\.sql))")
        func found(_ words: String) throws -> Set<RecordID> {
            var filter = RecordFilter()
            filter.search = words
            return Set(try store.list(.commitments, filter: filter).map(\.id))
        }
        #expect(try found("seagrass") == [ids[1]])
        #expect(try found("mangrove") == [ids[0], ids[2]])
        #expect(try found("second") == Set(ids))
        #expect(try found("first").isEmpty)
        #expect(try store.history(.commitments, id: ids[1]).map(\.field).sorted() == ["*", "notes", "title"])
        // Each edited field's outbox entry (not yet sent, so the import's) holds its new value.
        let pending = try store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT value FROM outbox WHERE field IN ('title', 'notes') ORDER BY row_id, field")
        }
        #expect(pending.sorted() == ["Fund seagrass", "second", "second", "second"])
    }

    @Test("the sample holds the article's figures exactly, and importing it again adds nothing")
    func sampleDataset() throws {
        let store = try ReplicaStore.inMemory()
        let first = try store.importSample()
        #expect(first.inserted == (try SampleData.rows(.commitments).count + SampleData.rows(.meetings).count))
        let again = try store.importSample()
        #expect(again.inserted == 0 && again.updated == 0 && again.skipped == first.inserted)

        let all = try store.list(.commitments)
        func find(_ words: String) throws -> EntityRow {
            var filter = RecordFilter()
            filter.search = words
            return try #require(try store.list(.commitments, filter: filter).first)
        }
        let fund = try find("ASEAN Green Finance Fund concessional")
        #expect(fund["amount"] == .text("17000000") && fund["currency"] == .text("GBP"))
        let transformation = try #require(all.first { $0["beneficiary"].text?.contains("Green Transformation") == true })
        #expect(transformation["amount"] == .text("40000000") && transformation["qualifier"] == .text("up-to"))
        #expect(all.contains { $0["progress"] == .text("94.48") && $0["period_start"] == .integer(2022) && $0["period_end"] == .integer(2026) })
        #expect(all.contains { $0["progress"] == .text("60") && $0["qualifier"] == .text("more-than") })
        #expect(all.contains { $0["amount"] == .text("10000000000") && $0["currency"] == .text("EUR") })
        #expect(all.contains { $0["amount"] == .text("6000000") && $0["currency"] == .text("EUR") })
        #expect(all.contains { $0["amount"] == .text("293000000000") && $0["currency"] == .text("USD") && $0["qualifier"] == .text("about") })
        #expect(all.contains { $0["amount"] == .text("20000000000") && $0["currency"] == .text("USD") })
        #expect(all.contains { $0["amount"] == .text("10000000") && $0["kind"] == .text("humanitarian") })
        #expect(all.contains { $0["amount"] == .text("25000000") && $0["qualifier"] == .text("up-to") })
        #expect(all.contains { $0["period_start"] == .integer(2024) && $0["period_end"] == .integer(2028) })
        for row in all {
            #expect(row["source_url"].text?.hasPrefix("https://baoquocte.vn/") == true)
            #expect(row["source_quote"] != .null)
            #expect(row["meeting_id"] != .null)
        }
    }

    @Test("importing the sample again never undoes an edit or a delete of its rows")
    func sampleKeepsEdits() throws {
        let store = try ReplicaStore.inMemory()
        try store.importSample()
        let rows = try store.list(.commitments)
        try store.update(.commitments, id: rows[0].id, changes: ["status": .text("lapsed")])
        try store.delete(.commitments, id: rows[1].id)
        let pending = try store.count("outbox")
        let again = try store.importSample()
        #expect(again.inserted == 0)
        #expect(try store.record(.commitments, id: rows[0].id)?["status"] == .text("lapsed"))
        #expect(try store.record(.commitments, id: rows[1].id)?.deleted == true)
        #expect(try store.count("outbox") == pending)
    }

    @Test("an import that lacks a column leaves that field of existing rows alone; an empty cell clears it")
    func importOnlyTouchesGivenFields() throws {
        let store = try ReplicaStore.inMemory()
        let id = RecordID.generate()
        let full = "id,title,party,amount,currency,status\n\(id.text),T,P,17000000,GBP,pledged\n"
        try store.importRows(.commitments, try Interchange.parseCSV(full, schema: .commitments))
        let statusOnly = "id,status\n\(id.text),delivered\n"
        #expect(try store.importRows(.commitments, try Interchange.parseCSV(statusOnly, schema: .commitments)).updated == 1)
        let row = try #require(try store.record(.commitments, id: id))
        #expect(row["status"] == .text("delivered"))
        #expect(row["amount"] == .text("17000000") && row["currency"] == .text("GBP") && row["title"] == .text("T"))
        let clearing = "{\"id\":\"\(id.text)\",\"status\":null}\n"
        try store.importRows(.commitments, try Interchange.parseJSONLines(clearing, schema: .commitments))
        #expect(try store.record(.commitments, id: id)?["status"] == .null)
        #expect(try store.record(.commitments, id: id)?["amount"] == .text("17000000"))
    }

    @Test("replicas that hold the same rows share a digest; any change of value changes it")
    func digest() throws {
        let alice = try ReplicaStore.inMemory(analyst: "alice")
        let bob = try ReplicaStore.inMemory(analyst: "bob", wallClock: { 42 })
        try alice.importSample()
        try bob.importSample()
        #expect(try alice.digest() == bob.digest())
        #expect(try alice.identity().replicaID != bob.identity().replicaID)
        let id = try alice.list(.commitments)[0].id
        try alice.update(.commitments, id: id, changes: ["notes": .text("checked")])
        #expect(try alice.digest() != bob.digest())
        try bob.update(.commitments, id: id, changes: ["notes": .text("checked")])
        #expect(try alice.digest() == bob.digest())
        try bob.delete(.commitments, id: id)
        #expect(try alice.digest() != bob.digest())
        let empty = try ReplicaStore.inMemory()
        #expect(try empty.digest().count == 64)
    }

    @Test("live rows are read back in id order, without tombstones")
    func forEachLive() throws {
        let store = try ReplicaStore.inMemory()
        let ids = (0..<5).map { _ in RecordID.generate() }
        for id in ids.reversed() { try store.insert(.commitments, id: id, values: row("t", "p")) }
        try store.delete(.commitments, id: ids[2])
        var seen: [RecordID] = []
        try store.forEachLiveRecord(.commitments) { seen.append($0.id) }
        #expect(seen == ids.sorted().filter { $0 != ids[2] })
    }
}
