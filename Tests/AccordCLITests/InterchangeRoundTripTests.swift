import Foundation
import Testing
import TestSupport

@Suite struct InterchangeRoundTripTests {
    @Test("export twice gives identical bytes, to stdout and to a file")
    func exportIsStable() throws {
        let accord = try AccordRunner.withSample()
        let first = try accord.ok("export", "--format", "jsonl")
        let second = try accord.ok("export", "--format", "jsonl")
        #expect(first == second)
        #expect(first.split(separator: "\n").count == 32)
        try accord.ok("export", "--format", "jsonl", "--output", accord.directory.file("out.jsonl"))
        #expect(try accord.directory.read("out.jsonl") == first)
        let ids = first.split(separator: "\n").map { String($0.dropFirst(7).prefix(36)) }
        #expect(ids == ids.sorted())
        let meetings = try accord.ok("export", "--entity", "meetings", "--format", "csv")
        #expect(meetings.hasPrefix("id,name,series,location,start_date,end_date,notes\n"))
    }

    @Test("CSV export, import into a new replica, export again: the same rows")
    func csvRoundTrip() throws {
        let source = try AccordRunner.withSample()
        try source.ok("add", "--title", "Quote \"with\" comma, and more", "--party", "UK", "--note", "two\nlines, \"quoted\"")
        let meetings = source.directory.file("meetings.csv")
        let commitments = source.directory.file("commitments.csv")
        try source.ok("export", "--entity", "meetings", "--format", "csv", "--output", meetings)
        try source.ok("export", "--format", "csv", "--output", commitments)

        let target = try AccordRunner()
        try target.ok("init")
        try target.ok("import", meetings, "--entity", "meetings")
        try target.ok("import", commitments)
        #expect(try target.ok("export", "--format", "csv") == (try source.directory.read("commitments.csv")))
        #expect(try target.ok("export", "--format", "jsonl") == (try source.ok("export", "--format", "jsonl")))
        #expect(try target.ok("export", "--entity", "meetings") == (try source.ok("export", "--entity", "meetings")))
    }

    @Test("JSON-lines export imports back into a new replica unchanged")
    func jsonRoundTrip() throws {
        let source = try AccordRunner.withSample()
        let file = source.directory.file("c.jsonl")
        let meetings = source.directory.file("m.jsonl")
        try source.ok("export", "--output", file)
        try source.ok("export", "--entity", "meetings", "--output", meetings)
        let target = try AccordRunner()
        try target.ok("init")
        try target.ok("import", meetings, "--entity", "meetings")
        #expect(try target.ok("import", file).contains("32 added"))
        #expect(try target.ok("export") == (try source.directory.read("c.jsonl")))
        #expect(try target.ok("import", file).contains("0 added, 0 updated, 32 unchanged"))
    }

    @Test("a commitments CSV imports into a new replica even before its meetings do")
    func commitmentsBeforeMeetings() throws {
        let source = try AccordRunner.withSample()
        let file = source.directory.file("c.csv")
        try source.ok("export", "--format", "csv", "--output", file)
        let target = try AccordRunner()
        try target.ok("init")
        #expect(try target.ok("import", file).contains("32 added"))
        #expect(try target.ok("export", "--format", "csv") == (try source.directory.read("c.csv")))
    }
}
