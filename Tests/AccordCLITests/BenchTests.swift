import Foundation
import Testing
import TestSupport

/// `accord-bench` (what `make bench` runs) on a tiny N: it completes every measurement against
/// the real binaries, checks its clone holds every row, and reports each figure with its
/// reference and target. Times are not asserted.
@Suite struct BenchTests {
    @Test("the benchmark driver measures everything on 120 rows and reports it as JSON")
    func tinyRun() throws {
        let result = try Executables.run("accord-bench", ["--rows", "120", "--runs", "1", "--json"])
        #expect(result.status == 0, "\(result)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["rows"] as? Int == 120)
        let figures = try #require(report["figures"] as? [[String: Any]])
        let names = figures.compactMap { $0["name"] as? String }
        for expected in ["accord import of 120 rows", "first push of 120 rows", "clone of 120 rows", "clone of 120 rows, on the wire",
                         "sync after 1 edited row, on the wire", "sync after 100 edited rows, on the wire",
                         "import of 100 edited rows", "pull of 1 edited row", "pull of 100 edited rows",
                         "20 writers pushing 6 new rows each at once",
                         "20 writers' whole syncs, each pulling the others' rows", "server peak memory, 5 clones at once"] {
            #expect(names.contains(expected), "missing \(expected) in \(names)")
        }
        for figure in figures {
            let value = figure["value"] as? Double ?? 0
            #expect(value > 0, "\(figure)")
            if figure["target"] != nil { #expect(figure["holds"] is Bool, "\(figure)") }
            if let reference = figure["reference_value"] as? Double {
                #expect(reference > 0 && figure["ratio"] is Double, "\(figure)")
            }
        }
        // Import and clone are also measured against SQLite writing the tables they made.
        let rewrites = figures.filter { $0["reference"] as? String == "SQLite writing the replica's tables" }.compactMap { $0["name"] as? String }
        #expect(rewrites == ["accord import of 120 rows", "clone of 120 rows"])
        // And two floors of those targets against the same reference as the targets.
        for floor in ["SQLite writing the commitments table and its full-text index alone", "gzip -6 of the CSV export"] {
            let figure = figures.first { $0["name"] as? String == floor }
            #expect(figure?["reference"] as? String == "sqlite3 .import", "\(floor): \(String(describing: figure))")
        }
        // Bytes on the wire are counted at the socket: a clone of 120 rows is more than a hello.
        let clone = figures.first { $0["name"] as? String == "clone of 120 rows, on the wire" }
        #expect((clone?["value"] as? Double ?? 0) > 5_000)
    }

    @Test("bad options are refused with one error line")
    func badOptions() throws {
        let result = try Executables.run("accord-bench", ["--rows", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
