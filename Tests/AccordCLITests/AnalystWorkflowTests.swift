import Foundation
import Testing
import TestSupport

@Suite struct AnalystWorkflowTests {
    @Test("init, import --sample and list show the article's commitments")
    func sampleListing() throws {
        let accord = try AccordRunner.withSample()
        let table = try accord.ok("list")
        #expect(table.contains("ASEAN Green Finance Fund") || table.contains("£17m"))
        #expect(table.contains("GBP 17,000,000"))
        #expect(table.contains("≤ GBP 40,000,000"))
        #expect(table.contains("94.48%"))
        let json = try accord.ok("list", "--format", "json")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(rows.count >= 25)
        #expect(rows.contains { $0["amount"] as? String == "17000000" && $0["currency"] as? String == "GBP" })
        let meetings = try accord.ok("meeting", "list")
        #expect(meetings.contains("Kuala Lumpur"))
    }

    @Test("add prints the new id alone; show, edit, log and delete work on it by prefix")
    func addEditShowDelete() throws {
        let accord = try AccordRunner.withSample()
        let output = try accord.ok("add", "--title", "UK pledge", "--party", "United Kingdom", "--amount", "17000000.50",
                                   "--currency", "gbp", "--kind", "finance", "--tag", "uk", "--tag", "green",
                                   "--period", "2022-2026", "--meeting", "01980a02")
        let id = output.trimmingCharacters(in: .newlines)
        #expect(output.hasSuffix("\n") && !id.contains("\n"))
        #expect(isUUIDv7(id))

        let shown = try accord.ok("show", String(id.prefix(20)), "--format", "json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any])
        let commitment = try #require(object["commitment"] as? [String: Any])
        #expect(commitment["amount"] as? String == "17000000.50")
        #expect(commitment["currency"] as? String == "GBP")
        #expect(commitment["tags"] as? [String] == ["uk", "green"])
        #expect(commitment["period_start"] as? Int == 2022)
        #expect(commitment["meeting_id"] as? String == "01980a02-5eed-7000-8000-000000000002")
        let versions = try #require(object["versions"] as? [String: [String: Any]])
        #expect(versions["amount"]?["analyst"] as? String == "alice")
        #expect(versions["amount"]?["pending"] as? Bool == true)

        #expect(try accord.ok("edit", id, "--status", "delivered", "--clear", "tag") == "changed status, tags\n")
        let text = try accord.ok("show", id)
        #expect(text.contains("delivered") && !text.contains("green"))
        let log = try accord.ok("log", id)
        #expect(log.contains("status") && log.contains("\"delivered\"") && log.contains("alice"))
        #expect(log.contains("created {\"id\":\"\(id)\""))

        try accord.ok("delete", id)
        #expect(!(try accord.ok("list", "--format", "csv")).contains(id))
        #expect(try accord.ok("list", "--include-deleted", "--format", "csv").contains(id))
        #expect(try accord.sqlite("SELECT deleted FROM commitments WHERE id = '\(id)'") == "1\n")
    }

    @Test("list filters by field flags, tag, period and search")
    func listFilters() throws {
        let accord = try AccordRunner.withSample()
        func ids(_ arguments: String...) throws -> [String] {
            let csv = try accord.ok(["list", "--format", "csv"] + arguments)
            return csv.split(separator: "\n").dropFirst().map { String($0.prefix(36)) }
        }
        let finance = try ids("--kind", "finance")
        #expect(finance.count >= 4)
        #expect(try ids("--currency", "EUR").count == 2)
        #expect(try ids("--party", "united kingdom", "--kind", "humanitarian").count == 2)
        #expect(try ids("--period", "2027").contains("01980c02-5eed-7000-8000-000000000002") == false)
        // The scholarships share one source sentence, which names Chevening.
        #expect(try ids("--search", "chevening") == [
            "01980c10-5eed-7000-8000-000000000010", "01980c11-5eed-7000-8000-000000000011", "01980c12-5eed-7000-8000-000000000012",
        ])
        #expect(try ids("--search", "chevening", "--title", "Newly launched ASEAN Chevening Scholarship Programme").count == 1)
        #expect(try ids("--search", "nothing-like-this").isEmpty)
    }

    @Test("status reports identity, pending edits and a digest that equal data shares")
    func statusAndDigest() throws {
        let alice = try AccordRunner.withSample()
        let bob = try AccordRunner.withSample()
        func status(_ runner: AccordRunner) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(try runner.ok("status", "--format", "json").utf8)) as? [String: Any])
        }
        let a = try status(alice), b = try status(bob)
        #expect(a["analyst"] as? String == "alice")
        #expect(a["replica_id"] as? String != b["replica_id"] as? String)
        #expect((a["pending_changes"] as? Int ?? 0) > 0)
        #expect(a["digest"] as? String == b["digest"] as? String)
        try alice.ok("edit", "01980c08", "--note", "checked")
        #expect(try status(alice)["digest"] as? String != b["digest"] as? String)
        #expect(try alice.ok("status").contains("alice"))
    }

    @Test("the replica is a plain SQLite file that the sqlite3 tool reads with the design's names")
    func readableWithSQLite() throws {
        let accord = try AccordRunner.withSample()
        let columns = try accord.sqlite("SELECT group_concat(name, ',') FROM pragma_table_info('commitments')")
        #expect(columns == "id,title,party,beneficiary,kind,amount,currency,qualifier,disbursed,status,meeting_id,date,period_start,period_end,progress,source_url,source_quote,tags,notes,deleted\n")
        #expect(try accord.sqlite("SELECT amount, currency FROM commitments WHERE id = '01980c08-5eed-7000-8000-000000000008'") == "17000000|GBP\n")
        #expect(try accord.sqlite("SELECT name FROM meetings WHERE id = '01980a01-5eed-7000-8000-000000000001'").contains("58th"))
    }

    @Test("--replica defaults to $ACCORD_REPLICA, else ./accord.db")
    func replicaDefault() throws {
        let accord = try AccordRunner()
        let viaEnvironment = accord.directory.file("env.db")
        let created = try accord.run(["init"], replicaFlag: false, environment: ["ACCORD_REPLICA": viaEnvironment])
        #expect(created.status == 0)
        #expect(FileManager.default.fileExists(atPath: viaEnvironment))
        #expect(try accord.run(["init"], replicaFlag: false).status == 0)
        #expect(FileManager.default.fileExists(atPath: accord.directory.file("accord.db")))
        let status = try accord.run(["status", "--format", "json"], replicaFlag: false, environment: ["ACCORD_REPLICA": viaEnvironment])
        #expect(status.stdout.contains("\"analyst\":\"tester\""))
    }

    @Test("tables fit the terminal width and carry no colour codes under NO_COLOR")
    func tablesFit() throws {
        let accord = try AccordRunner.withSample()
        let result = try accord.run(["list"], environment: ["COLUMNS": "70"])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count > 10)
        #expect(lines.allSatisfy { $0.count <= 70 })
        #expect(!result.stdout.contains("\u{1B}"))
    }

    @Test("meeting add prints its id; commitments can then name it")
    func meetings() throws {
        let accord = try AccordRunner()
        try accord.ok("init")
        let id = try accord.ok("meeting", "add", "--name", "ASEAN-EU PMC", "--start", "2025-07-10", "--end", "2025-07-10")
            .trimmingCharacters(in: .newlines)
        #expect(isUUIDv7(id))
        try accord.ok("add", "--title", "t", "--party", "EU", "--meeting", String(id.prefix(13)))
        #expect(try accord.ok("meeting", "list", "--format", "csv").contains("ASEAN-EU PMC,,,2025-07-10,2025-07-10"))
    }

    @Test("the replica file is readable by its owner only, since it holds the token")
    func replicaIsPrivate() throws {
        let accord = try AccordRunner()
        try accord.ok("init", "--server", "127.0.0.1:7420", "--token", "secret")
        let attributes = try FileManager.default.attributesOfItem(atPath: accord.replica)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("import --sample again adds nothing and keeps the analyst's edits")
    func sampleTwice() throws {
        let accord = try AccordRunner.withSample()
        try accord.ok("edit", "01980c08", "--status", "delivered")
        #expect(try accord.ok("import", "--sample") == "imported the sample dataset: 0 added, 36 already here\n")
        #expect(try accord.sqlite("SELECT status FROM commitments WHERE id LIKE '01980c08%'") == "delivered\n")
    }

    @Test("a spreadsheet of a few columns updates just those fields")
    func partialCSVUpdate() throws {
        let accord = try AccordRunner.withSample()
        let file = try accord.directory.write("status.csv", "id,status\n01980c08-5eed-7000-8000-000000000008,delivered\n")
        #expect(try accord.ok("import", file).contains("1 updated"))
        #expect(try accord.sqlite("SELECT status, amount, currency FROM commitments WHERE id LIKE '01980c08%'") == "delivered|17000000|GBP\n")
    }

    @Test("amounts given as JSON numbers keep every digit")
    func jsonNumbersExact() throws {
        let accord = try AccordRunner()
        try accord.ok("init")
        let file = try accord.directory.write("n.jsonl", "{\"title\":\"t\",\"party\":\"p\",\"amount\":123456789012345678901234567890.123456789012,\"currency\":\"USD\",\"progress\":94.480}\n")
        try accord.ok("import", file)
        #expect(try accord.sqlite("SELECT amount, progress FROM commitments") == "123456789012345678901234567890.123456789012|94.480\n")
    }
}
