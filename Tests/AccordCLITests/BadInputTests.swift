import Foundation
import Testing
import TestSupport

/// Every rejected command prints one `error:` line, exits non-zero and leaves the replica's
/// bytes as they were (`AccordRunner.refused` checks all three).
@Suite struct BadInputTests {
    @Test("init over an existing replica, or over any existing file, is refused")
    func initOverExisting() throws {
        let accord = try AccordRunner.withSample()
        let line = try accord.refused(["init"])
        #expect(line.contains("already exists"))
        let other = try AccordRunner()
        _ = try other.directory.write("accord.db", "notes\n")
        try other.refused(["init"])
        #expect(try other.directory.read("accord.db") == "notes\n")
    }

    @Test("a file that is not SQLite, or SQLite but not a replica, is refused and left alone")
    func notAReplica() throws {
        let text = try AccordRunner()
        _ = try text.directory.write("accord.db", "just text, not a database\n")
        #expect(try text.refused(["list"]).contains("not an SQLite database"))
        try text.refused(["add", "--title", "t", "--party", "p"])

        let foreign = try AccordRunner()
        _ = try foreign.sqlite("CREATE TABLE commitments(id); INSERT INTO commitments VALUES ('x');")
        #expect(try foreign.refused(["status"]).contains("not an Accord replica"))
        try foreign.refused(["import", "--sample"])

        let missing = try AccordRunner()
        #expect(try missing.refused(["list"]).contains("accord init"))
        // An import says so before it reads the file (a bad one here: its error would come first).
        let file = try missing.directory.write("rows.csv", "title,party,kind\nt,p,pledge\n")
        #expect(try missing.refused(["import", file]).contains("accord init"))
        #expect(!FileManager.default.fileExists(atPath: missing.replica))
    }

    @Test("unknown ids and ambiguous prefixes are refused; the ambiguity lists the candidates")
    func unknownAndAmbiguousIDs() throws {
        let accord = try AccordRunner.withSample()
        try accord.refused(["show", "ffffffff"])
        try accord.refused(["edit", "ffffffff", "--title", "x"])
        try accord.refused(["delete", "ffffffff"])
        try accord.refused(["log", "not-hex!"])
        let ambiguous = try accord.refused(["show", "01980c0"])
        #expect(ambiguous.contains("01980c01-5eed-7000-8000-000000000001") && ambiguous.contains("01980c09-5eed-7000-8000-000000000009"))
        try accord.refused(["add", "--title", "t", "--party", "p", "--meeting", "ffff"])
    }

    @Test("bad field values are refused with a message naming each bad field")
    func badValues() throws {
        let accord = try AccordRunner.withSample()
        #expect(try accord.refused(["add", "--title", "t", "--party", "p", "--kind", "pledge"]).contains("kind:"))
        #expect(try accord.refused(["edit", "01980c08", "--status", "Delivered"]).contains("status:"))
        #expect(try accord.refused(["edit", "01980c08", "--qualifier", "upto"]).contains("qualifier:"))
        #expect(try accord.refused(["edit", "01980c08", "--currency", "XYZ"]).contains("currency:"))
        #expect(try accord.refused(["edit", "01980c08", "--amount=-5"]).contains("amount:"))
        #expect(try accord.refused(["edit", "01980c08", "--progress", "101"]).contains("progress:"))
        #expect(try accord.refused(["edit", "01980c08", "--date", "2025-02-30"]).contains("date:"))
        #expect(try accord.refused(["edit", "01980c08", "--period", "2026-2022"]).contains("period_end"))
        #expect(try accord.refused(["edit", "01980c08", "--source", "ftp://example.com"]).contains("source_url:"))
        #expect(try accord.refused(["edit", "01980c08", "--clear", "currency"]).contains("currency"))
        #expect(try accord.refused(["edit", "01980c08", "--title", String(repeating: "x", count: 201)]).contains("title:"))
        #expect(try accord.refused(["edit", "01980c08", "--clear", "title"]).contains("title"))
        #expect(try accord.refused(["edit", "01980c08", "--clear", "colour"]).contains("colour"))
        let both = try accord.refused(["add", "--title", "t", "--party", "p", "--kind", "x", "--progress", "300"])
        #expect(both.contains("kind:") && both.contains("progress:"))
        try accord.refused(["add", "--party", "p"])
        #expect(try accord.refused(["edit", "01980c08", "--period", "2020-"]).contains("period"))
        try accord.refused(["edit", "01980c08", "--period", "-2026"])
        try accord.refused(["list", "--format", "yaml"])
        try accord.refused(["frobnicate"])
    }

    @Test("a malformed CSV or JSON-lines file is refused whole, naming the bad line")
    func malformedFiles() throws {
        let accord = try AccordRunner.withSample()
        let badCSV = try accord.directory.write("bad.csv", """
            title,party,amount,currency
            Good one,UK,5,GBP
            Bad one,UK,12.5.1,GBP

            """)
        #expect(try accord.refused(["import", badCSV]).contains("line 3"))
        let unclosed = try accord.directory.write("unclosed.csv", "title,party\nok,UK\n\"never closed,UK\n")
        #expect(try accord.refused(["import", unclosed]).contains("line 3"))
        let badHeader = try accord.directory.write("header.csv", "title,party,colour\nt,p,red\n")
        #expect(try accord.refused(["import", badHeader]).contains("colour"))
        let badJSON = try accord.directory.write("bad.jsonl", """
            {"title":"ok","party":"UK"}
            {"title":"ok too","party":"UK"}
            {"title": "broken",
            """)
        #expect(try accord.refused(["import", badJSON]).contains("line 3"))
        let badEnum = try accord.directory.write("enum.jsonl", "{\"title\":\"a\",\"party\":\"b\"}\n{\"title\":\"a\",\"party\":\"b\",\"status\":\"done\"}\n")
        #expect(try accord.refused(["import", badEnum]).contains("line 2: status:"))
        let notUTF8 = accord.directory.file("latin1.csv")
        try Data([0x74, 0x69, 0x74, 0x6C, 0x65, 0x0A, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: notUTF8))
        try accord.refused(["import", notUTF8])
        try accord.refused(["import", accord.directory.file("missing.csv")])
        try accord.refused(["import"])
        try accord.refused(["import", badCSV, "--sample"])
    }

    @Test("export will not replace the replica, or any SQLite database, with its output")
    func exportOverReplica() throws {
        let accord = try AccordRunner.withSample()
        #expect(try accord.refused(["export", "--output", accord.replica]).contains("SQLite"))
        #expect(try accord.ok("status").contains("32 commitments"))
    }
}
